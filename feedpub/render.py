"""Article sequence -> RSS 2.0 / Atom 1.0 bytes. feedgen lives here and nowhere else.

feedgen 1.0.0 writes the skeleton (titles, ids, dates, summary, content,
categories, authors). What it gets wrong is written by our own extension
(:class:`_EntryExtension`):

- Atom entry links lose ``rel``/``type``/``title``/``length`` (upstream #135),
  so only the alternate link goes through feedgen; enclosure and related links
  are written by us;
- its media extension wraps a single ``media:content`` in ``media:group``, so
  Media RSS is written by us (with a video's embed player as ``media:player``);
- ``enclosure()`` without a length writes ``length="None"`` and adds a broken
  Atom link, so the RSS enclosure is written by us with ``length="0"``;
- RSS ``<author>`` is dropped without an e-mail, so we write ``dc:creator``;
- ``add_entry()`` prepends and ``updated`` defaults to now(): we append and set
  every date from the articles;
- the RSS channel ``<link>`` is the last link added: the alternate goes last.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from . import __version__
from .archive import HISTORY_NS, Document
from .config import Config, FeedConfig
from .model import Article, Image
from .sanitize import clean_url, sanitize

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
#: The date of a feed with no items (documented in the README): fixed, so that an
#: empty feed's bytes never change, and after 1990 so validators find it plausible.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
GENERATOR_URI = "https://pypi.org/project/feedpub/"

_IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png",
    "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
    "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/x-icon",
    "heic": "image/heic", "heif": "image/heif", "jxl": "image/jxl",
}  # fmt: skip
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_IFRAME_SRC = re.compile(r"""<iframe\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_IFRAME_SIZE = re.compile(r"""\s(width|height)\s*=\s*["']?([0-9]{1,5})["'\s/>]""", re.I)


@functools.lru_cache(maxsize=65536)  # each image is typed in every feed and format
def image_type(url: str) -> str:
    """The media type of an image URL, from its path's extension (never its query)."""
    path = urlsplit(url).path
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _IMAGE_TYPES.get(ext, "image/jpeg")


def rfc3339(dt: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; with microseconds only when it has them."""
    return dt.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ" if dt.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    )


def video_url(article: Article) -> str | None:
    """The URL a video's embed points at (protocol-relative ``//`` taken as https)."""
    m = _IFRAME_SRC.search(article.featured_content)
    if not m:
        return None
    src = html.unescape(next(g for g in m.groups() if g is not None)).strip()
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


@functools.lru_cache(maxsize=4096)  # an article is in several feeds and formats
def video_player(article: Article) -> Player | None:
    """The embed player of a video (the first iframe's ``src`` in its featured
    content), for Media RSS's ``media:player``; None without one."""
    url = video_url(article) if is_video(article) else None
    if url is None:
        return None
    text = article.featured_content
    start = _IFRAME_SRC.search(text)
    assert start is not None  # video_url found it
    end = text.find(">", start.end())
    tag = text[start.start() : len(text) if end < 0 else end + 1]
    size = {k.lower(): int(v) for k, v in _IFRAME_SIZE.findall(tag) if int(v) > 0}
    return Player(url, size.get("width"), size.get("height"))


@functools.lru_cache(maxsize=4096)  # an article is in several feeds and formats
def content_html(article: Article) -> str:
    """The HTML body of an item: lead image, excerpt, video link, related coverage."""
    e = html.escape
    parts: list[str] = []
    if article.images:
        lead = article.images[0]
        size = "".join(
            f' {k}="{v}"' for k, v in (("width", lead.width), ("height", lead.height)) if v
        )
        parts.append(f'<p><img src="{e(lead.url)}" alt="{e(lead.title)}"{size}></p>')
    if article.excerpt:
        parts.append(f"<p>{e(article.excerpt)}</p>")
    if is_video(article):
        # the watch page, where the video plays with its context in any browser (the
        # embed player, bare, is in media:player for readers that embed it)
        parts.append(f'<p><a href="{e(article.url)}">Watch the video</a></p>')
    if article.related:
        parts.append("<h3>Related coverage</h3><ul>")
        for r in article.related:
            meta = [e(r.provider)] if r.provider else []
            if r.published_at:
                d = r.published_at
                meta.append(
                    f'<time datetime="{rfc3339(d)}">{d.day} {_MONTHS[d.month - 1]} {d.year}</time>'
                )
            tail = f" <small>{', '.join(meta)}</small>" if meta else ""
            parts.append(f'<li><a href="{e(r.url)}">{e(r.title)}</a>{tail}</li>')
        parts.append("</ul>")
    return sanitize("".join(parts))


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})


