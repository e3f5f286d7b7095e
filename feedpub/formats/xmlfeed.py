"""Article sequence -> RSS 2.0 and Atom 1.0 bytes. feedgen lives here and nowhere else.

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
- RSS ``<author>`` is dropped without an e-mail, so we write ``dc:creator`` (the
  channel's too: the site, as Atom's feed author is);
- ``add_entry()`` prepends and ``updated`` defaults to now(): we append and set
  every date from the articles;
- the RSS channel ``<link>`` is the last link added: the alternate goes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .. import __version__
from ..archive import HISTORY_NS, Document
from ..config import Config, FeedConfig
from ..model import Article, Image
from . import ATOM, FORMATS, RSS
from .items import (
    ATOM_NS,
    DC_NS,
    EMPTY_FEED_DATE,
    GENERATOR_URI,
    MEDIA_NS,
    Player,
    cached_content_html,
    cached_video_player,
    entry_updated,
    excerpt_html,
    hex_references,
    image_type,
    medium,
    still,
)


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
            medium=medium(image.url),
            type=image_type(image.url),
            width=str(image.width or ""),
            height=str(image.height or ""),
        )
        if image.title:
            _sub(mc, f"{{{MEDIA_NS}}}title", type="plain").text = image.title
    if first := still(images):  # (a picture: not a video file)
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
    #: The RSS channel's ``dc:creator``: the site, as the Atom feed's author.
    creator: str = ""

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def extend_rss(self, rss: Any) -> Any:
        channel = rss[0]
        # readers that name an item by its author, else the feed's (rss2email's
        # sender), name an item without a provider by the site, as they do in Atom
        _sub(channel, f"{{{DC_NS}}}creator").text = self.creator
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
        _media(item, a.images, cached_video_player(a))
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
        _media(entry, a.images, cached_video_player(a))
        return entry


def _generator(
    config: Config, feed: FeedConfig, items: Sequence[Article], doc: Document[Any]
) -> FeedGenerator:
    """Everything of the document but what depends on its format (see :func:`_point_at`)."""
    fg = FeedGenerator()
    fg.register_extension("feedpub", _FeedExtension, _EntryExtension)
    fg.feedpub.archive = doc.is_archive
    fg.feedpub.creator = config.title
    fg.title(
        feed.title
        if doc.page is None
        else config.labels.said("archive_title", feed=feed.title, page=str(doc.page))
    )
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
            fe.summary(excerpt_html(a.excerpt), type="html")
        fe.content(cached_content_html(a, config.labels), type="html")
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
            {"href": self_url, "rel": "self", "type": FORMATS[fmt].content_type},
            {"href": config.link, "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """The bytes of one document of ``feed`` (by default its subscription document)
    holding ``items`` in the order given, in each of ``fmts`` (RSS and Atom): one
    FeedGenerator for all, so that the entries are made once.

    ``doc`` says which of the feed's documents this is (see :mod:`feedpub.archive`).
    """
    doc = doc or Document(feed.slug, items)
    fg = _generator(config, feed, items, doc)
    out: dict[str, bytes] = {}
    for fmt in fmts:
        if fmt not in (RSS.name, ATOM.name):
            raise ValueError(f"{__name__} cannot write {fmt!r}")
        _point_at(fg, config, feed, doc, fmt)
        if fmt == RSS.name:
            data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        else:
            data = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        out[fmt] = hex_references(data)
    return out
