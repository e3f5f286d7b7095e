"""A fast path for the plain front matter nearly every article file has.

Front matter is block mappings and sequences of ``key: value`` lines with
double-quoted, single-quoted or plain scalars, as people and ``yaml.dump`` write
them: escapes (``\\xE9``, ``\\u2019``), scalars wrapped over lines (where the block
has no blank or comment line), flow lists and flow mappings of scalars, on one line
or wrapped (``[a, "b"]``, ``{url: 'https://x/a.png', width: 50}``, as
``yaml.dump(default_flow_style=None)`` writes them), block scalars of the plainest
kind (``excerpt: >-`` then lines indented alike, see :func:`_block_scalars`). For
such a block, :func:`fast_load` builds the same Python objects as PyYAML's loader (it uses PyYAML's
own resolver rules and scalar constructors) about ten times faster, because it does
not build the event and node objects. For anything else it returns ``None`` and
PyYAML, the parser of record, decides: nested flow collections, other block scalars,
anchors, aliases, tags, merge keys, comments after values, duplicate keys,
impossible dates, tabs, nesting deeper than :data:`MAX_DEPTH`.
``tests/test_fastpath.py`` checks that both paths give identical mappings on the
benchmark corpus, the sample content, the seeds, the hostile fixtures and
generated YAML (yaml.dump's output in its styles among it).
"""

from __future__ import annotations

import functools
import operator
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
#: line scan knows no other). A line that starts or ends a YAML document (``---``,
#: ``...``) needs no look of its own: it has neither a key nor a sequence dash, and
#: the walk refuses every such line.
_DEFER = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


