"""JSON Feed 1.1 bytes -> problems: the schema
``feedpub/schemas/jsonfeed-1.1.schema.json`` (ours, written from
https://www.jsonfeed.org/version/1.1/) with ``jsonschema``, then in code what a
schema cannot say, as for RSS and Atom: absolute http(s) URLs, unique ids, no
date in the future, no forbidden markup in ``content_html``.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import jsonschema

from ..sanitize import is_absolute
from . import Problem
from .checks import future_said, html_problems, is_future, ordered, parse_rfc3339


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    ref = resources.files("feedpub") / "schemas" / "jsonfeed-1.1.schema.json"
    schema = json.loads(ref.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


class _Lines:
    """Line numbers of values in the JSON text: of a top-level key's, and of the values
    within each item of ``items`` (found within that item's text: each search is as
    long as its item, whatever the feed's length or layout)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        self.items = _item_spans(text)

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1

    def of(self, key: str, value: Any, item: int | None = None) -> int:
        """The line of ``"key": value`` (as ``json.dumps`` writes them) in item number
        ``item`` (from 0; None: in the whole text), else the line the item begins on
        (or 1)."""
        start, end = (0, len(self.text)) if item is None or self.items is None \
            else self.items[item]  # fmt: skip
        needle = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        at = self.text.find(needle, start, end)
        return self.line(at if at >= 0 else start)


_WHITE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int, past: str = "") -> int:
    """Where the next token after white space begins in ``text``, from ``at``; with
    ``past``, after that one character too (a ``,`` or ``:``), when it is there."""
    at = _WHITE.match(text, at).end()  # type: ignore[union-attr]  # (it matches "")
    if past and text[at : at + 1] == past:
        at = _WHITE.match(text, at + 1).end()  # type: ignore[union-attr]
    return at


def _item_spans(text: str) -> list[tuple[int, int]] | None:
    """Where each element of the top-level object's (last) ``items`` array begins and
    ends in ``text``, a JSON document ``json.loads`` took; None when it has none. One
    pass, by the C scanner: each other value is decoded to be stepped over."""
    decode = json.JSONDecoder().raw_decode
    at = _skip(text, 0)
    if text[at : at + 1] != "{":
        return None
    spans: list[tuple[int, int]] | None = None
    at = _skip(text, at + 1)
    while text[at : at + 1] == '"':
        key, at = decode(text, at)
        at = _skip(text, at, ":")
        if key == "items" and text[at : at + 1] == "[":
            spans, at = [], _skip(text, at + 1)
            while text[at : at + 1] not in ("]", ""):
                _, end = decode(text, at)
                spans.append((at, end))
                at = _skip(text, end, ",")
            at += 1  # (past "]")
        else:
            _, at = decode(text, at)
        at = _skip(text, at, ",")
    return spans


def check(data: bytes, now: datetime | None = None) -> list[Problem]:
    """Parse and check a JSON Feed document; returns its problems, sorted."""
    if data.startswith(b"\xef\xbb\xbf"):  # (then checked without it)
        bom = [Problem(1, "encoding", "a byte order mark, which JSON has not (RFC 8259): "
                                      "save the file without it")]  # fmt: skip
        return ordered(bom + check(data[3:], now))
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as e:
        return [Problem(1, "encoding", f"not UTF-8: {e.reason} at byte {e.start}")]
    except json.JSONDecodeError as e:
        return [Problem(e.lineno, "well-formed", f"not valid JSON: {e.msg}")]
    except ValueError:  # a number of more digits than Python converts (4,300)
        return [Problem(1, "well-formed", "a number of more than "
                        f"{sys.get_int_max_str_digits():,} digits, which is not read")]  # fmt: skip
    except RecursionError:
        return [Problem(1, "well-formed", "JSON nested too deeply to be read")]
    if isinstance(doc, dict) and doc.get("version") == "https://jsonfeed.org/version/1":
        return [Problem(_Lines(text).of("version", doc["version"]), "format", "JSON Feed 1.0 is not "
                        "checked: only JSON Feed 1.1 (version https://jsonfeed.org/version/1.1)")]  # fmt: skip
    try:
        lines = _Lines(text)
        # each error made a Problem as it comes (an error holds its instance, schema and
        # context: kept until sorted, a document with many took a thousand times its size)
        found: list[tuple[list[str], Problem]] = []
        for err in _validator().iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            line = _line_of_path(lines, doc, err.absolute_path)
            message = err.message
            if err.instance is None or isinstance(err.instance, bool):  # (as JSON writes
                # them, not as Python does: "null is not of type 'object'", not "None")
                said = repr(err.instance)
                if message.startswith(said):
                    message = json.dumps(err.instance) + message[len(said) :]
            found.append((list(map(str, err.path)), Problem(line, "schema", f"{where}: {message}")))
        found.sort(key=lambda f: f[0])
        problems = [p for _, p in found]
        if isinstance(doc, dict):
            problems.extend(_checks(doc, lines, now))
    except RecursionError:  # (the schema's walk of values nested deep)
        return [Problem(1, "schema", "JSON nested too deeply to be checked")]
    if _SURROGATE_ESCAPE.search(text):  # (rare: then the exact test, every string encoded)
        try:
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as e:
            lone = repr(e.object[e.start])[1:-1]
            problems.append(Problem(1, "encoding", f"a string holds {lone}, half of a "
                                    "surrogate pair: no character; readers may refuse it"))  # fmt: skip
    return ordered(problems)


#: An escaped surrogate (``\ud83d``): half of a pair, which is one character, or alone.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _line_of_path(lines: _Lines, doc: Any, path: Sequence[Any]) -> int:
    """Roughly where a schema error sits: the line of the item's id, else 1."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(doc, dict):
        items = doc.get("items")
        if isinstance(items, list) and isinstance(parts[1], int) and parts[1] < len(items):
            item = items[parts[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return lines.of("id", item["id"], parts[1])
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
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            continue
        name = str(item.get("id", f"#{number}"))
        line = lines.of("id", item.get("id"), number - 1)
        if ids[name] > 1:
            yield Problem(line, "unique-id", f"id {name!r} is used by {ids[name]} items", name)
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                yield from _url(
                    lines.of(key, item[key], number - 1), item[key], f"item {key}", name
                )
        for att in item.get("attachments") or []:
            if isinstance(att, dict):
                yield from _url(line, att.get("url"), "attachment url", name)
        for author in item.get("authors") or []:
            if isinstance(author, dict) and "url" in author:
                yield from _url(line, author["url"], "author url", name)
        for key in ("date_published", "date_modified"):
            value = item.get(key)
            when = parse_rfc3339(value, lower_case=True) if isinstance(value, str) else None
            if key in item and when is None:
                yield Problem(line, "date", f"{key} is not an RFC 3339 date: {item[key]!r}", name)
            if when is not None and is_future(when, now):
                yield Problem(line, "future", future_said(when, fraction=True), name)
        html = item.get("content_html")
        if isinstance(html, str):
            yield from html_problems(line, html, name)
