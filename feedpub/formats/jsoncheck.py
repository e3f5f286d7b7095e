"""JSON Feed 1.1 bytes -> problems: the schema
``feedpub/schemas/jsonfeed-1.1.schema.json`` (ours, written from
https://www.jsonfeed.org/version/1.1/) with ``jsonschema``, then in code what a
schema cannot say, as for RSS and Atom: absolute http(s) URLs, unique ids, no
date in the future, no forbidden markup in ``content_html``.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import jsonschema

from ..sanitize import is_absolute
from . import Problem
from .checks import html_problems, is_future, ordered, parse_rfc3339
from .items import rfc3339


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    ref = resources.files("feedpub") / "schemas" / "jsonfeed-1.1.schema.json"
    schema = json.loads(ref.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


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


def check(data: bytes, now: datetime | None = None) -> list[Problem]:
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
    return ordered(problems)


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
            when = parse_rfc3339(item[key]) if isinstance(item.get(key), str) else None
            if key in item and when is None:
                yield Problem(line, "date", f"{key} is not an RFC 3339 date: {item[key]!r}", name)
            if when is not None and is_future(when, now):
                yield Problem(line, "future", f"dated in the future ({rfc3339(when)})", name)
        html = item.get("content_html")
        if isinstance(html, str):
            yield from html_problems(line, html, name)