#: The escapes of double-quoted scalars (libyaml's), and hexadecimal ones (``\\xE9``,
#: ``\\u2019``, ``\\U0001F680``, as ``yaml.dump`` writes non-ASCII text by default).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "/": "/", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_ESCAPE_BODY = r'x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abtnvfre "/\\N_LP]'
_ESCAPED = re.compile(rf'(?:[^"\\]|\\(?:{_ESCAPE_BODY}))*')
_ESCAPE = re.compile(rf"\\({_ESCAPE_BODY})")


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if len(code) == 1:
        return _ESCAPES[code]
    point = int(code[1:], 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _Fallback  # libyaml refuses them
    return chr(point)


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
    if "\t" in value:
        raise _Fallback
    # (",[]{}" inside a plain scalar are text in a block: only flow collections,
    # which the walk leaves to PyYAML, end a scalar at them)
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
    if first == "[" and text[-1] == "]":
        return _flow(text)
    if first == "{" and text[-1] == "}":
        return _flow_mapping(text)
    if first == '"':
        body = text[1:-1]
        if len(text) < 2 or text[-1] != '"':
            raise _Fallback
        if "\\" in body:
            if not _ESCAPED.fullmatch(body):
                raise _Fallback
            return _ESCAPE.sub(_unescape, body)
        if '"' in body:
            raise _Fallback
        return body
    if first == "'":
        body = text[1:-1]
        if len(text) < 2 or text[-1] != "'":
            raise _Fallback
        if "'" in body:  # only as '' (one quote)
            if "'" in body.replace("''", ""):
                raise _Fallback
            return body.replace("''", "'")
        return body
    return _plain(text)


def _flow(text: str) -> list[Any]:
    """A flow sequence of scalars on one line (``topics: [AI, "Open Source", 2]``), as
    PyYAML reads it; anything more (nesting, pairs, comments, escapes, a quote inside
    an item, an empty item) is PyYAML's to judge."""
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    if any(c in inner for c in "[]{}#:\\"):
        raise _Fallback
    out: list[Any] = []
    for part in inner.split(","):
        item = part.strip(" ")
        if not item:
            raise _Fallback
        if item[0] in "\"'":
            if len(item) < 2 or item[-1] != item[0] or item[0] in item[1:-1]:
                raise _Fallback
            out.append(item[1:-1])
        elif '"' in item or "'" in item:
            raise _Fallback
        else:
            out.append(_plain(item))
    return out


#: One ``key: value`` of a flow mapping of scalars, and the comma after it: a plain
#: key, then a quoted value or a plain one with no flow indicator, ``:`` or ``#`` in it.
_PAIR = r""" *([A-Za-z_][A-Za-z0-9_-]*): +("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^ ,\[\]{}#:'"](?:[^,\[\]{}#:]*[^ ,\[\]{}#:])?) *"""
#: (A plain value neither starts nor ends with a space: each item then reads one way
#: only, and a line that fails to match fails at once, whatever its length.)
_FLOW_PAIR = re.compile(_PAIR + r"(?:,|\Z)")
#: A flow mapping's start that ends inside a double-quoted value, with a backslash
#: that escapes the line break after it.
_IN_DOUBLE_QUOTES = re.compile(
    r"\{(?:" + _PAIR + r",)*" + r""" *[A-Za-z_][A-Za-z0-9_-]*: +"(?:[^"\\]|\\.)*\\\Z"""
)


def _flow_mapping(text: str) -> dict[str, Any]:
    """A flow mapping of scalars (``{url: 'https://x/a.png', width: 50}``, as
    ``yaml.dump`` writes a mapping of scalars with ``default_flow_style=None``), as
    PyYAML reads it; anything more (nesting, quoted or odd keys, an empty value, a
    key twice, a comma at the end) is PyYAML's to judge."""
    inner = text[1:-1]
    if not inner.strip(" "):
        return {}
    out: dict[str, Any] = {}
    at, end = 0, len(inner)
    while at < end:
        m = _FLOW_PAIR.match(inner, at)
        if m is None or (m.end() == end and inner.endswith(",")):
            raise _Fallback
        key, value = m.group(1), m.group(2)
        if key not in _KEYS:
            _key(key)
        if key in out:
            raise _Fallback
        out[key] = _scalar(value)
        at = m.end()
    return out


#: Keys already found to be plain strings (``on``, ``null`` and ``1`` are not).
_KEYS: set[str] = set()


def _key(text: str) -> None:
    """Raise _Fallback unless PyYAML reads the key ``text`` as this very string."""
    if not _KEY.match(text) or _resolve(text) != STR:
        raise _Fallback
    if len(_KEYS) < 4096:
        _KEYS.add(text)


#: One line of a block: its indent, a sequence dash with its spaces, a ``key:``, and
#: the rest with trailing spaces cut. Blank lines and comment lines do not match.
_LINE = re.compile(
    r"^( *)(?=[^ #\n])(- +)?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +|$))?((?:.*[^ \n])?) *$", re.M
)
#: The timestamp forms nearly every date has (a space for the T is how ``yaml.dump``
#: writes one), in UTC or at an offset of whole minutes: PyYAML gives each as the aware
#: datetime fromisoformat gives (the same offset, as a ``timezone``).
_UTC_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})\Z"
)

#: A line as :data:`_LINE` finds it: indent, dash, key (``""`` when none), the rest. The
#: indent stays a string of spaces: two of them compare as their lengths do.
Line = tuple[str, str, str, str]


def fast_load(block: str, only: frozenset[str] | None = None) -> Any:
    """The objects PyYAML would load from ``block``, or ``None`` to ask PyYAML.

    With ``only``, a top-level key outside it whose value is a nested block gets
    :data:`UNBUILT` for a value: the block is checked as thoroughly as ever (it
    would make PyYAML fail, or need judging: then ``None``), but not built.
    """
    # every character _DEFER looks for is unprintable: one C scan clears nearly every block
    if not block.replace("\n", " ").isprintable() and _DEFER.search(block):
        return None
    if _may_have_block_scalars(block):
        try:
            block = _block_scalars(block)
        except _Fallback:
            return None
    if only is not None:
        try:
            return _top_level(block, only)
        except (_Fallback, IndexError):
            pass  # the whole walk below decides
    lines: list[Line] = _LINE.findall(block)
    if not lines:
        return None
    try:
        value, end = _block(lines, 0, lines[0][0], 0, _folds(block))
    except (_Fallback, IndexError):
        return None
    return value if end == len(lines) else None


