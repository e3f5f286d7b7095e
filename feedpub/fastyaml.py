"""A fast path for the plain front matter nearly every article file has.

Front matter is block mappings and sequences of ``key: value`` lines with
double-quoted or plain scalars. For such a block, :func:`fast_load` builds the
same Python objects as PyYAML's loader (it uses PyYAML's own resolver rules
and scalar constructors) about ten times faster, because it does not build
the event and node objects. For anything else it returns ``None`` and PyYAML,
the parser of record, decides: escapes, single quotes with quotes inside,
flow collections, block scalars, anchors, aliases, tags, merge keys, comments
after values, multi-line scalars, duplicate keys, impossible dates, tabs,
nesting deeper than :data:`MAX_DEPTH`. ``tests/test_fastpath.py`` checks that
both paths give identical mappings on the benchmark corpus, the sample content,
the seeds, the hostile fixtures and generated YAML.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

import yaml

MAX_DEPTH = 20
STR = "tag:yaml.org,2002:str"
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_WILDCARD = _RESOLVERS.get(None, [])
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
#: First characters a plain scalar may not start with (YAML indicators), or may only
#: in forms we leave to PyYAML.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


#: What sends a block to PyYAML at once: a character libyaml refuses in a stream
#: ("control characters are not allowed"), a tab, a line break other than "\n" (the
#: line scan knows no other); or a line that ends a YAML document.
_DEFER = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_DOCUMENT_MARK = re.compile(r"^ *(?:---|\.\.\.) *$", re.M)


#: The escapes of double-quoted scalars taken here; any other goes to PyYAML.
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "t": "\t", "n": "\n"}
_ESCAPED = re.compile(r'(?:[^"\\]|\\["\\/tn])*')
_ESCAPE = re.compile(r'\\(["\\/tn])')


class _Fallback(Exception):
    """Outside the subset: let PyYAML decide."""


def _resolve(value: str) -> str:
    """The implicit tag PyYAML gives a plain scalar (Resolver.resolve, exactly)."""
    for tag, regexp in _RESOLVERS.get(value[0] if value else "", []) + _WILDCARD:
        if regexp.match(value):
            return tag
    return STR


@functools.lru_cache(maxsize=8192)  # values repeat: true, widths, topics; all immutable
def _plain(value: str) -> Any:
    dash_ok = value[0] == "-" and value[1:2] not in ("", " ")  # -1, -x: plain scalars
    if (value[0] in _INDICATORS and not dash_ok) or ": " in value or " #" in value:
        raise _Fallback
    if value.endswith(":"):
        raise _Fallback
    if "\t" in value or any(c in value for c in ",[]{}"):
        raise _Fallback
    if _UTC_STAMP.match(value):  # what construct_yaml_timestamp gives, without its regex
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise _Fallback from None  # 2024-02-30: PyYAML reports it
    tag = _resolve(value)
    if tag == STR:
        return value
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    except (ValueError, OverflowError, KeyError, yaml.YAMLError):
        raise _Fallback from None


def _scalar(text: str) -> Any:
    """A scalar written on one line, as PyYAML would construct it."""
    if not text:
        return None
    if text in ("[]", "{}"):  # an empty flow collection: related: []
        return [] if text == "[]" else {}
    first = text[0]
    if first == '"':
        body = text[1:-1]
        if len(text) < 2 or text[-1] != '"':
            raise _Fallback
        if "\\" in body:
            if not _ESCAPED.fullmatch(body):
                raise _Fallback
            return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], body)
        if '"' in body:
            raise _Fallback
        return body
    if first == "'":
        body = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in body:
            raise _Fallback
        return body
    return _plain(text)


@functools.lru_cache(maxsize=1024)
def _key(text: str) -> str:
    if not _KEY.match(text) or _resolve(text) != STR:
        raise _Fallback
    return text


#: One line of a block: its indent, a sequence dash with its spaces, a ``key:``, and
#: the rest with trailing spaces cut. Blank lines and comment lines do not match.
_LINE = re.compile(
    r"^( *)(?=[^ #\n])(- +)?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +|$))?((?:.*[^ \n])?) *$", re.M
)
#: The timestamp form nearly every date has; PyYAML gives it as an aware UTC datetime.
_UTC_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")

Line = tuple[int, str, str | None, str]


def fast_load(block: str) -> Any:
    """The objects PyYAML would load from ``block``, or ``None`` to ask PyYAML."""
    if _DEFER.search(block) or (
        ("---" in block or "..." in block) and _DOCUMENT_MARK.search(block)
    ):
        return None
    lines: list[Line] = [
        (len(indent), dash, key or None, rest) for indent, dash, key, rest in _LINE.findall(block)
    ]
    if not lines:
        return None
    try:
        value, end = _block(lines, 0, lines[0][0], 0)
    except (_Fallback, IndexError):
        return None
    return value if end == len(lines) else None


def _block(lines: list[Line], i: int, indent: int, depth: int) -> tuple[Any, int]:
    """The collection starting at line ``i`` (at column ``indent``)."""
    if depth >= MAX_DEPTH:
        raise _Fallback
    if lines[i][1]:
        return _sequence(lines, i, indent, depth)
    return _mapping(lines, i, indent, depth)


def _mapping(lines: list[Line], i: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    n = len(lines)
    while i < n:
        col, dash, key, rest = lines[i]
        if col < indent:
            break
        if col > indent or dash or key is None:
            raise _Fallback
        key = _key(key)
        if key in out:
            raise _Fallback  # duplicate: PyYAML reports it with its line
        i += 1
        if rest:
            if rest[0] == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                out[key] = rest[1:-1]  # the common case of _scalar, inline
            else:
                out[key] = _scalar(rest)
            if i < n and lines[i][0] > indent:
                raise _Fallback  # a continuation line or a nested block after a scalar
        elif i < n and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1])):
            out[key], i = _block(lines, i, lines[i][0], depth + 1)
        else:
            out[key] = None
    return out, i


def _sequence(lines: list[Line], i: int, indent: int, depth: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    n = len(lines)
    while i < n:
        col, dash, key, rest = lines[i]
        if col < indent or (col == indent and not dash):
            break
        if col > indent:
            raise _Fallback
        if key is not None:
            # "- key: value": a mapping whose first line shares the dash's line
            inner = col + len(dash)
            lines[i] = (inner, "", key, rest)
            value, i = _mapping(lines, i, inner, depth + 1)
            out.append(value)
        else:
            out.append(_scalar(rest))
            i += 1
            if i < n and lines[i][0] > indent:
                raise _Fallback
    return out, i
