"""RSS 2.0 and Atom 1.0 written as text: byte for byte what :mod:`.xmlfeed` writes
with feedgen, in half the time (a 10,000-article benchmark's 602 documents: 0.6 s of
CPU against 1.2 s, HTML bodies included; their entries alone, three times faster).
A fast path, like :mod:`feedpub.fastyaml`: :mod:`.xmlfeed` is the renderer of record,
and its module says what each element is and why.

feedgen keeps a document in its own objects, builds an lxml tree of it for each
format, and lxml serialises the tree (pretty-printed, UTF-8). This module writes that
serialisation directly: the elements in feedgen's order (and with our extension's
elements where feedgen puts them), escaped and indented as libxml2 does it.

:func:`render` falls back to :mod:`.xmlfeed` when this module cannot be sure of the
bytes: a string with a character XML 1.0 forbids (lxml refuses it, so feedgen's
error stands), or a required value that is empty (feedgen refuses it). And once per
process :func:`agrees_with_lxml` serialises a probe of every escaped character and
every shape of element with lxml and with this module: if another libxml2 writes it
otherwise, every document goes to feedgen. ``tests/test_xmlfast.py`` checks that
both paths give identical bytes on the sample content, the benchmark corpus, the
hostile fixtures and generated articles.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from .. import __version__
from ..archive import HISTORY_NS, Document
from ..config import ENGLISH, Config, FeedConfig, Labels
from ..fasthtml import canonical
from ..model import Article, Image
from . import ATOM, FORMATS, RSS
from .items import (
    ATOM_NS,
    DC_NS,
    EMPTY_FEED_DATE,
    GENERATOR_URI,
    MEDIA_NS,
    Player,
    content_html,
    entry_updated,
    escaped,
    excerpt_html,
    hex_attribute,
    hex_references,
    image_type,
    medium,
    rfc822,
    still,
    video_player,
)

_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_RSS_ROOT = (
    f'<rss xmlns:media="{MEDIA_NS}" xmlns:dc="{DC_NS}" xmlns:atom="{ATOM_NS}"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
)
_ATOM_ROOT = f'<feed xmlns:media="{MEDIA_NS}" xmlns:dc="{DC_NS}" xmlns="{ATOM_NS}"'
_ARCHIVE = f'<fh:archive xmlns:fh="{HISTORY_NS}"/>\n'
#: How each format's document ends, after its entries.
FOOT = {RSS.name: b"  </channel>\n</rss>\n", ATOM.name: b"</feed>\n"}
_RSS_DOCS = "http://www.rssboard.org/rss-specification"  # feedgen's default <docs>
#: What lxml cannot hold (XML 1.0's forbidden characters, lone surrogates): the
#: complement of XML's Char, written as itself (compiled ten times faster).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Declined(Exception):
    """This document is left to feedgen."""


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """The bytes :func:`feedpub.formats.xmlfeed.render` gives for the same arguments
    (from it, for every format, when this module declines one)."""
    doc = doc or Document(feed.slug, items)
    out = write(config, feed, items, fmts, doc)
    if out is not None:
        return out
    from . import xmlfeed  # (and feedgen) only when needed: 30 ms at start-up

    return xmlfeed.render(config, feed, items, fmts, doc)


class Entry(NamedTuple):
    """What the XML formats write of one article, the same in every document that
    shows it: the bytes of its RSS item and of its Atom entry, and its Atom ``updated``
    (a document's own is its newest entry's). Made once an article (:func:`entry`) for
    all the feeds that show it; documents are then assembled from them (:func:`assemble`).
    Each is whole lines: :func:`~.items.hex_references`, which never looks past a line
    (but in the feed's description, which is in no entry), gives the same bytes for an
    entry alone as within its document."""

    rss: bytes
    atom: bytes
    updated: datetime


def entry(a: Article, labels: Labels = ENGLISH) -> Entry | None:
    """An article's Entry (its body in the words of ``labels``); None where feedgen must
    decide (see :func:`render`)."""
    if not agrees_with_lxml():
        return None
    updated = entry_updated(a)
    try:
        rss, atom = _entries(a, updated, labels)
    except Declined:
        return None
    # (its plain texts, and its related links' titles, are written in the form
    # hex_references gives them already: see _plain)
    return Entry(rss, atom, updated)


def write(config: Config, feed: FeedConfig, items: Sequence[Article], fmts: Sequence[str],
          doc: Document[Any]) -> dict[str, bytes] | None:  # fmt: skip
    """One document in each of ``fmts`` (``rss``, ``atom``); None where feedgen must decide."""
    entries = [entry(a, config.labels) for a in items]
    if None in entries:
        return None
    return assemble(config, feed, cast(list[Entry], entries), fmts, doc)


def assemble(config: Config, feed: FeedConfig, entries: Sequence[Entry], fmts: Sequence[str],
             doc: Document[Any]) -> dict[str, bytes] | None:  # fmt: skip
    """The document ``doc`` of ``feed`` holding the articles of ``entries``, in order,
    in each of ``fmts`` (``rss``, ``atom``): the bytes :func:`write` gives for those
    articles. None where feedgen must decide (a text of the feed's own)."""
    if not agrees_with_lxml():
        return None
    try:
        return {fmt: _document(config, feed, entries, fmt, doc) for fmt in fmts}
    except Declined:
        return None


def _document(config: Config, feed: FeedConfig, entries: Sequence[Entry], fmt: str,
              doc: Document[Any]) -> bytes:  # fmt: skip
    title = (
        feed.title
        if doc.page is None
        else config.labels.said("archive_title", feed=feed.title, page=str(doc.page))
    )
    description = feed.description or config.description or feed.title
    self_url = config.feed_url(doc.stem, fmt)
    hub = [("hub", config.hub)] if config.hub and doc.page is None else []
    links = [*doc.links(config, feed, fmt), *hub]
    updated = max((e.updated for e in entries), default=EMPTY_FEED_DATE)
    topics = [t for t in feed.topics if t != "*"]
    _valid(title, description, self_url, config.link, config.title, config.language or "",
           *topics, *(v for link in links for v in link))  # fmt: skip
    if not (title and config.link and description):
        raise Declined  # feedgen: "Required fields not set"
    self_link = [("href", self_url), ("rel", "self"), ("type", FORMATS[fmt].content_type)]
    if fmt == RSS.name:
        head = [
            _DECLARATION,
            _RSS_ROOT,
            "  <channel>\n",
            _leaf("    ", "title", title),
            _leaf("    ", "link", config.link),
            _leaf("    ", "description", description),
            _empty("    ", "atom:link", self_link),
            *(_leaf("    ", "category", t) for t in topics),
            _leaf("    ", "docs", _RSS_DOCS),
            _leaf("    ", "generator", "feedpub"),
            _leaf("    ", "language", config.language) if config.language else "",
            _leaf("    ", "lastBuildDate", rfc822(updated)),
            _leaf("    ", "dc:creator", config.title),
            *(_empty("    ", "atom:link", [("rel", rel), ("href", href)]) for rel, href in links),
            "    " + _ARCHIVE if doc.is_archive else "",
        ]
        return b"".join([_head(head), *(e.rss for e in entries), FOOT[fmt]])
    if fmt != ATOM.name:
        raise ValueError(f"{__name__} cannot write {fmt!r}")
    lang = f' xml:lang="{_attr(config.language)}"' if config.language else ""
    head = [
        _DECLARATION,
        f"{_ATOM_ROOT}{lang}>\n",
        _leaf("  ", "id", self_url),
        _leaf("  ", "title", title),
        _leaf("  ", "updated", updated.isoformat()),
        _author("  ", config.title, config.link),
        _empty("  ", "link", self_link),
        _empty("  ", "link", [("href", config.link), ("rel", "alternate"), ("type", "text/html")]),
        *(f'  <category term="{_attr(t)}"/>\n' for t in topics),  # even an empty term
        f'  <generator uri="{GENERATOR_URI}" version="{_attr(__version__)}">feedpub</generator>\n',
        _leaf("  ", "subtitle", description) if description else "",
        *(_empty("  ", "link", [("rel", rel), ("href", href)]) for rel, href in links),
        "  " + _ARCHIVE if doc.is_archive else "",
    ]
    return b"".join([_head(head), *(e.atom for e in entries), FOOT[fmt]])


def _head(lines: list[str]) -> bytes:
    """A document's lines before its first entry, as bytes."""
    return hex_references("".join(lines).encode())


# ------------------------------------------------------------------------ one article


def _entries(a: Article, updated: datetime, labels: Labels) -> tuple[bytes, bytes]:
    """An article's RSS item and Atom entry, as they stand in every document (its Atom
    ``updated`` given): the escaped texts, the Media RSS and the related links are made
    once for both, and the body (most of their bytes) is encoded once for both: each is
    the lines before it, the body and the lines after it, each part encoded (the UTF-8
    of the whole)."""
    content = content_html(a, labels)
    player = video_player(a)
    provider = a.provider
    domain = f"https://{provider.domain}/" if provider and provider.domain else ""
    # (a body canonical recognises holds no character _valid looks for: not searched again)
    body = "" if canonical(content) is not None else content
    _valid(a.title, a.url, a.excerpt, body, *a.topics, player.url if player else "",
           provider.name if provider else "", domain,
           *(v for i in a.images for v in (i.url, i.title)),
           *(v for r in a.related for v in (r.url, r.title)))  # fmt: skip
    if not (a.title and a.url):
        raise Declined  # feedgen: "Required fields not set" (Atom), no <title> (RSS)
    title, url, url_attr, html_body = _plain(a.title), _text(a.url), _attr(a.url), _text(content)
    excerpt = _text(excerpt_html(a.excerpt))
    # (what _attrs writes of the two, then the title)
    related = [(f' rel="related" href="{_attr(r.url)}"' if r.url else ' rel="related"')
               + (f' title="{hex_attribute(_attr(r.title))}"' if r.title else "")
               for r in a.related]  # fmt: skip
    media = _media(a.images, player)
    if a.images:
        first = a.images[0]
        image_url, image_kind = _attr(first.url), _attr(image_type(first.url))

    i = "      "  # RSS: rss > channel > item > these
    rss_head = f"    <item>\n{i}<title>{title}</title>\n{i}<link>{url}</link>\n"
    if a.excerpt:
        rss_head += f"{i}<description>{excerpt}</description>\n{i}<content:encoded>"
        rss = ["</content:encoded>\n"]
    else:
        rss_head += f"{i}<description>"
        rss = ["</description>\n"]
    rss.append(f'{i}<guid isPermaLink="true">{url}</guid>\n')
    categories = [_categories(t) for t in a.topics]
    rss += (rss_line for rss_line, _ in categories)
    rss.append(f"{i}<pubDate>{rfc822(a.published_at)}</pubDate>\n")
    if a.images:
        rss.append(f'{i}<enclosure url="{image_url}" length="0" type="{image_kind}"/>\n')
    if provider:
        rss.append(f"{i}<dc:creator>{_plain(provider.name)}</dc:creator>\n")
    rss += (line.replace("\0", i) for line in media)
    rss += (f"{i}<atom:link{attrs}/>\n" for attrs in related)
    rss.append("    </item>\n")

    i = "    "  # Atom: feed > entry > these
    atom_head = (f"  <entry>\n{i}<id>{url}</id>\n{i}<title>{title}</title>\n"
                 f"{i}<updated>{updated.isoformat()}</updated>\n"
                 f"{_author(i, provider.name, domain) if provider else ''}")  # fmt: skip
    if content:
        atom_head += f'{i}<content type="html">'
        atom = ["</content>\n"]
    else:
        atom = [f'{i}<content type="html"/>\n']
    atom.append(f'{i}<link href="{url_attr}"/>\n')  # feedgen #135: the link keeps its href only
    if a.excerpt:
        atom.append(f'{i}<summary type="html">{excerpt}</summary>\n')
    atom += (atom_line for _, atom_line in categories)
    atom.append(f"{i}<published>{a.published_at.isoformat()}</published>\n")
    if a.images:
        atom.append(
            f'{i}<link rel="enclosure" href="{image_url}" type="{image_kind}" length="0"/>\n'
        )
    atom += (f"{i}<link{attrs}/>\n" for attrs in related)
    atom += (line.replace("\0", i) for line in media)
    atom.append("  </entry>\n")
    encoded_body = html_body.encode()  # ("" when there is none)
    return (b"".join([rss_head.encode(), encoded_body, "".join(rss).encode()]),
            b"".join([atom_head.encode(), encoded_body, "".join(atom).encode()]))  # fmt: skip


@functools.lru_cache(maxsize=4096)  # a site has a few hundred topics, in every article
def _categories(topic: str) -> tuple[str, str]:
    """A topic's line in an RSS item, and in an Atom entry."""
    return (f"      <category>{_plain(topic)}</category>\n",
            f'    <category term="{_attr(topic)}"/>\n')  # fmt: skip


def _media(images: Sequence[Image], player: Player | None) -> list[str]:
    """Media RSS, as :func:`feedpub.formats.xmlfeed._media` writes it: lines, each
    indented by a NUL (never in a document: see :func:`_valid`) that the item's or
    entry's indentation replaces."""
    out = []
    for image in images:
        attrs = (f'{_url_attr(image.url)} medium="{medium(image.url)}" '
                 f'type="{_attr(image_type(image.url))}"'
                 f"{_size(image.width, image.height)}")  # fmt: skip
        if image.title:
            out.append(f"\0<media:content{attrs}>\n"
                       f'\0  <media:title type="plain">{_plain(image.title)}</media:title>\n'
                       "\0</media:content>\n")  # fmt: skip
        else:
            out.append(f"\0<media:content{attrs}/>\n")
    if first := still(images):  # (a picture: not a video file)
        size = _size(first.width, first.height)
        out.append(f"\0<media:thumbnail{_url_attr(first.url)}{size}/>\n")
    if player:
        size = _size(player.width, player.height)
        out.append(f"\0<media:player{_url_attr(player.url)}{size}/>\n")
    return out


def _url_attr(url: str) -> str:
    """A ``url`` attribute as :func:`_attrs` writes it (none for an empty one)."""
    return f' url="{_attr(url)}"' if url else ""


def _size(width: int | None, height: int | None) -> str:
    """``width`` and ``height`` attributes as :func:`_attrs` writes them (none for a
    size not given)."""
    return (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")


def _author(i: str, name: str, uri: str) -> str:
    """An Atom person (feedgen skips one without a name)."""
    if not name:
        return ""
    return (f"{i}<author>\n{i}  <name>{_plain(name)}</name>\n"
            f"{_leaf(i + '  ', 'uri', uri) if uri else ''}{i}</author>\n")  # fmt: skip


# ------------------------------------------------------------------- as libxml2 writes


def _text(s: str) -> str:
    """A text node's characters, escaped as libxml2 escapes them."""
    s = escaped(s)
    return s.replace("\r", "&#13;") if "\r" in s else s


def _plain(s: str) -> str:
    """A plain text (a title, a name, a category) as :func:`_text` escapes it, then as
    :func:`~.items.hex_references` writes it in its element, on one line of its own:
    ``&amp;`` and ``&lt;`` as hexadecimal references, unless the text goes over lines
    (which hex_references, reading a line at a time, leaves as they are). An entry's
    texts are written so (not found in its bytes again); tests/test_xmlfast.py checks
    both agree."""
    s = _text(s)
    if "&" in s and "\n" not in s:
        s = s.replace("&amp;", "&#x26;").replace("&lt;", "&#x3C;")
    return s


def _attr(s: str) -> str:
    """An attribute value's characters, escaped as libxml2 escapes them."""
    s = _text(s)
    if '"' in s:
        s = s.replace('"', "&quot;")
    if "\n" in s:
        s = s.replace("\n", "&#10;")
    if "\t" in s:
        s = s.replace("\t", "&#9;")
    return s


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    """Attributes in order; an empty value is left out (as ``xmlfeed._sub`` does)."""
    return "".join(f' {k}="{_attr(v)}"' for k, v in pairs if v)


def _leaf(indent: str, tag: str, text: str, attrs: str = "") -> str:
    """An element holding text (written ``<x></x>`` when the text is empty)."""
    return f"{indent}<{tag}{attrs}>{_text(text)}</{tag}>\n"


def _empty(indent: str, tag: str, attrs: Iterable[tuple[str, str]]) -> str:
    return f"{indent}<{tag}{_attrs(attrs)}/>\n"


def _valid(*texts: str) -> None:
    """Decline a document with a character lxml would refuse (feedgen then raises)."""
    if _FORBIDDEN.search("".join(texts)):
        raise Declined


@functools.cache
def agrees_with_lxml() -> bool:
    """Whether this libxml2 writes text, attributes, empty and nested elements as this
    module does (checked once per process)."""
    from lxml import etree

    probe = "a&b<c>d\"e'f\ng\rh\ti é\u2028😀 ]]> &amp;"
    root = etree.Element("r", {"k": probe, "e": ""})
    etree.SubElement(root, "t").text = probe
    etree.SubElement(root, "s").text = ""
    etree.SubElement(root, "n", k=probe)
    etree.SubElement(etree.SubElement(root, "p"), "q").text = "x"
    theirs = etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    ours = (
        f'{_DECLARATION}<r k="{_attr(probe)}" e="">\n{_leaf("  ", "t", probe)}'
        f"{_leaf('  ', 's', '')}{_empty('  ', 'n', [('k', probe)])}"
        f"  <p>\n{_leaf('    ', 'q', 'x')}  </p>\n</r>\n"
    )
    return bool(theirs == ours.encode())