#: A block scalar's header: ``key: |``, ``key: |-``, ``key: >`` or ``key: >-``, alone
#: on its line (no indentation indicator, no "+", no comment), and the lines under it.
_BLOCK_SCALAR = re.compile(
    r"^( *)([A-Za-z_][A-Za-z0-9_-]*): +([|>])(-?)\n((?:\1 +[^\n]*\n)*)", re.M
)
#: A header the pattern above does not take, or one in a form it leaves to PyYAML.
_BLOCK_HEADER = re.compile(r"[:-] +[|>][-+0-9]*(?: +#[^\n]*)? *$", re.M)
#: How every header :data:`_BLOCK_SCALAR` takes ends: found at C speed (the pattern
#: above, tried at each line start, is slower) and then matched from its line's start.
_HEADER_END = re.compile(r": +[|>]-?\n")


def _block_scalars(block: str) -> str:
    """``block`` with each block scalar of the plainest kind written as the
    double-quoted scalar PyYAML would read it as (``excerpt: >-`` then text lines);
    _Fallback for any other block scalar. The plainest kind: lines all indented alike
    and deeper than the key, none blank, none ending with a space. A literal one
    (``|``) keeps their line breaks, a folded one (``>``) makes each a space; both end
    with one line break, or with none (``-``)."""

    def quoted(m: re.Match[str]) -> str:
        indent, key, style, chomp, body = m.groups()
        lines = body.split("\n")[:-1]
        if not lines:
            raise _Fallback
        depth = len(lines[0]) - len(lines[0].lstrip(" "))
        for line in lines:
            if (
                line[:depth] != " " * depth
                or line[depth : depth + 1] in ("", " ")
                or line[-1] == " "
            ):
                raise _Fallback  # indented otherwise, blank, or spaces at its end
        # empty lines after it are dropped, with "-" or without; but a line of spaces
        # (its spaces may be text), or a line indented deeper, after them is more of it
        after = block[m.end() :].lstrip("\n").split("\n", 1)[0]
        if after and (not after.strip(" ") or after.startswith(indent + " ")):
            raise _Fallback
        text = ("\n" if style == "|" else " ").join(line[depth:] for line in lines)
        text += "" if chomp else "\n"
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{indent}{key}: "{escaped}"\n'

    # _BLOCK_SCALAR.sub(quoted, block), matched only where a header ends a line
    parts: list[str] = []
    at = 0  # where the text not yet taken begins (after the last block scalar)
    for end in _HEADER_END.finditer(block):
        line = block.rfind("\n", 0, end.start()) + 1
        if line < at:
            continue  # inside the lines of the block scalar before
        m = _BLOCK_SCALAR.match(block, line)
        if m is not None:
            parts += (block[at:line], quoted(m))
            at = m.end()
    rewritten = "".join(parts) + block[at:] if parts else block
    if _may_have_block_scalars(rewritten) and _BLOCK_HEADER.search(rewritten):
        raise _Fallback  # a block scalar of another kind (or under a dash)
    return rewritten


def _may_have_block_scalars(block: str) -> bool:
    """Whether ``block`` may hold a block scalar's header (after a key or a dash, one
    space); one with more spaces before its ``|`` or ``>`` is not rewritten, and the
    walk leaves it to PyYAML."""
    # (two scans that nearly always fail, for the four of every block)
    return (" |" in block or " >" in block) and (
        ": |" in block or ": >" in block or "- |" in block or "- >" in block
    )


#: A blank line or a comment line (neither is among the lines the walk sees).
_SPACE_AT_END = re.compile(r"\\ +\n")
_UNSEEN = re.compile(r"^ *(?:#[^\n]*)?\n", re.M)