def _media(parent: Any, images: Sequence[Image], player: Player | None = None) -> None:
    """Media RSS: one media:content per image, a media:thumbnail for the first; no group;
    and a video's embed player as media:player."""
    for image in images:
        mc = _sub(
            parent,
            f"{{{MEDIA_NS}}}content",
            url=image.url,
            medium="image",
            type=image_type(image.url),
            width=str(image.width or ""),
            height=str(image.height or ""),
        )
        if image.title:
            _sub(mc, f"{{{MEDIA_NS}}}title", type="plain").text = image.title
    if images:
        first = images[0]
        _sub(
            parent,
            f"{{{MEDIA_NS}}}thumbnail",
            url=first.url,
            width=str(first.width or ""),
            height=str(first.height or ""),
        )
    if player:
        _sub(
            parent,
            f"{{{MEDIA_NS}}}player",
            url=player.url,
            width=str(player.width or ""),
            height=str(player.height or ""),
        )


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    """Declares the namespaces our entry extension writes; writes the feed-level links
    feedgen refuses (its ``link()`` knows only five relations), such as RFC 5005's."""

    #: ``(rel, href)`` links beyond self and alternate, and whether this is an archive page.
    links: Sequence[tuple[str, str]] = ()
    archive: bool = False

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def extend_rss(self, rss: Any) -> Any:
        channel = rss[0]
        for rel, href in self.links:
            _sub(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href)
        if self.archive:
            etree.SubElement(channel, f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
        return rss

    def extend_atom(self, feed: Any) -> Any:
        for rel, href in self.links:
            _sub(feed, "link", rel=rel, href=href)  # un-namespaced, like feedgen's own
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
        return feed


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Writes what feedgen 1.0.0 gets wrong: links, enclosures, Media RSS (and a video's
    media:player), dc:creator."""

    article: Article

    def extend_rss(self, item: Any) -> Any:
        a = self.article
        if a.images:
            first = a.images[0]
            _sub(item, "enclosure", url=first.url, length="0", type=image_type(first.url))
        if a.provider:
            _sub(item, f"{{{DC_NS}}}creator").text = a.provider.name
        _media(item, a.images, video_player(a))
        for r in a.related:
            _sub(item, f"{{{ATOM_NS}}}link", rel="related", href=r.url, title=r.title)
        return item

    def extend_atom(self, entry: Any) -> Any:
        a = self.article
        if a.images:
            first = a.images[0]
            # feedgen builds Atom elements without a namespace and declares
            # Atom as the default one on output, so ours must match it.
            _sub(entry, "link", rel="enclosure", href=first.url, type=image_type(first.url),
                 length="0")  # fmt: skip
        for r in a.related:
            _sub(entry, "link", rel="related", href=r.url, title=r.title)
        _media(entry, a.images, video_player(a))
        return entry


def _generator(
    config: Config, feed: FeedConfig, items: Sequence[Article], doc: Document[Any]
) -> FeedGenerator:
    """Everything of the document but what depends on its format (see :func:`_point_at`)."""
    fg = FeedGenerator()
    fg.register_extension("feedpub", _FeedExtension, _EntryExtension)
    fg.feedpub.archive = doc.is_archive
    fg.title(feed.title if doc.page is None else f"{feed.title} (archive page {doc.page})")
    description = feed.description or config.description or feed.title
    fg.subtitle(description)
    fg.description(description)
    fg.language(config.language)
    fg.generator("feedpub", __version__, GENERATOR_URI)
    # Atom requires an author on every entry, or one on the feed for entries without
    # (RFC 4287, 4.1.2): the site speaks for articles that name no provider.
    fg.author({"name": config.title, "uri": config.link})
    # Atom updated and RSS lastBuildDate (one setting in feedgen): the newest entry's
    # updated, so never before any entry's (RSS shows whole seconds).
    fg.updated(max(map(entry_updated, items), default=EMPTY_FEED_DATE))
    for topic in feed.topics:
        if topic != "*":
            fg.category(term=topic)
    for a in items:
        fe = fg.add_entry(order="append")
        fe.title(a.title)
        fe.id(a.url)
        fe.guid(a.url, permalink=True)
        fe.link(href=a.url, rel="alternate", type="text/html")
        fe.published(a.published_at)
        fe.pubDate(a.published_at)
        fe.updated(entry_updated(a))
        if a.excerpt:
            fe.summary(html.escape(a.excerpt, quote=False), type="html")
        fe.content(content_html(a), type="html")
        for topic in a.topics:
            fe.category(term=topic)
        if a.provider:
            author = {"name": a.provider.name}
            if a.provider.domain:
                author["uri"] = f"https://{a.provider.domain}/"
            fe.author(author)
        fe.feedpub.article = a
    return fg


def _point_at(fg: FeedGenerator, config: Config, feed: FeedConfig, doc: Document[Any],
              fmt: str) -> None:  # fmt: skip
    """The format's own parts: the id and self link (its URL), the archive and hub links."""
    self_url = config.feed_url(doc.stem, fmt)
    # WebSub: the subscription document names its hub (archive pages never change)
    hub = [("hub", config.hub)] if config.hub and doc.page is None else []
    fg.feedpub.links = [*doc.links(config, feed, fmt), *hub]
    fg.id(self_url)
    # The RSS channel <link> is the last link added: self first, alternate last.
    fg.link(
        [
            {"href": self_url, "rel": "self", "type": CONTENT_TYPES[fmt]},
            {"href": config.link, "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmt: str,
    doc: Document[Any] | None = None,
) -> bytes:
    """The bytes of ``feed`` in ``fmt`` ("rss" or "atom") for ``items``, in the order given.

    ``doc`` says which of the feed's documents this is (see :mod:`feedpub.archive`);
    by default the subscription document of a feed without archives.
    """
    return render_formats(config, feed, items, (fmt,), doc)[fmt]


def render_formats(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """:func:`render` for several formats of one document: its entries are made once."""
    doc = doc or Document(feed.slug, items)
    fg = _generator(config, feed, items, doc)
    out: dict[str, bytes] = {}
    for fmt in fmts:
        if fmt not in CONTENT_TYPES:
            raise ValueError(f"unknown format {fmt!r}")
        _point_at(fg, config, feed, doc, fmt)
        if fmt == "rss":
            data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        else:
            data = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        out[fmt] = _PLAIN_TEXT.sub(_hex_references, data)
    return out


#: A plain-text element on one line of the pretty-printed output: a title, a name, a
#: category. (Texts in feeds are single-line; HTML bodies are not matched.)
_PLAIN_TEXT = re.compile(
    rb"(<(title|name|category|dc:creator|media:title)(?: type=\"plain\")?>)([^<\n&]*&[^<\n]*)(</\2>)"
)  # only texts with a reference in them: "&amp;" or "&lt;" (a "<" is always escaped)


def _hex_references(m: re.Match[bytes]) -> bytes:
    """``&`` and ``<`` in plain text as hexadecimal character references (the RSS
    Best Practices Profile): the same characters to an XML parser, but never taken
    for markup or an entity by a reader that treats the text as HTML."""
    text = m.group(3).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return m.group(1) + text + m.group(4)


def entry_updated(article: Article) -> datetime:
    """The Atom ``updated`` (and JSON Feed ``date_modified``) of an article: its date,
    plus a fraction of a second taken from its URL. Articles dated the same second
    (common when sources give only a day) then never share an ``updated`` value,
    which the W3C validator flags; the fraction is the same in every feed and build."""
    micro = int.from_bytes(hashlib.blake2b(article.url.encode(), digest_size=4).digest()) % 999_999
    return article.published_at.replace(microsecond=micro + 1)
