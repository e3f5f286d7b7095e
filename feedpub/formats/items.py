"""What every format writes of an article the same way: its HTML body
(:func:`content_html`), its dates (:func:`rfc3339`, :func:`entry_updated`), its
images' media types, its video's player; and the constants every document shares.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .. import GENERATOR_URI as GENERATOR_URI  # (the formats take it from here)
from ..config import ENGLISH, Labels
from ..fasthtml import LINK_REL
from ..model import Article, Image
from ..sanitize import clean_url, sanitize

#: The date of a feed with no items (documented in the README): fixed, so that an
#: empty feed's bytes never change, and after 1990 so validators find it plausible.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"

_IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png",
    "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
    "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/x-icon",
    "heic": "image/heic", "heif": "image/heif", "jxl": "image/jxl",
}  # fmt: skip
#: A video file listed among an article's images (a clip, not a picture): its enclosure
#: and media:content say a video's type (a reader or podcast app plays it), Media RSS's
#: medium "video"; never a thumbnail or a JSON Feed item's image, which are pictures.
_VIDEO_TYPES = {
    "mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
}  # fmt: skip
_MEDIA_TYPES = _IMAGE_TYPES | _VIDEO_TYPES
#: English month and day abbreviations, for the dates shown in HTML ("2 Nov 2026") and
#: RFC 822 dates, whatever the locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Where an iframe's start tag begins, or a comment (``<!-- … -->``, up to the end of
#: the text when never closed, as a browser reads one), whose iframes are none: an
#: embed commented out to swap in a new one; then each of its attributes, as an HTML
#: parser reads them: a name, maybe a value (in double or single quotes, or none).
_IFRAME = re.compile(r"<!--(?:-?>|.*?(?:--!?>|\Z))|<iframe(?=[\s/>])", re.I | re.S)
_ATTRIBUTE = re.compile(
    r"""[\s/]*([^\s/>][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?"""
)
_SIZE = re.compile(r"[0-9]{1,5}")
#: Where a text's paragraphs part: an empty line (or one of spaces) between them.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@functools.lru_cache(maxsize=65536)  # each image is typed in every feed and format
def image_type(url: str) -> str:
    """The media type of an image URL, from its path's extension (never its query): a
    video's for a video file (``.mp4``), ``image/jpeg`` when unknown or none."""
    path = urlsplit(url).path
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _MEDIA_TYPES.get(ext, "image/jpeg")


def medium(url: str) -> str:
    """Media RSS's medium of an image URL: ``video`` for a video file, else ``image``."""
    return "video" if image_type(url).startswith("video/") else "image"


def still(images: Sequence[Image]) -> Image | None:
    """The first of ``images`` that is a picture, not a video file: the thumbnail, and
    a JSON Feed item's image."""
    return next((i for i in images if not image_type(i.url).startswith("video/")), None)


def rfc822(dt: datetime) -> str:
    """An RFC 822 date in English, whatever the locale: feedgen's ``formatRFC2822``
    (strftime in the C locale), and ``email.utils.format_datetime``'s for a date with
    an offset from the year 1000 on. (A date in UTC, as every article's is, is written
    without strftime, which costs four times as much: the same text.)"""
    if dt.tzinfo is UTC and dt.year >= 1000:
        return (f"{DAYS[dt.weekday()]}, {dt.day:02d} {MONTHS[dt.month - 1]} {dt.year} "
                f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000")  # fmt: skip
    return f"{DAYS[dt.weekday()]}, {dt:%d} {MONTHS[dt.month - 1]} {dt:%Y %H:%M:%S %z}"


def rfc3339(dt: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; with microseconds only when it has them. (What
    strftime would write: ``isoformat`` writes the same from the year 1000 on, in
    half the time.)"""
    dt = dt if dt.tzinfo is UTC else dt.astimezone(UTC)
    if dt.year >= 1000:
        return dt.isoformat()[:-6] + "Z"  # (without its "+00:00")
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if dt.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def _embed(text: str) -> dict[str, str] | None:
    """The attributes of the first iframe in ``text`` that has a ``src``: each name in
    lower case, with its value as written (the first of a name written twice, as HTML
    takes it); None when no iframe has one."""
    at = 0
    while (m := _IFRAME.search(text, at)) is not None:
        at = m.end()
        if m[0].startswith("<!"):
            continue  # (a comment)
        attributes: dict[str, str] = {}
        while (a := _ATTRIBUTE.match(text, at)) is not None:
            name, *values = a.groups()
            attributes.setdefault(name.lower(), next((v for v in values if v is not None), ""))
            at = a.end()
        if attributes.get("src", "").strip():
            return attributes
        # (the next iframe after this one's attributes, as a browser reads the tag: an
        # iframe never closed has the rest of the text, "<iframe <iframe …", read once)
    return None


def video_url(article: Article) -> str | None:
    """The URL a video's embed points at (protocol-relative ``//`` taken as https),
    decoded once, as its attribute's value (by :func:`clean_url`)."""
    embed = _embed(article.featured_content)
    if embed is None:
        return None
    src = embed["src"].strip()
    if src.startswith("//"):
        src = "https:" + src
    return clean_url(src)


def is_video(article: Article) -> bool:
    """A video article, or one whose featured content is (an embed of) one."""
    return article.type == "video" or bool(article.featured_content)


@dataclass(frozen=True, slots=True)
class Player:
    """A video's embed player: its URL, and the size of its iframe when given."""

    url: str
    width: int | None = None
    height: int | None = None


def video_player(article: Article) -> Player | None:
    """The embed player of a video (the first iframe's ``src`` in its featured
    content), for Media RSS's ``media:player``; None without one."""
    url = video_url(article) if is_video(article) else None
    if url is None:
        return None
    embed = _embed(article.featured_content)
    assert embed is not None  # video_url found it
    size = {k: int(v) for k in ("width", "height")
            if _SIZE.fullmatch(v := embed.get(k, "").strip()) and int(v) > 0}  # fmt: skip
    return Player(url, size.get("width"), size.get("height"))


def _lines(text: str, escape: Callable[[str], str]) -> str:
    """A paragraph's lines, escaped, a ``<br>`` between them: HTML shows a line break
    as a space (a CMS's "Key Benefits:\nAccess Control: …\nRisk Mitigation: …" was one
    run-on line in every reader). The line break is kept before it, which HTML does not
    show there, for a reader that takes the tags out of a text to show it plain; not
    after it: rss-parser's snippet (a JavaScript library of many web apps) took out the
    text from a tag followed by a line break up to the next tag followed by text (the
    line after the <br> of a paragraph that another follows)."""
    return "\n<br>".join(map(escape, text.split("\n"))) if "\n" in text else escape(text)


def excerpt_text(excerpt: str) -> str:
    """An excerpt as plain text with the paragraphs and line breaks :func:`excerpt_html`
    shows (a JSON Feed's ``summary``): a blank line between paragraphs, and no spaces
    or tabs at a line's ends, which HTML does not show (a CMS's "are:\\n\\n\\n\\t\\n\\tInnovations"
    was that in a JSON Feed reader)."""
    if "\n" not in excerpt:
        return excerpt
    return "\n\n".join("\n".join(line.strip(" \t") for line in text.split("\n"))
                       for text in _PARAGRAPH_BREAK.split(excerpt))  # fmt: skip


def excerpt_html(excerpt: str) -> str:
    """An excerpt as the HTML of an RSS ``description`` and an Atom ``summary
    type="html"``: its text escaped; one over several lines a paragraph each, its other
    line breaks ``<br>`` (as the body has them: shown as HTML, its paragraphs ran
    together)."""
    if "\n" not in excerpt:
        return escaped(excerpt)
    return "\n".join(f"<p>{_lines(text, escaped)}</p>" for text in _PARAGRAPH_BREAK.split(excerpt))


def content_html(article: Article, labels: Labels = ENGLISH) -> str:
    """The HTML body of an item: lead image, excerpt, video link, related coverage;
    for an article with none of them, a link to it ("Read the article": the words are
    ``labels``, the site's, see ``[site.labels]``).
    Sanitised; written as the sanitiser writes HTML, so that it usually has nothing
    to change (see :mod:`feedpub.fasthtml`)."""
    e, a = _html_text, _html_attr
    parts: list[str] = []
    if lead := still(article.images):  # (the first picture: a video file is no <img>)
        size = "".join(
            f' {k}="{v}"' for k, v in (("width", lead.width), ("height", lead.height)) if v
        )
        parts.append(f'<p><img src="{a(lead.url)}" alt="{a(lead.title)}"{size}></p>')
    if article.excerpt:  # a paragraph each (a text of many, as YAML's "|" keeps them)
        parts += (f"<p>{_lines(text, e)}</p>" for text in _PARAGRAPH_BREAK.split(article.excerpt))
    if is_video(article):
        # the watch page, where the video plays with its context in any browser (the
        # embed player, bare, is in media:player for readers that embed it)
        parts.append(f'<p><a href="{a(article.url)}"{LINK_REL}>{e(labels.watch_video)}</a></p>')
    if article.related:
        parts += (f"<h3>{e(labels.related)}</h3>", "<ul>")
        for r in article.related:
            meta = [e(r.provider)] if r.provider else []
            if r.published_at:
                d, day = r.published_at, r.local_date or r.published_at  # (the site's day)
                shown = _shown_day(labels, day.year, day.month, day.day)
                meta.append(f'<time datetime="{rfc3339(d)}">{shown}</time>')
            tail = f" <small>{', '.join(meta)}</small>" if meta else ""
            parts.append(f'<li><a href="{a(r.url)}"{LINK_REL}>{e(r.title)}</a>{tail}</li>')
        parts.append("</ul>")
    if not parts and article.url:  # a title alone: a body all the same (an empty one is
        # "content should not be blank" to the W3C validator, none "missing textual content")
        parts.append(f'<p><a href="{a(article.url)}"{LINK_REL}>{e(labels.read_article)}</a></p>')
    # a line break between blocks (and list items), which HTML does not show there: a
    # reader that takes the tags out to show the text plain ran the paragraphs together
    # ("Scott Durow!Use and understand…"); never after a tag that text follows (see
    # _lines), so that rss-parser's snippet loses none of it
    return sanitize("\n".join(parts))


@functools.lru_cache(maxsize=4096)  # the few hundred days of a site's related links
def _shown_day(labels: Labels, year: int, month: int, day: int) -> str:
    """A day of related coverage as a body shows it (in the words of ``labels``)."""
    return _html_text(labels.day(year, month, day))


#: :func:`video_player` and :func:`content_html` kept for the renderers that make a
#: document from its Articles (feedgen's, JSON Feed's), which meet an article in each
#: of its feeds and formats. An entry (:mod:`.xmlfast`) is made once a build: it calls
#: them plainly, as a cache it never hits would only hash each Article and keep it alive.
cached_video_player = functools.lru_cache(maxsize=4096)(video_player)
cached_content_html = functools.lru_cache(maxsize=4096)(content_html)


def entry_updated(article: Article) -> datetime:
    """The Atom ``updated`` (and JSON Feed ``date_modified``) of an article: its date,
    plus a fraction of a second taken from its URL. Articles dated the same second
    (common when sources give only a day) then never share an ``updated`` value,
    which the W3C validator flags; the fraction is the same in every feed and build."""
    micro = int.from_bytes(hashlib.blake2b(article.url.encode(), digest_size=4).digest()) % 999_999
    return article.published_at.replace(microsecond=micro + 1)


def escaped(s: str) -> str:
    """``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and ``&gt;``: what libxml2 (XML) and
    html5ever (HTML) both write of them in text."""
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def _html_text(s: str) -> str:
    """Text in HTML, escaped as the sanitiser (html5ever) writes it."""
    s = escaped(s)
    return s.replace("\xa0", "&nbsp;") if "\xa0" in s else s


def _html_attr(s: str) -> str:
    """An attribute value in HTML, escaped as the sanitiser writes it."""
    s = _html_text(s)
    return s.replace('"', "&quot;") if '"' in s else s


#: A plain-text element on one line of the pretty-printed output: a title, a name, a
#: category. (Texts in feeds are single-line; HTML bodies are not matched.)
_PLAIN_TEXT = re.compile(
    rb"(<(title|name|category|dc:creator|media:title)(?: type=\"plain\")?>)([^<\n&]*&[^<\n]*)(</\2>)"
)  # only texts with a reference in them: "&amp;" or "&lt;" (a "<" is always escaped)


#: The feed's own description, plain text as a title is (RSS's channel ``description``,
#: Atom's ``subtitle``): the W3C validator asks it too for hexadecimal references
#: ("Encode "&" and "<" in plain text…" of ``Tips <for> you``). Told by its
#: indentation, which no item's ``description`` (HTML, escaped, two levels deeper) has;
#: it may go over lines (a config's description may hold line breaks), never holding a
#: raw ``<``.
_FEED_DESCRIPTION = re.compile(
    rb"^(    <description>|  <subtitle>)([^<&]*&[^<]*)(</(?:description|subtitle)>)", re.M
)


#: A related link's title (the only attribute of plain text the formats write), with a
#: reference in it, in the link's element: a line of its own, ``<atom:link`` (RSS) or
#: ``<link`` (Atom) with its attributes (none of which holds a raw quote, ``<`` or
#: ``>``). Not `` title="`` in a text: a text holds no raw ``<`` (``&lt;``), so no line
#: of one begins as an element does, and an excerpt quoting HTML (``<a title="x & y">``)
#: is left as the other texts are.
_TITLE_ATTRIBUTE = re.compile(
    rb'^( *<(?:atom:)?link [^<>"\n]*(?:"[^"\n]*"[^<>"\n]*)*? title=")([^"\n&]*&[^"\n]*)(")', re.M
)


def hex_references(document: bytes, titles: bool = True) -> bytes:
    """An RSS or Atom document with ``&`` and ``<`` in its plain texts (the feed's
    description among them, and a related link's ``title``) as hexadecimal character
    references (the RSS Best Practices Profile): the same characters to an XML parser,
    but never taken for markup or an entity by a reader that treats the text as HTML.
    Without ``titles``, for an entry's bytes, whose writer gives those titles that form
    itself (:func:`hex_attribute`), and which hold no feed description."""
    document = _PLAIN_TEXT.sub(_hex_references, document)
    if not titles:
        return document
    if b"&" in document:  # (its text: group 2, as a title's)
        document = _FEED_DESCRIPTION.sub(_hex_title, document)
    if b' title="' in document:
        document = _TITLE_ATTRIBUTE.sub(_hex_title, document)
    return document


def hex_attribute(value: str) -> str:
    """An attribute's value, escaped for XML, in the form :func:`hex_references` gives
    a related link's ``title``."""
    if "&" in value:
        value = value.replace("&amp;", "&#x26;").replace("&lt;", "&#x3C;")
    return value


def _hex(text: bytes) -> bytes:
    return text.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")


def _hex_references(m: re.Match[bytes]) -> bytes:
    return m.group(1) + _hex(m.group(3)) + m.group(4)


def _hex_title(m: re.Match[bytes]) -> bytes:
    return m.group(1) + _hex(m.group(2)) + m.group(3)