def _folds(block: str) -> bool:
    """Whether a plain scalar of ``block`` may go on over the lines under it (as
    ``yaml.dump`` wraps long texts): only where every line is one the walk sees, so
    that its continuation lines are exactly the lines that follow it (a blank line
    would fold to a line break, a comment line end the scalar)."""
    if "\n\n" in block or block[:1] == "\n":
        return False
    if "\\" in block and _SPACE_AT_END.search(block):
        # a backslash, then spaces at a line's end (an escaped space): the walk sees
        # the line without them, and would take the backslash for an escaped break
        return False
    if "#" not in block and " \n" not in block:  # no comment, no line of spaces
        return True
    return _UNSEEN.search(block) is None


def _continued(lines: list[Line], i: int, indent: str, first: str) -> tuple[str, int]:
    """A scalar whose first line is ``first`` and its continuation lines from line ``i``
    on (those indented deeper than ``indent``), on one line, folded as PyYAML folds
    them: one space a line break; in a double-quoted one, none after a line that ends
    with an escaping backslash (``yaml.dump`` wraps so, then escapes the space: ``\\ ``)."""
    if first[0] in "[{":
        return _flow_lines(lines, i, indent, first)
    out = first
    n = len(lines)
    while i < n and lines[i][0] > indent:
        _, dash, key, rest = lines[i]
        if dash or key or not rest or rest[0] in _INDICATORS or rest[:3] in ("---", "..."):
            raise _Fallback  # a nested block, or a line PyYAML must judge
        if first[0] == '"' and (len(out) - len(out.rstrip("\\"))) % 2:
            out = out[:-1] + rest  # an escaped line break
        else:
            out = f"{out} {rest}"
        i += 1
    return out, i


def _flow_lines(lines: list[Line], i: int, indent: str, first: str) -> tuple[str, int]:
    """A flow collection whose first line is ``first``, wrapped over the lines from
    line ``i`` on (as ``yaml.dump`` wraps one at a comma), on one line: a line break
    between its items, or in a plain or single-quoted text, is one space to PyYAML. A
    line ending with a backslash (an escaped line break in double quotes) is PyYAML's."""
    out = first
    n = len(lines)
    while i < n and lines[i][0] > indent:
        _, dash, key, rest = lines[i]
        if dash:
            raise _Fallback
        if out.endswith("\\"):  # an escaped line break, if inside double quotes
            if key or not _IN_DOUBLE_QUOTES.match(out):
                raise _Fallback
            out = out[:-1] + rest
        elif key:  # written back as "key: rest": exact only where an item begins (the
            # spaces after the colon are gone, and inside quotes they count)
            if not rest or not _between_items(out):
                raise _Fallback
            out = f"{out} {key}: {rest}"
        else:
            out = f"{out} {rest}"
        i += 1
    if out.endswith("\\"):
        raise _Fallback
    return out, i


def _between_items(text: str) -> bool:
    """Whether ``text`` is the start of a flow mapping up to the comma after an item."""
    if text[:1] != "{" or not text.endswith(","):
        return False
    at, end = 1, len(text)
    while at < end:
        m = _FLOW_PAIR.match(text, at)
        if m is None:
            return False
        at = m.end()
    return True


def _block(lines: list[Line], i: int, indent: str, depth: int, folds: bool) -> tuple[Any, int]:
    """The collection starting at line ``i`` (at column ``len(indent)``); ``folds``: see
    :func:`_folds`."""
    if depth >= MAX_DEPTH:
        raise _Fallback
    if lines[i][1]:
        return _sequence(lines, i, indent, depth, folds)
    return _mapping(lines, i, indent, depth, folds)


