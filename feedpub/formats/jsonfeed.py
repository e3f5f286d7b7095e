"""Article sequence -> JSON Feed 1.1 bytes (checked by :mod:`feedpub.formats.jsoncheck`).

The same items as the RSS and Atom files, with the same ids, dates and HTML
content (:func:`feedpub.formats.items.content_html`): the first image as ``image``,
every image as an attachment, the provider as the author, the topics as tags,
the excerpt as ``summary``. Related coverage is in ``content_html`` and, as
data, in the ``_feedpub`` extension object of each item. The archive pages of a
feed with ``archive = true`` are chained with ``next_url`` (newer to older), past
the newest page when it is empty.

Output is deterministic: keys in a fixed order (``version`` first, as the spec
asks), UTF-8 without escapes, two-space indent, a final newline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..archive import Document, page_url
from ..config import Config, FeedConfig, Labels
from ..model import Article
from . import JSON
from .items import (
    GENERATOR_URI,
    cached_content_html,
    cached_video_player,
    entry_updated,
    excerpt_text,
    image_type,
    is_video,
    rfc3339,
    still,
)

VERSION = "https://jsonfeed.org/version/1.1"
#: Where the ``_feedpub`` extension is documented (the spec asks for an ``about``).
ABOUT = GENERATOR_URI


def _authors(article: Article) -> list[dict[str, str]]:
    if not article.provider:
        return []
    author = {"name": article.provider.name}
    if article.provider.domain:
        author["url"] = f"https://{article.provider.domain}/"
    return [author]


def _item(article: Article, labels: Labels) -> dict[str, Any]:
    a = article
    item: dict[str, Any] = {"id": a.url, "url": a.url, "title": a.title}
    item["content_html"] = cached_content_html(a, labels)
    if a.excerpt:
        item["summary"] = excerpt_text(a.excerpt)
    if picture := still(a.images):  # (a picture: not a video file)
        item["image"] = picture.url
    item["date_published"] = rfc3339(a.published_at)
    item["date_modified"] = rfc3339(entry_updated(a))
    if authors := _authors(a):
        item["authors"] = authors
        # and 1.0's one author, which the 1.1 spec lets a feed keep "for compatibility":
        # readers not yet on 1.1 (Go's gofeed 1.1.3) show no author without it
        item["author"] = authors[0]
    if a.topics:
        item["tags"] = list(a.topics)
    if a.images:
        # Attachments sharing a title are alternates of one thing (spec): titles
        # are kept only where they are unique.
        titles = Counter(i.title for i in a.images)
        item["attachments"] = [
            {"url": i.url, "mime_type": image_type(i.url)}
            | ({"title": i.title} if i.title and titles[i.title] == 1 else {})
            for i in a.images
        ]
    ext: dict[str, Any] = {}
    if a.related:
        ext["related"] = [
            {"title": r.title, "url": r.url}
            | ({"provider": r.provider} if r.provider else {})
            | ({"date_published": rfc3339(r.published_at)} if r.published_at else {})
            for r in a.related
        ]
    if is_video(a):
        # JSON Feed has no player: the watch page, as content_html links it, and the
        # embed player (Media RSS's media:player in RSS and Atom) beside it when known
        ext["video_url"] = a.url
        if player := cached_video_player(a):
            ext["player_url"] = player.url
    if ext:
        item["_feedpub"] = ext
    return item


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """The JSON Feed 1.1 bytes of one document of ``feed`` (by default its subscription
    document) holding ``items`` in the order given: ``fmts`` is ``["json"]``.

    ``doc`` says which of the feed's documents this is (see :mod:`feedpub.archive`).
    """
    for fmt in fmts:
        if fmt != JSON.name:
            raise ValueError(f"{__name__} cannot write {fmt!r}")
    return {JSON.name: _document(config, feed, items, doc or Document(feed.slug, items))}


def _document(
    config: Config, feed: FeedConfig, items: Sequence[Article], doc: Document[Any]
) -> bytes:
    title = (
        feed.title
        if doc.page is None
        else config.labels.said("archive_title", feed=feed.title, page=str(doc.page))
    )
    out: dict[str, Any] = {"version": VERSION, "title": title}
    out["home_page_url"] = config.link
    out["feed_url"] = config.feed_url(doc.stem, JSON.name)
    out["description"] = feed.description or config.description or feed.title
    out["language"] = config.language
    # the site speaks for items that name no provider (a reader shows the feed's
    # authors for an item without its own), as the Atom feed's author does
    site = {"name": config.title, "url": config.link}
    out["authors"] = [site]
    out["author"] = site  # (1.0's, as each item keeps it)
    links = dict(doc.links(config, feed, JSON.name))
    # older items: JSON Feed's pagination, "the next n items", so never an empty page
    # (RSS and Atom's prev-archive links the newest page, empty or not: RFC 5005)
    if older := doc.older_page():
        out["next_url"] = page_url(config, feed, older, JSON.name)
    if config.hub and doc.page is None:
        out["hubs"] = [{"type": "WebSub", "url": config.hub}]
    ext: dict[str, Any] = {"about": ABOUT, "generator": f"feedpub {__version__}"}
    if "current" in links:
        ext["current"] = links["current"]
    topics = [t for t in feed.topics if t != "*"]
    if topics:
        ext["topics"] = topics
    out["_feedpub"] = ext
    out["items"] = [_item(a, config.labels) for a in items]
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
