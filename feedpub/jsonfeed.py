"""Article sequence -> JSON Feed 1.1 bytes, and JSON Feed bytes -> problems.

The same items as the RSS and Atom files, with the same ids, dates and HTML
content (:func:`feedpub.render.content_html`): the first image as ``image``,
every image as an attachment, the provider as the author, the topics as tags,
the excerpt as ``summary``. Related coverage is in ``content_html`` and, as
data, in the ``_feedpub`` extension object of each item. The archive pages of a
feed with ``archive = true`` are chained with ``next_url`` (newer to older).

Output is deterministic: keys in a fixed order (``version`` first, as the spec
asks), UTF-8 without escapes, two-space indent, a final newline.

Checks: the schema ``feedpub/schemas/jsonfeed-1.1.schema.json`` (ours, written
from https://www.jsonfeed.org/version/1.1/) with ``jsonschema``, then in code
what a schema cannot say, as for RSS and Atom: absolute http(s) URLs, unique
ids, no date in the future, no forbidden markup in ``content_html``.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import __version__
from .archive import Document
from .config import Config, FeedConfig
from .model import Article
from .render import (
    GENERATOR_URI,
    content_html,
    entry_updated,
    image_type,
    is_video,
    rfc3339,
    video_player,
)
from .sanitize import is_absolute
from .validate import Problem, _html_problems, _rfc3339, is_future

if TYPE_CHECKING:
    import jsonschema

VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPE = "application/feed+json"
#: Where the ``_feedpub`` extension is documented (the spec asks for an ``about``).
ABOUT = GENERATOR_URI


def _authors(article: Article) -> list[dict[str, str]]:
    if not article.provider:
        return []
    author = {"name": article.provider.name}
    if article.provider.domain:
        author["url"] = f"https://{article.provider.domain}/"
    return [author]


def _item(article: Article) -> dict[str, Any]:
    a = article
    item: dict[str, Any] = {"id": a.url, "url": a.url, "title": a.title}
    item["content_html"] = content_html(a)
    if a.excerpt:
        item["summary"] = a.excerpt
    if a.images:
        item["image"] = a.images[0].url
    item["date_published"] = rfc3339(a.published_at)
    item["date_modified"] = rfc3339(entry_updated(a))
    if authors := _authors(a):
        item["authors"] = authors
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
        if player := video_player(a):
            ext["player_url"] = player.url
    if ext:
        item["_feedpub"] = ext
    return item


def render_json(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmt: str = "json",
    doc: Document[Any] | None = None,
) -> bytes:
    """The JSON Feed 1.1 bytes of ``feed`` for ``items``, in the order given.

    ``doc`` says which of the feed's documents this is (see :mod:`feedpub.archive`).
    """
    if fmt != "json":
        raise ValueError(f"render_json cannot write {fmt!r}")
    doc = doc or Document(feed.slug, items)
    title = feed.title if doc.page is None else f"{feed.title} (archive page {doc.page})"
    out: dict[str, Any] = {"version": VERSION, "title": title}
    out["home_page_url"] = config.link
    out["feed_url"] = config.feed_url(doc.stem, "json")
    out["description"] = feed.description or config.description or feed.title
    out["language"] = config.language
    links = dict(doc.links(config, feed, "json"))
    if "prev-archive" in links:  # older items: JSON Feed's pagination
        out["next_url"] = links["prev-archive"]
    if config.hub and doc.page is None:
        out["hubs"] = [{"type": "WebSub", "url": config.hub}]
    ext: dict[str, Any] = {"about": ABOUT, "generator": f"feedpub {__version__}"}
    if "current" in links:
        ext["current"] = links["current"]
    topics = [t for t in feed.topics if t != "*"]
    if topics:
        ext["topics"] = topics
    out["_feedpub"] = ext
    out["items"] = [_item(a) for a in items]
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- checks


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # here: a build that writes no JSON Feed never pays for its import

    ref = resources.files("feedpub") / "schemas" / "jsonfeed-1.1.schema.json"
    schema = json.loads(ref.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


class _Where:
    """Stands in for an XML element in the shared checks: only a line is needed."""

    def __init__(self, line: int) -> None:
        self.sourceline = line


class _Lines:
    """Line numbers of values in the JSON text (the first line holding the value)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def of(self, key: str, value: Any, start: int = 1) -> int:
        needle = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for number in range(max(start, 1), len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        return start


def validate_json(data: bytes, now: datetime | None = None) -> list[Problem]:
    """Parse and check a JSON Feed document; returns its problems, sorted."""
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as e:
        return [Problem(1, "encoding", f"not UTF-8: {e.reason} at byte {e.start}")]
    except json.JSONDecodeError as e:
        return [Problem(e.lineno, "well-formed", f"not valid JSON: {e.msg}")]
    lines = _Lines(text)
    problems: list[Problem] = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        problems.append(
            Problem(
                _line_of_path(lines, doc, err.absolute_path), "schema", f"{where}: {err.message}"
            )
        )
    if isinstance(doc, dict):
        problems.extend(_checks(doc, lines, now))
    return sorted(set(problems), key=lambda p: (p.line, p.rule, p.message))


def _line_of_path(lines: _Lines, doc: Any, path: Sequence[Any]) -> int:
    """Roughly where a schema error sits: the line of the item's id, else 1."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(doc, dict):
        items = doc.get("items")
        if isinstance(items, list) and isinstance(parts[1], int) and parts[1] < len(items):
            item = items[parts[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return lines.of("id", item["id"])
    return 1


def _url(line: int, value: Any, what: str, item: str) -> Iterator[Problem]:
    if not isinstance(value, str) or not is_absolute(value):
        yield Problem(
            line, "absolute-url", f"{what} must be an absolute http(s) URL: {value!r}", item
        )


def _checks(doc: dict[str, Any], lines: _Lines, now: datetime | None) -> Iterator[Problem]:
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if key in doc:
            yield from _url(lines.of(key, doc[key]), doc[key], key, "")
    if "feed_url" not in doc:
        yield Problem(1, "self-link", "feed has no feed_url")
    elif doc.get("next_url") == doc["feed_url"]:
        yield Problem(
            lines.of("next_url", doc["next_url"]), "next-url", "next_url must not be the feed_url"
        )
    for hub in doc.get("hubs") or []:
        if isinstance(hub, dict):
            yield from _url(lines.of("url", hub.get("url")), hub.get("url"), "hub url", "")
    items = doc.get("items")
    if not isinstance(items, list):
        return
    ids: Counter[str] = Counter(i["id"] for i in items if isinstance(i, dict) and "id" in i)
    start = 1
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            continue
        name = str(item.get("id", f"#{number}"))
        start = line = lines.of("id", item.get("id"), start)
        if ids[name] > 1:
            yield Problem(line, "unique-id", f"id {name!r} is used by {ids[name]} items", name)
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                yield from _url(lines.of(key, item[key], line), item[key], f"item {key}", name)
        for att in item.get("attachments") or []:
            if isinstance(att, dict):
                yield from _url(line, att.get("url"), "attachment url", name)
        for author in item.get("authors") or []:
            if isinstance(author, dict) and "url" in author:
                yield from _url(line, author["url"], "author url", name)
        for key in ("date_published", "date_modified"):
            when = _rfc3339(item[key]) if isinstance(item.get(key), str) else None
            if key in item and when is None:
                yield Problem(line, "date", f"{key} is not an RFC 3339 date: {item[key]!r}", name)
            if when is not None and is_future(when, now):
                yield Problem(line, "future", f"dated in the future ({rfc3339(when)})", name)
        html = item.get("content_html")
        if isinstance(html, str):
            yield from _html_problems(_Where(line), html, name)