def _mapping(lines: list[Line], i: int, indent: str, depth: int,
             folds: bool) -> tuple[dict[str, Any], int]:  # fmt: skip
    out: dict[str, Any] = {}
    n = len(lines)
    keys = _KEYS
    while i < n:
        col, dash, key, rest = lines[i]
        if col < indent:
            break
        if col > indent or dash or not key:
            raise _Fallback
        if key not in keys:
            _key(key)
        if key in out:
            raise _Fallback  # duplicate: PyYAML reports it with its line
        i += 1
        if rest:
            if rest[0] == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                out[key] = rest[1:-1]  # the common case of _scalar, inline
            elif i < n and lines[i][0] > indent:  # a continuation line, or a nested block
                if not folds:
                    raise _Fallback
                text, i = _continued(lines, i, indent, rest)
                out[key] = _scalar(text)
            else:
                out[key] = _scalar(rest)
        elif i < n and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1])):
            out[key], i = _block(lines, i, lines[i][0], depth + 1, folds)
        else:
            out[key] = None
    return out, i


def _sequence(lines: list[Line], i: int, indent: str, depth: int,
              folds: bool) -> tuple[list[Any], int]:  # fmt: skip
    out: list[Any] = []
    n = len(lines)
    while i < n:
        col, dash, key, rest = lines[i]
        if col < indent or (col == indent and not dash):
            break
        if col > indent:
            raise _Fallback
        if key:
            # "- key: value": a mapping whose first line shares the dash's line
            inner = col + " " * len(dash)
            lines[i] = (inner, "", key, rest)
            value, i = _mapping(lines, i, inner, depth + 1, folds)
            out.append(value)
        else:
            i += 1
            if i < n and lines[i][0] > indent:  # a continuation line, or a nested block
                if not folds or not rest:
                    raise _Fallback
                rest, i = _continued(lines, i, indent, rest)
            out.append(_scalar(rest))
    return out, i


# ------------------------------------------------------------------ checked, not built
#
# What a build needs of every file is a few top-level fields; the nested blocks
# (images, related coverage, provider) matter only for the articles a feed shows.
# They must still be checked: a block the walk above would refuse makes the file
# PyYAML's to judge, and maybe a rejected one. The check is the walk itself, once
# per *shape* of block: the block with every value that makes a valid scalar
# replaced by a NUL (which no block that reaches here holds), after a quote for a
# quoted one (which may not go on over the lines under it, as a plain one may); the
# lines that go on with such a plain text, right under it and indented alike, as one
# line (under anything else, a line of text is kept as it is: under an open quote,
# whether it closes the quote decides); a double-quoted text wrapped over lines
# (``yaml.dump`` wraps one so, escaping each line break) as two lines, its first and
# one for all the others, indented as they are. Two blocks of the same shape differ
# only in such values, at the place a scalar goes, and in how many lines a text is
# wrapped over, so the walk accepts both or neither. A sequence (related
# coverage, images) is also known item by item, as the walk takes each item on its
# own: a corpus's related coverage comes in a few dozen shapes of item, where whole
# blocks of wrapped texts (as ``yaml.dump`` writes them) came in thousands.

#: The value of a top-level key that holds a nested block that was checked, not built.
UNBUILT: Any = type("Unbuilt", (), {"__repr__": lambda self: "UNBUILT", "__slots__": ()})()

#: A top-level line (a key at column 0, then its value, maybe none) and the lines
#: under it: indented, sequence dashes, comments, blank lines. Matches that cover the
#: whole block are the whole block.
_SEGMENT = re.compile(
    r"(([A-Za-z_][A-Za-z0-9_-]*):(?: +|(?=\n|\Z))((?:[^\n]*[^ \n])?) *(?:\n|\Z)"
    r"((?:(?:[ #-][^\n]*)?\n)*(?:[ #-][^\n]*)?))"
)
#: A value that makes a valid scalar whatever it holds, right after ``key: `` at the
#: end of its line, masked in a block's shape (one mask for each kind of scalar, as a
#: quoted one may not go on over the lines under it, as a plain one may): a
#: double-quoted text without quotes, its escapes all ones that libyaml takes and that
#: make a character (no surrogate: see :func:`_unescape`);
_DOUBLE_BODY = (
    r'[^"\\\n]*(?:\\(?:[0abtnvfre "/\\N_LP]|x[0-9A-Fa-f]{2}'
    r"|u(?![Dd][89A-Fa-f])[0-9A-Fa-f]{4}"
    r'|U(?:0000(?![Dd][89A-Fa-f])|000[1-9A-Fa-f]|0010)[0-9A-Fa-f]{4})[^"\\\n]*)*'
)
_SAFE_DOUBLE = re.compile(rf': "{_DOUBLE_BODY}"$', re.M)
#: such a text wrapped over lines as ``yaml.dump`` wraps it, each line but the last
#: ending with a backslash that escapes its line break, the lines under the first
#: indented alike (deeper than its key: the shape keeps their indent) and starting with
#: an escape, a letter or a digit, not with a key (masked as two lines, however many
#: it had: the walk takes each line under the first alike);
_GOES_ON = r"(?![A-Za-z_][A-Za-z0-9_-]*: )(?=\\|[^\W_])"
_SAFE_DOUBLE_WRAPPED = re.compile(
    rf': "{_DOUBLE_BODY}\\\n( +){_GOES_ON}{_DOUBLE_BODY}'
    rf'(?:\\\n\1{_GOES_ON}{_DOUBLE_BODY})*"$',
    re.M,
)
_SAFE_SINGLE = re.compile(r": '[^'\n]*'$", re.M)
#: and a plain one: a small integer, true, false, a time that exists (its offset
#: less than a day, as Python's timezone takes it, or Z; a fraction of its second or
#: none), a text that starts with a letter and holds no ":" or "#", one that starts
#: with a digit and holds a space (so no number or date of PyYAML's) and no ":" or "#",
#: an http(s) URL (no space, so no ": " nor " #"). Always a scalar, never one the walk
#: refuses, alone or with lines of text under it. Anywhere else in a line the walk
#: refuses it.
_SAFE_PLAIN = re.compile(
    r": (?:[1-9][0-9]{0,8}|0|true|false"
    r"|(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?"  # (" ": yaml.dump's)
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
    r"|[^\W\d_][^:#\n]*|[0-9][^ :#\n]* +[^ :#\n][^:#\n]*|https?://\S*[^\s:])$",
    re.M,
)
#: Where a flow collection starts (or a text that looks so): after a key or a dash.
_FLOW_START = re.compile(r"[:-] +[\[{]")


def _has_flow(text: str) -> bool:
    """Whether ``text`` may hold a flow collection (a C scan first: this is asked of
    every nested block of every file)."""
    return ("{" in text or "[" in text) and _FLOW_START.search(text) is not None


#: The lines that go on with a masked plain text (one wrapped over lines), right under
#: it and indented alike: each a letter or a digit first, and no ":" or "#" (the text
#: they make holds a space, so it is text). Masked as one line, however many they are
#: (the walk takes each alike, as one more piece of the same text). A line of text
#: under anything else is kept as it is (under an open quote, whether it closes the
#: quote decides).
_WRAPPED_PLAIN = re.compile(r": \0\n( +)[^\W_][^:#\n]*(?:\n\1[^\W_][^:#\n]*)*$", re.M)
#: Where an item of a sequence begins, at the column of the block's first dash.
_ITEM = {n: re.compile(rf"^ {{{n}}}- ", re.M) for n in range(9)}
#: Shapes of blocks and of items the walk accepted (a corpus has a few hundred): at
#: most MAX_SHAPES of at most MAX_SHAPE characters (8 MB a process); a longer block is
#: always walked.
_SHAPES: set[str] = set()
MAX_SHAPES = 2048
MAX_SHAPE = 4096


def _nested(text: str, folds: bool) -> Any:
    """The value of the block ``text`` under a ``key:`` line at column 0, as the walk
    of the whole mapping makes it (``None`` when it holds no line); ``folds`` is the
    whole mapping's (see :func:`_folds`)."""
    lines: list[Line] = _LINE.findall(text)
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0][0], 1, folds)
    if end != len(lines):
        raise _Fallback
    return value


_WHOLE = operator.itemgetter(0)  # a segment's whole text


def _top_level(block: str, only: frozenset[str]) -> dict[str, Any]:
    segments = _SEGMENT.findall(block)
    if not segments or sum(map(len, map(_WHOLE, segments))) != len(block):
        raise _Fallback  # a line the segments do not take: the whole walk decides
    out: dict[str, Any] = {}
    folds = _folds(block)
    for _, key, rest, under in segments:
        if key not in _KEYS:
            _key(key)
        if key in out:
            raise _Fallback
        if not under or under.isspace():
            if not rest:
                out[key] = None
            elif rest[0] == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                out[key] = rest[1:-1]
            else:
                out[key] = _scalar(rest)
        elif rest:  # a value, then lines under it: a wrapped plain scalar, or else
            if not folds:
                raise _Fallback
            lines = _LINE.findall(under)
            text, end = _continued(lines, 0, "", rest)
            if end != len(lines):
                raise _Fallback
            out[key] = _scalar(text)
        elif key in only or len(under) > MAX_SHAPE or _has_flow(under):
            # (a flow collection's values are not masked in a shape: ",", "]" and "}"
            # would be text to the masks, and end a value to the walk)
            out[key] = _nested(under, folds)
        else:
            shape = _shape(under, folds)
            if shape not in _SHAPES:
                _check_items(under, shape, folds)
                if len(_SHAPES) < MAX_SHAPES:
                    _SHAPES.add(shape)
            out[key] = UNBUILT
    return out


def _shape(text: str, folds: bool) -> str:
    """A nested block with every value of :data:`_SAFE_DOUBLE` (and
    :data:`_SAFE_DOUBLE_WRAPPED`), :data:`_SAFE_SINGLE` and :data:`_SAFE_PLAIN` masked
    (one mask each kind); where the block may fold, the lines that go on with a masked
    plain text too (see :data:`_WRAPPED_PLAIN`); else marked as not folding (the shapes
    of blocks that may fold and of others kept apart: no block that folds begins with a
    line break)."""
    if '"' in text:
        if "\\\n" in text:
            text = _SAFE_DOUBLE_WRAPPED.sub(': "\0\\\\\n\\1\0"', text)
        text = _SAFE_DOUBLE.sub(': "\0', text)
    if "'" in text:
        text = _SAFE_SINGLE.sub(": '\0", text)
    shape = _SAFE_PLAIN.sub(": \0", text)
    if not folds:
        return "\n" + shape
    return _WRAPPED_PLAIN.sub(": \0\n\\1\0", shape) if "\0\n " in shape else shape


def _check_items(block: str, shape: str, folds: bool) -> None:
    """Walk a nested block whose shape is not known (_Fallback where the walk refuses
    it), item by item when it is a sequence: an item of a known shape is not walked
    again, and each new one is kept. (Masks leave every line that begins an item as it
    is: the shape is cut into items where the block is.)"""
    pieces = _items(block)
    shapes = _items(shape if folds else shape[1:])  # (without the mark of not folding)
    if len(pieces) < 2 or len(pieces) != len(shapes):  # (the same, as the masks are made)
        _nested(block, folds)
        return
    for piece, item in zip(pieces, shapes, strict=True):
        item = item if folds else "\n" + item
        if item not in _SHAPES:
            _nested(piece, folds)
            if len(_SHAPES) < MAX_SHAPES:
                _SHAPES.add(item)


def _items(text: str) -> list[str]:
    """A nested block that is a sequence, as its items (each a block the walk takes or
    refuses on its own, as it does within the sequence: so each is known by its own
    shape, and the related coverage of a file by the few shapes of one item); any
    other block whole. An item runs to the next line with a dash at the first one's
    column: a line less indented stays in the item before it, which the walk then
    refuses, as it refuses the whole sequence."""
    column = len(text) - len(text.lstrip(" "))
    if text[column : column + 2] != "- " or column not in _ITEM:
        return [text]
    starts = [m.start() for m in _ITEM[column].finditer(text)]
    if len(starts) < 2:
        return [text]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
