"""A fast path for the plain front matter nearly every article file has.

Front matter is block mappings and sequences of ``key: value`` lines (a key plain or
in quotes: ``"title": …``) with double-quoted, single-quoted or plain scalars, as
people and ``yaml.dump`` write them: escapes (``\\xE9``, ``\\u2019``), scalars wrapped
over lines (where the block has no blank or comment line), flow collections of
scalars, on one line or wrapped (``[a, "b"]``, ``{url: 'https://x/a.png', width: 50}``,
as ``yaml.dump(default_flow_style=None)`` writes them), and holding others a few levels
deep on one line (as PHP's Symfony YAML writes them, see :func:`_flow`), flow
collections written as JSON on one line (``images: [{"url": "https://x/a.png",
"width": 50}]``, see :func:`_json`), the whole block one JSON object (see
:func:`_json_document`), block scalars of the plainest kind (``excerpt: >-`` then lines
indented alike, empty lines among them, also after a sequence's dash: see
:func:`_block_scalars`), comments after values (see :func:`_comments_cut`), and the
anchors and aliases ``yaml.safe_dump`` writes for an object the data holds twice
(``provider: &id001`` then ``provider: *id001``: see :class:`_Names`). For such a
block, :func:`fast_load` builds the same Python objects as PyYAML's loader (it uses
PyYAML's own resolver rules and scalar constructors) several times faster, because it
does not build the event and node objects. For anything else it returns ``None`` and
PyYAML, the parser of record, decides: other flow collections, other block scalars,
anchors and aliases past the bounds of ``articles._guard``, tags, merge keys, other
keys, a comment that cannot be told from text, duplicate keys, impossible dates, tabs,
nesting deeper than :data:`MAX_DEPTH`.
``tests/test_fastpath.py`` checks that both paths give identical mappings on the
benchmark corpus, the sample content, the seeds, the hostile fixtures and
generated YAML (yaml.dump's output in its styles among it).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import yaml

MAX_DEPTH = 20
#: The most values YAML aliases may repeat in one front matter: far more than an
#: article's shared providers and images need (``yaml.safe_dump`` writes an object that
#: the data holds twice as an anchor, ``&id001``, and aliases, ``*id001``), far fewer
#: than an alias bomb's billion.
MAX_REPEATED = 10_000
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
#: (Written as the characters it finds, not as the complement of those it lets by:
#: the same set, compiled ten times faster at every start.)
_DEFER = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
#: Those of them in ASCII, as bytes.
_DEFER_ASCII = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F])


#: The characters of :data:`_DEFER` from U+0080 to U+009F, in UTF-8.
_DEFER_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _defers(block: str, source: bytes | None = None) -> bool:
    """Whether ``block`` holds a character of :data:`_DEFER`. Each is unprintable, so
    one C scan clears nearly every block; an ASCII one (``isascii`` is known at once)
    by deleting its control characters from its bytes, in a third of the time. Another,
    given ``source``, the UTF-8 bytes it was decoded from (a file's; not much longer than
    it), in a fifth of the time: those below U+00A0 looked for in the bytes (a control
    byte, or the two bytes of a C1 character), the five from U+2028 on in ``block``, one
    by one at memchr's speed (no surrogate is ever decoded from UTF-8). Where the bytes
    hold one (a ``\\r``, a tab in the text below), the block itself is looked at."""
    if block.isascii():
        return len(block.encode().translate(None, _DEFER_ASCII)) != len(block)
    if (
        source is not None
        and len(source) <= 4 * len(block)
        and len(source.translate(None, _DEFER_ASCII)) == len(source)
        and (b"\xc2" not in source or _DEFER_C1.search(source) is None)
    ):
        return (
            "\u2028" in block or "\u2029" in block
            or "\ufeff" in block or "\ufffe" in block or "\uffff" in block
        )  # fmt: skip
    return not block.replace("\n", " ").isprintable() and _DEFER.search(block) is not None


#: The escapes of double-quoted scalars (libyaml's), and hexadecimal ones (``\\xE9``,
#: ``\\u2019``, ``\\U0001F680``, as ``yaml.dump`` writes non-ASCII text by default).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "/": "/", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
#: The escapes of one character after the backslash, as a character class.
_ONE_CHAR_ESCAPE = "[" + "".join(map(re.escape, _ESCAPES)) + "]"
_ESCAPE_BODY = rf"x[0-9A-Fa-f]{{2}}|u[0-9A-Fa-f]{{4}}|U[0-9A-Fa-f]{{8}}|{_ONE_CHAR_ESCAPE}"
_ESCAPE = re.compile(rf"\\({_ESCAPE_BODY})")


class _Characters(dict[str, str]):
    """Each escape found (``xE9``, ``n``) -> the character it makes: the one-character
    escapes from the start, each hexadecimal one worked out when first met. A text's
    escapes are then looked up in C (see :func:`_unescaped`)."""

    def __missing__(self, code: str) -> str:
        point = int(code[1:], 16)
        if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
            raise _Fallback  # libyaml refuses them (a pair of surrogates: see _paired)
        if len(self) < 65536:
            self[code] = chr(point)
        return chr(point)


_CHARACTERS = _Characters(_ESCAPES)


def _unescaped(body: str) -> str:
    """A double-quoted text (between its quotes) with its escapes made characters;
    _Fallback when it holds a backslash that begins no escape of :data:`_ESCAPE`, or a
    quote not escaped."""
    parts = _ESCAPE.split(body)  # text, escape, text, ..., text: left to right, as
    # libyaml reads them (an escaped backslash is taken before what follows it)
    between = "".join(parts[::2])
    if "\\" in between or '"' in between:
        raise _Fallback
    try:
        parts[1::2] = map(_CHARACTERS.__getitem__, parts[1::2])  # (all or nothing)
    except _Fallback:
        _paired(parts)
    return "".join(parts)


def surrogate_pair(high: int, low: int) -> str:
    """The character a UTF-16 surrogate pair stands for (``high`` 0xD800 to 0xDBFF,
    ``low`` 0xDC00 to 0xDFFF)."""
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _paired(parts: list[str]) -> None:
    """The escapes of ``parts`` (text, escape, text, ..., as :func:`_unescaped` split
    them) made characters, where each escaped surrogate is half of a pair, the high
    one's escape right before the low one's (``\\ud83d\\ude80``, as ``json.dumps``
    writes a character past U+FFFF): that pair is the one character, as the parser of
    record reads it (``articles._pyyaml``); _Fallback for any other surrogate."""
    for j in range(1, len(parts), 2):
        code = parts[j]
        if not code:
            continue  # (a low surrogate's, taken with the high one before it)
        if code[:2] in ("ud", "uD") and code[2] in "89abAB":
            low = parts[j + 2] if j + 2 < len(parts) and not parts[j + 1] else ""
            if low[:2] not in ("ud", "uD") or low[2] not in "cdefCDEF":
                raise _Fallback
            parts[j] = surrogate_pair(int(code[1:], 16), int(low[1:], 16))
            parts[j + 2] = ""  # (the low one's escape now no escape)
        else:
            parts[j] = _CHARACTERS[code]


#: Comment lines and blank lines before the first key (a generator's "# generated by"
#: header, say): outside every scalar, so nothing to PyYAML, and left out before the
#: walk. (Elsewhere such a line keeps plain texts from going on over lines: see
#: :func:`_folds`.)
_LEADING = re.compile(r"(?: *(?:#[^\n]*)?\n)*")
_BEFORE_THE_FIRST_KEY = frozenset("# \n")


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
    if _ISO_STAMP.match(value):  # what construct_yaml_timestamp gives, without its regex
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise _Fallback from None  # 2024-02-30: PyYAML reports it
    if _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Fallback from None
    tag = _resolve(value)
    if tag == STR:
        return value
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    except (ValueError, OverflowError, KeyError, yaml.YAMLError):
        raise _Fallback from None


def _scalar(text: str, json_ok: bool = True) -> Any:
    """A scalar written on one line, as PyYAML would construct it; or a flow
    collection, of scalars or (with ``json_ok``) JSON's."""
    if not text:
        return None
    if text in ("[]", "{}"):  # an empty flow collection: related: []
        return [] if text == "[]" else {}
    first = text[0]
    if (first == "[" and text[-1] == "]") or (first == "{" and text[-1] == "}"):
        try:
            return _flow(text, JSON_DEPTH if json_ok else 1)
        except _Fallback:
            if not json_ok or '"' not in text:
                raise
        return _json(text)
    if first == '"':
        body = text[1:-1]
        if len(text) < 2 or text[-1] != '"':
            raise _Fallback
        if "\\" in body:
            return _unescaped(body)
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
    if first == "!":
        return _tagged(text)
    return _plain(text)


#: A scalar with one of YAML's own tags, quoted, as ``yaml.safe_dump(default_style='"')``
#: writes every value that is not a text (``!!int "50"``, ``!!timestamp "2024-01-20
#: 11:36:37+00:00"``): the tag's name, then the text in double quotes (no escape) or
#: single ones (no quote inside).
_TAGGED = re.compile(r"""!!(str|int|float|bool|null|timestamp) +(?:"([^"\\]*)"|'([^']*)')\Z""")


@functools.lru_cache(maxsize=8192)  # (as _plain: widths, true, null repeat; all immutable)
def _tagged(text: str) -> Any:
    """A tagged scalar (:data:`_TAGGED`) as PyYAML constructs it: a ``!!str`` one is its
    text; another the value of its text as a plain scalar, when PyYAML would resolve that
    plain scalar to the same tag (``!!int "5"`` is 5, as ``5`` is); else _Fallback
    (``!!float "5"``, ``!!timestamp "next tuesday"``: PyYAML's to construct, or refuse)."""
    m = _TAGGED.match(text)
    if m is None:
        raise _Fallback
    kind, value = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
    if kind == "str":
        return value
    if _resolve(value) != f"tag:yaml.org,2002:{kind}":
        raise _Fallback
    return _plain(value) if value else None  # ("" is null)


#: How deep a flow collection, JSON's or not, may nest (a list of mappings that hold
#: lists of mappings: a related item's images), and how long a JSON key may be (PyYAML takes a key of at
#: most 1,024 characters as written; an escape is at most six).
JSON_DEPTH = 4
_JSON_KEY = 128
#: An escaped UTF-16 surrogate (half of a character past U+FFFF, as ``json.dumps``
#: escapes one): libyaml refuses it, and the parser of record takes a pair of them.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_float(text: str) -> float:
    """A JSON number with a fraction, as PyYAML reads it: the same float, unless it has
    an exponent (``1e5``, ``1.5e10``: a text or another number to PyYAML's resolver)."""
    if "e" in text or "E" in text:
        raise _Fallback
    return float(text)


def _json_constant(text: str) -> Any:
    raise _Fallback  # NaN, Infinity: no JSON, and plain texts to PyYAML


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs) or any(len(k) > _JSON_KEY for k in out):
        raise _Fallback  # a key twice (PyYAML reports it), or one PyYAML may not take
    return out


_JSON_DECODER = json.JSONDecoder(
    parse_float=_json_float, parse_constant=_json_constant, object_pairs_hook=_json_pairs
)


def _json(text: str, depth: int = JSON_DEPTH) -> Any:
    """A flow collection written as JSON on one line (``images: [{"url": "https://x/a.png",
    "width": 50}]``, as a generator that calls ``json.dumps`` for a value writes it), as
    PyYAML reads it: JSON is YAML's flow style with double-quoted texts, whose escapes
    PyYAML reads alike (an escaped surrogate pair, too, as the parser of record reads
    it), but for the few cases left to it here: an escaped surrogate that is half of no
    pair, a number with an exponent, a key twice, nesting deeper than ``depth``
    (:data:`JSON_DEPTH`; far deeper, JSON's own parser gives up: PyYAML's guard then
    says where)."""
    try:
        value = _JSON_DECODER.decode(text)
    except (ValueError, RecursionError):
        raise _Fallback from None
    if _deeper_than(value, depth):
        raise _Fallback
    if "\\" in text and _SURROGATE.search(text):
        try:  # JSON joins the pairs; a surrogate left alone is no UTF-8
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _Fallback from None
    return value


#: A line break between a key and its ``:``, which JSON lets by and YAML does not (a
#: key in a flow mapping is on one line).
_KEY_BROKEN = re.compile(r'"[ \n]*\n[ \n]*:')


def _json_document(block: str) -> Any:
    """Front matter written as one JSON object (``json.dumps(front_matter, indent=2)``
    between the ``---`` lines, as a generator may write it: JSON is YAML's flow style),
    as PyYAML reads it (see :func:`_json`): a mapping; else _Fallback. Its line breaks
    fall between tokens, where YAML's flow style takes them too, but for one between a
    key and its colon."""
    if _KEY_BROKEN.search(block):
        raise _Fallback
    value = _json(block, MAX_DEPTH - 1)
    if not isinstance(value, dict):
        raise _Fallback
    return value


def _deeper_than(value: Any, depth: int) -> bool:
    """Whether ``value`` nests collections more than ``depth`` levels deep: a level at a
    time, never by recursion (JSON's parser takes values a few hundred levels deep,
    where a recursive walk would exhaust Python's stack)."""
    level = [value]
    for _ in range(depth):
        level = [v for c in level if isinstance(c, dict | list)
                 for v in (c.values() if isinstance(c, dict) else c)]  # fmt: skip
    return any(isinstance(c, dict | list) for c in level)


#: A scalar in a flow collection, and the spaces around it: a quoted text, or a plain
#: one with no flow indicator, ``:`` or ``#`` in it. (A plain one neither starts nor ends
#: with a space: each item then reads one way only, and a line that fails to match
#: fails at once, whatever its length.)
_SCALAR_IN_FLOW = (
    r""" *("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^ ,\[\]{}#:'"](?:[^,\[\]{}#:]*[^ ,\[\]{}#:])?) *"""
)
#: One ``key: value`` of a flow mapping of scalars (a plain key), and the comma after it.
_PAIR = r" *([A-Za-z_][A-Za-z0-9_-]*): +" + _SCALAR_IN_FLOW
_FLOW_PAIR = re.compile(_PAIR + r"(?:,|\Z)")
#: A flow mapping's start that ends inside a double-quoted value, with a backslash
#: that escapes the line break after it.
_IN_DOUBLE_QUOTES = re.compile(
    r"\{(?:" + _PAIR + r",)*" + r""" *[A-Za-z_][A-Za-z0-9_-]*: +"(?:[^"\\]|\\.)*\\\Z"""
)


def _flow(text: str, depth: int) -> Any:
    """A flow collection on one line (``topics: [AI, "Open Source", 2]``, ``{url:
    'https://x/a.png', width: 50}``, as ``yaml.dump`` writes a collection of scalars with
    ``default_flow_style=None``; ``[{ url: 'https://x/a.png', width: 50 }]``, as PHP's
    Symfony YAML writes what lies deeper than its ``inline`` level), at most ``depth``
    levels, as PyYAML reads it: each scalar a quoted text (escapes and ``''`` as in a
    block) or a plain one with no flow indicator, ``:`` or ``#`` in it, each key a plain
    one as a block's; anything more (quoted or odd keys, an empty item or value, a key
    twice, comments, a comma at the end) is PyYAML's to judge."""
    value, at = _flow_value(text, 0, 0, depth)
    if at != len(text):
        raise _Fallback
    return value


#: A key of a flow mapping, its colon and the spaces after it.
_FLOW_KEY = re.compile(r" *([A-Za-z_][A-Za-z0-9_-]*): +")
#: An item of a flow collection that is a scalar (see :data:`_SCALAR_IN_FLOW`), as a
#: sequence and as a mapping holds one, and what follows it: a comma, or a bracket
#: that closes a collection (one regular expression an item: as fast as they come).
_FLOW_ITEM = re.compile(_SCALAR_IN_FLOW + r"([,\]}])")
_FLOW_PAIR_ITEM = re.compile(_PAIR + r"([,\]}])")
_SPACES = re.compile(" *")


def _flow_value(text: str, at: int, depth: int, limit: int) -> tuple[Any, int]:
    """The collection at ``at`` (after spaces), where it ends; ``depth``: the
    collections it is in, at most ``limit``."""
    opening = text[at : at + 1]
    if opening == " ":
        at = _SPACES.match(text, at).end()  # type: ignore[union-attr]  # (" *" always matches)
        opening = text[at : at + 1]
    if depth >= limit or (opening != "[" and opening != "{"):
        raise _Fallback
    closing = "]" if opening == "[" else "}"
    out: Any = [] if opening == "[" else {}
    at += 1
    if text[at : at + 1] == " ":
        at = _SPACES.match(text, at).end()  # type: ignore[union-attr]
    if text[at : at + 1] == closing:
        return out, at + 1
    while True:  # an item, then the comma after it or the closing bracket
        if opening == "[":
            m = _FLOW_ITEM.match(text, at)
            if m is not None:
                out.append(_scalar(m.group(1), json_ok=False))
                after, at = m.group(2), m.end()
            else:  # (a collection, or what is PyYAML's)
                value, at = _flow_value(text, at, depth + 1, limit)
                out.append(value)
                at = _SPACES.match(text, at).end()  # type: ignore[union-attr]
                after, at = text[at : at + 1], at + 1
        else:
            m = _FLOW_PAIR_ITEM.match(text, at) or _FLOW_KEY.match(text, at)
            if m is None:
                raise _Fallback
            key = m.group(1)
            if key not in _KEYS:
                _key(key)
            if key in out:
                raise _Fallback
            if m.re is _FLOW_PAIR_ITEM:
                out[key] = _scalar(m.group(2), json_ok=False)
                after, at = m.group(3), m.end()
            else:  # (its value a collection, or what is PyYAML's)
                out[key], at = _flow_value(text, m.end(), depth + 1, limit)
                at = _SPACES.match(text, at).end()  # type: ignore[union-attr]
                after, at = text[at : at + 1], at + 1
        if after == closing:
            return out, at
        if after != ",":  # (the other bracket, or none)
            raise _Fallback
        # (a comma at the end, an empty item: the next item does not match, or a
        # collection does not begin there)


#: Keys as written -> the strings they are, for those already found to be strings: a
#: plain key is itself (``on``, ``null`` and ``1`` are not strings), a quoted one its text.
#: At most :data:`KEYS_KEPT` keys, each of :data:`KEY_KEPT` characters at most (a key of
#: 100 KB in each file of a build was kept, up to 4,096 of them).
_KEYS: dict[str, str] = {}
KEYS_KEPT, KEY_KEPT = 4096, 64


def _key(text: str) -> None:
    """Raise _Fallback unless PyYAML reads the key ``text`` as this very string."""
    if not _KEY.match(text) or _resolve(text) != STR:
        raise _Fallback
    if len(_KEYS) < KEYS_KEPT and len(text) <= KEY_KEPT:
        _KEYS[text] = text


def _name(key: str) -> str:
    """The string a key of a block's line (:data:`_LINE`) is: a quoted one is its text
    (no escape, no quote inside: the line pattern takes no other); a plain one is
    itself, when PyYAML reads it so (else _Fallback: ``on`` is True, ``null`` None)."""
    if key[0] == '"' or key[0] == "'":
        if len(_KEYS) < KEYS_KEPT and len(key) <= KEY_KEPT:
            _KEYS[key] = key[1:-1]
        return key[1:-1]
    _key(key)
    return key


#: Heads of mapping lines as written (a key, its colon and the spaces after it:
#: ``title: ``, ``name:``) -> the keys they begin with, for those already found to be
#: strings: at most :data:`KEYS_KEPT`, each of :data:`KEY_KEPT` characters at most.
_HEADS: dict[str, str] = {}


def _head_key(head: str) -> str:
    """The key a line of a mapping begins with, from the line's head (:data:`_LINE`);
    _Fallback for a head with no key, or with a sequence's dash (the line of an item,
    where the mapping wants a key)."""
    if not head or head[0] == "-":
        raise _Fallback
    key = _name(head.rstrip(" ")[:-1])  # (without its colon and the spaces after it)
    if len(_HEADS) < KEYS_KEPT and len(head) <= KEY_KEPT:
        _HEADS[head] = key
    return key


def _parts(head: str) -> tuple[str, str, str]:
    """A line's head (:data:`_LINE`) as its parts: the dash with its spaces, the key as
    written, the colon with its spaces (each ``""`` when missing)."""
    dash = ""
    if head[:1] == "-":
        after = head[1:].lstrip(" ")
        dash, head = head[: len(head) - len(after)], after
    if not head:
        return dash, "", ""
    colon = head.rindex(":")
    return dash, head[:colon], head[colon:]


#: A key as a line may begin with it: plain, or in double or single quotes (the same
#: characters, no escape; taken possessively, as none is a colon, so that the quoted
#: forms cost a line nothing).
_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*+"
_QUOTED_KEYS = rf""""{_IDENT}"|'{_IDENT}'"""
_KEY_AS_WRITTEN = rf"(?:{_IDENT}|{_QUOTED_KEYS})"
#: One line of a block: its indent; its head, that is a sequence dash with its spaces (or
#: alone), a key, the colon with the spaces after it (each maybe missing: ``- ``,
#: ``title: ``, ``- url: ``, ``""``); and the rest with trailing spaces cut. Blank lines and
#: comment lines do not match. A key may be in quotes, as a generator that quotes every
#: key writes it (``"title": "…"``): kept so here, quotes and all (see :func:`_name`).
#: (Three groups, not a group for each part: each is a string made for every line of
#: every file, a tenth of the scan's cost. The rest as ``(.*[^ \n]|)``, not
#: ``((?:.*[^ \n])?)``: the same match, a tenth faster.)
_LINE = re.compile(
    rf"^( *)(?=[^ #\n])((?:-(?: +|$))?(?:{_KEY_AS_WRITTEN}:(?: +|$))?)(.*[^ \n]|) *$", re.M
)
#: The timestamp forms nearly every date has (a space for the T is how ``yaml.dump``
#: writes one), with a fraction of a second or none, in UTC, at an offset of whole
#: minutes, or with none: PyYAML gives each as the datetime fromisoformat gives (the
#: same offset, as a ``timezone``, or naive; a fraction cut to microseconds alike).
_ISO_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
#: A date alone: PyYAML gives it as the date fromisoformat gives.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

#: A line as :data:`_LINE` finds it: indent, head (dash, key, colon: ``""`` when none),
#: the rest. The indent stays a string of spaces: two of them compare as their lengths do.
Line = tuple[str, str, str]


def fast_load(block: str, only: frozenset[str] | None = None, source: bytes | None = None) -> Any:
    """The objects PyYAML would load from ``block``, or ``None`` to ask PyYAML.

    With ``only``, a top-level key outside it whose value is a nested block gets
    :data:`UNBUILT` for a value: the block is checked as thoroughly as ever (it
    would make PyYAML fail, or need judging: then ``None``), but not built.
    ``source``: the UTF-8 bytes ``block`` was decoded from, when the caller has them
    (see :func:`_defers`).
    """
    if _defers(block, source):
        return None
    if block[:1] in _BEFORE_THE_FIRST_KEY:
        block = _LEADING.sub("", block, count=1)  # (it matches at the start, maybe nothing)
    if block.lstrip(" ")[:1] == "{":  # one JSON object, or a flow mapping: not a block
        try:
            return _json_document(block)
        except _Fallback:
            return None
    if _may_have_block_scalars(block):
        try:
            block = _block_scalars(block)
        except _Fallback:
            return None
    if "'" in block and ": '" in block:  # (a C scan for one character first)
        block = _single_quoted_joined(block)
    cut = False
    if "#" in block and " #" in block:  # (a scan for one character first: for two, C
        # is several times slower) maybe a comment after a value (a hand-edited file's);
        # where it cannot be told, the block stays as it is: the walk refuses a line it
        # cannot read
        with contextlib.suppress(_Fallback):
            block, cut = _comments_cut(block)
    # (a text cannot go on over the lines under a comment: after one, none may)
    folds = not cut and _folds(block)
    # (the shapes know no alias: a block that may hold one is walked whole at once)
    if only is not None and not ("*" in block and (": *" in block or "- *" in block)):
        try:
            return _top_level(block, only, folds)
        except (_Fallback, IndexError, ValueError):
            pass  # the whole walk below decides (an anchor, say)
    lines: list[Line] = _LINE.findall(block)
    if not lines:
        return None
    try:
        value, end = _block(lines, 0, lines[0][0], 0, folds, _Names())
    except (_Fallback, IndexError, ValueError):  # (ValueError: a number of more digits
        return None  # than Python converts; PyYAML's reading says where)
    return value if end == len(lines) else None


#: A block scalar's header: ``key: |``, ``key: |-``, ``key: >`` or ``key: >-``, alone
#: on its line but for spaces (no indentation indicator, no "+", no comment), after a
#: key that may follow a sequence's dash (``- title: >-``, as js-yaml writes a long
#: text in a list of mappings); and the lines under it: those indented deeper than the
#: key, and empty ones. Groups: indent, dash, key, style, chomping, the lines.
#: (Possessive: the same match, without a step kept to go back to at every line, which
#: cost 170 bytes of memory a byte of text.)
_BLOCK_SCALAR = re.compile(
    r"^( *)(- )?([A-Za-z_][A-Za-z0-9_-]*): +([|>])(-?) *\n((?:\1(?(2)  ) ++[^\n]*+\n|\n)*+)", re.M
)
#: A header the pattern above does not take, or one in a form it leaves to PyYAML.
_BLOCK_HEADER = re.compile(r"[:-] +[|>][-+0-9]*(?: +#[^\n]*)? *$", re.M)
#: How every header :data:`_BLOCK_SCALAR` takes ends: found at C speed (the pattern
#: above, tried at each line start, is slower) and then matched from its line's start.
_HEADER_END = re.compile(r": +[|>]-? *\n")


def _block_scalars(block: str) -> str:
    """``block`` with each block scalar of the plainest kind written as the
    double-quoted scalar PyYAML would read it as (``excerpt: >-`` then text lines);
    _Fallback for any other block scalar. The plainest kind: its first line not empty,
    every other one empty or indented as the first, deeper than the key (spaces at the
    end of a line are its text, as to PyYAML). A literal one (``|``) keeps its line
    breaks; a folded one (``>``) makes a line break between two lines a space, and each
    empty line between them a line break. Both end with one line break, or with none
    (``-``); the empty lines at their end are dropped.

    A header under a line that leaves a quoted text or a flow collection open is text
    of that value, or an error, not a header: such a block is PyYAML's."""
    looked = 0  # the lines before this are known to leave nothing open

    def quoted(m: re.Match[str]) -> str:
        nonlocal looked
        if _leaves_open(block, looked, m.start()):
            raise _Fallback
        looked = m.end()
        indent, dash, key, style, chomp, body = m.groups()
        lines = body.split("\n")[:-1]
        while lines and not lines[-1]:
            lines.pop()
        if not lines:
            raise _Fallback  # no text
        # (with empty lines first, the depth is 0, and every line below refuses it)
        depth = len(lines[0]) - len(lines[0].lstrip(" "))
        for line in lines:
            if line and (line[:depth] != " " * depth or line[depth : depth + 1] in ("", " ")):
                raise _Fallback  # indented otherwise, or only spaces
        # a line of spaces, or a line indented deeper than the key, after the empty
        # ones at its end is more of it (the pattern takes every other such line)
        parent = indent + ("  " if dash else "")
        # (its line only: the rest of the block, cut off at each block scalar, was a
        # copy of it each time: 80,000 of them took 13 s)
        end = block.find("\n", m.end())
        after = block[m.end() : end if end != -1 else len(block)]
        if after and (not after.strip(" ") or after.startswith(parent + " ")):
            raise _Fallback
        if style == "|" or "" not in lines:
            text = ("\n" if style == "|" else " ").join(line[depth:] for line in lines)
        else:  # folded, with empty lines: each is a line break, the break before it none
            text = lines[0][depth:]
            for before, line in itertools.pairwise(lines):
                if not line:
                    text += "\n"
                else:
                    text += (" " if before else "") + line[depth:]
        text += "" if chomp else "\n"
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{indent}{dash or ""}{key}: "{escaped}"\n'

    # _BLOCK_SCALAR.sub(quoted, block), matched only where a header ends a line
    rewritten = _sub_from_lines(_BLOCK_SCALAR, _HEADER_END, quoted, block)
    if _may_have_block_scalars(rewritten) and _BLOCK_HEADER.search(rewritten):
        raise _Fallback  # a block scalar of another kind (or under a dash)
    return rewritten


#: A line's value, after its indent, its dashes and its key (when it has one).
_VALUE_AFTER = re.compile(rf" *(?:-(?: +|$))*(?:{_KEY_AS_WRITTEN}:(?: +|$))?")
#: A quoted text that ends on its line, maybe before a comment.
_CLOSED_QUOTE = re.compile(r"""(?:"(?:[^"\\]|\\.)*+"|'(?:[^']|'')*+') *(?:#.*)?\Z""")


def _leaves_open(block: str, start: int, end: int) -> bool:
    """Whether a line of ``block[start:end]`` (whole lines) begins a value that goes on
    under it: a quoted text not closed on it, or a flow collection (one that holds a
    quote, or more brackets open than closed, is taken to)."""
    for line in block[start:end].split("\n"):
        value = line[_VALUE_AFTER.match(line).end() :]  # type: ignore[union-attr]
        first = value[:1]
        if first == '"' or first == "'":
            if _CLOSED_QUOTE.match(value) is None:
                return True
        elif first == "[" or first == "{":
            if "'" in value or '"' in value:
                return True
            if value.count("[") + value.count("{") != value.count("]") + value.count("}"):
                return True
    return False


def _sub_from_lines(
    pattern: re.Pattern[str],
    marks: re.Pattern[str],
    rewrite: Callable[[re.Match[str]], str],
    block: str,
) -> str:
    """``pattern.sub(rewrite, block)`` for a ``pattern`` that starts at a line's start,
    tried only from the lines where ``marks`` finds something (at C speed: trying the
    pattern at every line start is slower); a match runs on over the lines after it."""
    parts: list[str] = []
    at = 0  # where the text not yet taken begins (after the last match)
    for mark in marks.finditer(block):
        line = block.rfind("\n", 0, mark.start()) + 1
        if line < at:
            continue  # inside the match before
        m = pattern.match(block, line)
        if m is not None:
            parts += (block[at:line], rewrite(m))
            at = m.end()
    return "".join(parts) + block[at:] if parts else block


def _may_have_block_scalars(block: str) -> bool:
    """Whether ``block`` may hold a block scalar's header (after a key or a dash, one
    space); one with more spaces before its ``|`` or ``>`` is not rewritten, and the
    walk leaves it to PyYAML."""
    # (scans that nearly always fail, for the four of every block: first for the one
    # character, which C finds at once, where two take it a scan of their first)
    return (("|" in block and " |" in block) or (">" in block and " >" in block)) and (
        ": |" in block or ": >" in block or "- |" in block or "- >" in block
    )


#: A single-quoted text wrapped over lines (as ``yaml.safe_dump`` wraps one with
#: ``allow_unicode``) that starts a key's value: no quote in it but ``''`` and the
#: closing one at the end of its last line, no backslash (in an enclosing double-quoted
#: text one could escape a line break), the lines under the first indented alike, none
#: blank (a blank one is a line break to PyYAML). Groups: what comes before the key
#: (indent, dash), the key with its colon, the first line's text, the indent of the
#: others, and their lines.
_SINGLE_BODY = r"[^'\n\\]*+(?:''[^'\n\\]*+)*+"
_WRAPPED_SINGLE = re.compile(
    rf"^( *(?:- +)?)([A-Za-z_][A-Za-z0-9_-]*: +)'({_SINGLE_BODY})\n( ++)(?=[^ \n])"
    rf"({_SINGLE_BODY}(?:\n\4(?=[^ \n]){_SINGLE_BODY})*+)'$",
    re.M,
)


#: Spaces before a line break inside quotes (folding drops them).
_SPACES_AT_BREAK = re.compile(" +\n")
#: Where a single-quoted value may open (found at C speed; the pattern above, tried at
#: each line start, is slower) and then matched from its line's start.
_QUOTE_OPENS = re.compile(": +'")


def _single_quoted_joined(block: str) -> str:
    """``block`` with each text of :data:`_WRAPPED_SINGLE` on one line, as PyYAML folds
    it (a line break and the spaces around it make one space) where its lines are
    indented deeper than its key, as the walk takes them. Within quotes a line is text
    whatever it starts with (``#``, ``- ``, ``key:``); the walk, which sees lines, then
    meets none such."""

    def joined(m: re.Match[str]) -> str:
        lead, key, first, indent, lines = m.groups()
        if len(indent) <= len(lead):
            return m.group(0)  # not lines of the text, to the walk: it judges
        text = f"{first}\n{indent}{lines}"
        if " \n" in text:  # (the spaces before a line break go too)
            text = _SPACES_AT_BREAK.sub("\n", text)
        folded = text.replace("\n" + indent, " ")
        return f"{lead}{key}'{folded}'"

    # _WRAPPED_SINGLE.sub(joined, block), matched only from lines where a quote opens
    return _sub_from_lines(_WRAPPED_SINGLE, _QUOTE_OPENS, joined, block)


#: A blank line or a comment line (neither is among the lines the walk sees).
_SPACE_AT_END = re.compile(r"\\ +\n")
_UNSEEN = re.compile(r"^ *(?:#[^\n]*)?\n", re.M)
#: A comment line, the first or another (a scan for its line break first).
_COMMENT = re.compile(r" *#[^\n]*\n")
_COMMENT_AFTER = re.compile(r"\n *#[^\n]*\n")


#: A quoted text at the start of a value, closed on its line.
_QUOTED_TEXT = re.compile(r"""\"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'""")
#: A line whose value begins a quoted text or a flow collection that goes on under it
#: (it does not close the text, or ends with no bracket, but for a comment), after a key
#: as :data:`_LINE` takes one.
_OVER_LINES = re.compile(
    rf"^ *(?:- +)?(?:{_KEY_AS_WRITTEN}: +)?(?:[&!][^ \n]* +)?"
    r"""(?:"(?:[^"\\\n]++|\\.)*+\\?$|'(?:[^'\n]++|'')*+$|[\[{](?![^\n]*[\]}] *(?: #[^\n]*)?$))""",
    re.M,
)


def _comments_cut(block: str) -> tuple[str, bool]:
    """``block`` without the comments after its values (``type: article  # or video``),
    each line where it was, and whether there was one: a comment begins at a ``#`` after
    a space, outside a quoted text. A flow collection is cut at its first `` #``, as a
    plain text is: where that is inside one of its quoted texts, what is left is no flow
    collection, and the walk refuses it. Once one is cut, the walk takes no value that
    goes on over lines (see fast_load): so a line cut inside one (a quoted text, a flow
    collection) sends the block to PyYAML, whose first line the walk cannot read alone.
    _Fallback, to leave the block as it is, where a value goes on over lines anyway
    (:data:`_OVER_LINES`), after an anchor or a tag, a comment after a dash alone, or after
    a quoted text and more."""
    cuts: list[tuple[int, int, str]] = []
    at = block.find(" #")
    while at >= 0:  # (each line with one, found in C: a "#" in a quoted text is common)
        start = block.rfind("\n", 0, at) + 1
        end = block.find("\n", at)
        end = len(block) if end < 0 else end
        line = block[start:end]
        cut = _comment_cut(line)
        if cut != line:
            cuts.append((start, end, cut))
        at = block.find(" #", end)
    if not cuts:
        return block, False
    # (what begins after the last line cut cannot hold a line cut)
    if _OVER_LINES.search(block, 0, cuts[-1][1]):
        raise _Fallback
    parts: list[str] = []
    last = 0
    for start, end, cut in cuts:
        parts += (block[last:start], cut)
        last = end
    parts.append(block[last:])
    return "".join(parts), True


def _comment_cut(line: str) -> str:
    """One line of :func:`_comments_cut`: without its comment (as it is, without one)."""
    parts = _LINE.match(line)
    if parts is None:  # a comment line: the walk's
        return line
    head = parts.start(3)  # (what comes before the value: indent, dash, key, colon)
    value = line[head:]
    first = value[:1]
    if first == "&" or first == "!":  # an anchor or a tag, then maybe a quoted text
        raise _Fallback
    if first == '"' or first == "'":
        quoted = _QUOTED_TEXT.match(value)
        if quoted is None:
            raise _Fallback
        after = value[quoted.end() :]
        if not after.strip(" "):  # (spaces only: YAML's; U+00A0 is text)
            return line
        if after[0] != " " or after.lstrip(" ")[:1] != "#":
            raise _Fallback
        return line[: head + quoted.end()]
    if first == "#":
        if parts.group(2)[:1] == "-":  # after a dash alone
            raise _Fallback
        return line[:head].rstrip(" ")
    at = value.find(" #")
    return line if at < 0 else line[: head + at].rstrip(" ")


def _folds(block: str) -> bool:
    """Whether a plain scalar of ``block`` may go on over the lines under it (as
    ``yaml.dump`` wraps long texts): only where every line is one the walk sees, so
    that its continuation lines are exactly the lines that follow it (a blank line
    would fold to a line break, a comment line end the scalar)."""
    if "\n\n" in block or block[:1] == "\n":
        return False
    if " \n" not in block:  # no line ends with a space (a C scan: the common case),
        # so none is blank: only a comment line is unseen
        return "#" not in block or not (_COMMENT.match(block) or _COMMENT_AFTER.search(block))
    if "\\" in block and _SPACE_AT_END.search(block):
        # a backslash, then spaces at a line's end (an escaped space): the walk sees
        # the line without them, and would take the backslash for an escaped break
        return False
    return _UNSEEN.search(block) is None


#: The most lines a value is wrapped over that the walk puts together (:func:`_continued`,
#: :func:`_flow_lines`): it adds each line to the text so far, which costs the square
#: of the lines (a 2 MB text wrapped a word a line: 12 s). Past this, PyYAML's C reader
#: reads the file, in time linear in its size. yaml.dump wraps at 80 columns: 40 KB. (A
#: summary checks a nested value by its shape, its lines at once, and may still read it.)
MOST_LINES = 512


def _continued(lines: list[Line], i: int, indent: str, first: str) -> tuple[str, int]:
    """A scalar whose first line is ``first`` and its continuation lines from line ``i``
    on (those indented deeper than ``indent``), on one line, folded as PyYAML folds
    them: one space a line break; in a double-quoted one, none after a line that ends
    with an escaping backslash (``yaml.dump`` wraps so, then escapes the space: ``\\ ``)."""
    if first[0] in "[{":
        return _flow_lines(lines, i, indent, first)
    if first[0] == "!":  # a tagged text over lines (no dump writes one): PyYAML's
        raise _Fallback
    out = first
    quoted = first[0] in "'\""
    n = len(lines)
    last = i + MOST_LINES
    while i < n and lines[i][0] > indent:
        if i == last:
            raise _Fallback  # (see MOST_LINES)
        _, head, rest = lines[i]
        if head:  # "- text", "key: text": text, written back as it stands
            if ":" in head and not quoted:  # (a key: only a colon ends a head)
                raise _Fallback  # a ": " ends a plain text: PyYAML's to judge
            rest = f"{head}{rest}".rstrip(" ")
        if rest[:3] in ("---", "..."):
            raise _Fallback  # a document's end, maybe: PyYAML's to judge
        # (any other first character is text here, in quotes or not: a plain scalar's
        # indicators count only where it starts; "#" starts no line the walk sees)
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
    paired = 1  # out[:paired] is known to be "{" and items, each with its comma
    n = len(lines)
    last = i + MOST_LINES
    while i < n and lines[i][0] > indent:
        if i == last:
            raise _Fallback  # (see MOST_LINES)
        _, head, rest = lines[i]
        dash, key, colon = _parts(head)
        if dash:
            raise _Fallback
        if key[:1] in ("'", '"'):  # a quoted key is a flow's text, as written
            key, rest = "", f"{key}{colon}{rest}"
        if out.endswith("\\"):  # an escaped line break, if inside double quotes
            if key or not _IN_DOUBLE_QUOTES.match(out):
                raise _Fallback
            out = out[:-1] + rest
        elif key:  # written back as "key: rest": exact only where an item begins (the
            # spaces after the colon are gone, and inside quotes they count)
            if not rest:
                raise _Fallback
            paired = _between_items(out, paired)  # (from where the last look ended: a
            out = f"{out} {key}: {rest}"  # mapping of a pair a line is read in linear time)
        else:
            out = f"{out} {rest}"
        i += 1
    if out.endswith("\\"):
        raise _Fallback
    return out, i


def _between_items(text: str, at: int = 1) -> int:
    """Where ``text`` ends, when it is the start of a flow mapping up to the comma after
    an item (``text[:at]`` known to be one, or its ``{``); else _Fallback."""
    end = len(text)
    if text[:1] != "{" or not text.endswith(","):
        raise _Fallback
    while at < end:
        m = _FLOW_PAIR.match(text, at)
        if m is None:
            raise _Fallback
        at = m.end()
    return at


def _block(lines: list[Line], i: int, indent: str, depth: int, folds: bool,
           names: _Names | None = None) -> tuple[Any, int]:  # fmt: skip
    """The collection starting at line ``i`` (at column ``len(indent)``); ``folds``: see
    :func:`_folds`; ``names``: the anchors met so far (None: an anchor or an alias is
    PyYAML's to read)."""
    if depth >= MAX_DEPTH:
        raise _Fallback
    if lines[i][1][:1] == "-":
        return _sequence(lines, i, indent, depth, folds, names)
    return _mapping(lines, i, indent, depth, folds, names)


#: The depth of a block from which a value that is a flow collection (:func:`_flow`,
#: :func:`_json`) may nest deeper than PyYAML is let go (the guard before it counts every collection).
_DEEP = MAX_DEPTH - 1 - JSON_DEPTH


#: The first characters of the scalars :func:`_scalar` does not give to :func:`_plain`
#: (quoted, flow collections, tagged): any other non-empty text it gives, at any depth.
_NOT_PLAIN = "\"'[{!"
#: Those, and the first characters of an anchor and an alias (as a set: looked up at once).
_NOT_PLAIN_OR_NAMED = frozenset(_NOT_PLAIN + "&*")


def _scalar_deep(text: str, depth: int) -> Any:
    """:func:`_scalar` of a value in a block at ``depth`` (at least :data:`_DEEP`): a
    flow collection of scalars, one level deeper, but none at the deepest level."""
    if depth >= MAX_DEPTH - 1 and text[:1] in ("[", "{"):
        raise _Fallback
    return _scalar(text, json_ok=False)


def _mapping(lines: list[Line], i: int, indent: str, depth: int, folds: bool,
             names: _Names | None = None) -> tuple[dict[str, Any], int]:  # fmt: skip
    out: dict[str, Any] = {}
    n = len(lines)
    heads, plain, shallow = _HEADS, _plain, depth < _DEEP  # (looked up once a mapping)
    # (indents compared for equality first: for order, two strings cost several times more)
    while i < n:
        col, head, rest = lines[i]
        if col != indent:
            if col < indent:
                break
            raise _Fallback
        key = heads.get(head) or _head_key(head)  # (_Fallback for no key, or a dash)
        if key in out:
            raise _Fallback  # duplicate: PyYAML reports it with its line
        i += 1
        if rest:
            first = rest[0]
            if first == '"' and rest[-1] == '"' and rest != '"':
                body = rest[1:-1]
                if '"' not in body and "\\" not in body:
                    out[key] = body  # the common case of _scalar, inline
                    continue
            if i < n and (under := lines[i][0]) != indent and under > indent:
                # a continuation line, or a nested block
                if first == "&" or first == "*":
                    out[key], i = _named(lines, i, indent, depth, folds,
                                         _outside(key, depth, names), rest, in_mapping=True)  # fmt: skip
                    continue
                if not folds:
                    raise _Fallback
                text, i = _continued(lines, i, indent, rest)
                out[key] = _scalar(text) if shallow else _scalar_deep(text, depth)
            elif first not in _NOT_PLAIN_OR_NAMED:
                out[key] = plain(rest)  # (what _scalar gives a plain text, at any depth)
            elif first == "&" or first == "*":
                out[key], i = _named(lines, i, indent, depth, folds, _outside(key, depth, names),
                                     rest, in_mapping=True)  # fmt: skip
            else:
                out[key] = _scalar(rest) if shallow else _scalar_deep(rest, depth)
        elif i < n and (
            (under := lines[i][0]) > indent or (under == indent and lines[i][1][:1] == "-")
        ):
            # (no names in the value of the top-level "secured": see _outside)
            inner = None if not depth and key == "secured" else names
            out[key], i = _block(lines, i, under, depth + 1, folds, inner)
        else:
            out[key] = None
    return out, i


def _sequence(lines: list[Line], i: int, indent: str, depth: int, folds: bool,
              names: _Names | None = None) -> tuple[list[Any], int]:  # fmt: skip
    out: list[Any] = []
    n = len(lines)
    while i < n:
        col, head, rest = lines[i]
        if col != indent:  # (see _mapping)
            if col < indent:
                break
            raise _Fallback
        if head != "- ":  # (a dash and a space, the common head, need no look)
            if not head or head[0] != "-":
                break  # (a key at the column of the dashes: the mapping they are in goes on)
            if key := head[1:].lstrip(" "):  # (the head after the dash and its spaces)
                # "- key: value": a mapping whose first line shares the dash's line
                inner = col + " " * (len(head) - len(key))
                lines[i] = (inner, key, rest)
                value, i = _mapping(lines, i, inner, depth + 1, folds, names)
                out.append(value)
                continue
        if rest[:1] in ("&", "*"):
            value, i = _named(lines, i + 1, indent, depth, folds, names, rest, in_mapping=False)
            out.append(value)
        else:
            i += 1
            if i < n and (under := lines[i][0]) != indent and under > indent:
                # a continuation line, or a nested block
                if not rest:  # a dash alone, its item the block under it (as PHP's
                    # Symfony YAML writes one)
                    value, i = _block(lines, i, under, depth + 1, folds, names)
                    out.append(value)
                    continue
                if not folds:
                    raise _Fallback
                rest, i = _continued(lines, i, indent, rest)
            if rest and rest[0] not in _NOT_PLAIN:
                out.append(_plain(rest))  # (what _scalar gives a plain text, at any depth)
            else:
                out.append(_scalar(rest) if depth < _DEEP else _scalar_deep(rest, depth))
    return out, i


# ------------------------------------------------------------------ anchors and aliases
#
# ``yaml.safe_dump`` writes an object that the data holds twice (a provider that an
# article and its related items share, one datetime for several dates) once, with an
# anchor, and an alias wherever it comes again:
#
#     provider: &id001              images: &id002            - &id003
#       name: Forbes                - url: https://x/a.jpg      url: https://x/b.jpg
#     related:                      ...                       - *id003
#     - provider: *id001            when: &id004 2024-01-20 11:36:37+00:00
#
# PyYAML gives the alias the very object its anchor named; so does the walk. Within the
# bounds that ``articles._guard`` sets before PyYAML reads a block (an alias bomb, a
# value that holds itself, a value nested too deep where an alias repeats it, an anchor
# in ``secured``): the walk counts alike, and leaves what the guard might refuse to it.

#: An anchor or an alias starting a key's value or an item: ``&id001`` or ``*id001``,
#: the name as ``yaml.dump`` writes one (any other is PyYAML's), an anchor maybe
#: followed by the value it names on the same line.
_NAME = re.compile(r"([&*])([A-Za-z0-9_-]+)(?: +(.+))?\Z")


def _outside(key: str, depth: int, names: _Names | None) -> _Names | None:
    """The names for the value of ``key`` in a mapping at ``depth``: none in the value of
    the top-level ``secured`` (no anchor there, as ``articles._guard`` says: its value
    is never repeated; an alias there is left to the guard too)."""
    return None if key == "secured" and not depth else names


class _Names:
    """The anchors of one block the walk has read so far: each name -> the value it
    named, and that value's size as ``articles._guard`` counts it (its values: one each
    scalar, key and collection, an alias inside it as the values it repeats; its
    levels: 0 for a scalar, one more than its deepest value for a collection); and how
    many values the aliases read so far repeat, in all."""

    __slots__ = ("named", "repeated", "sizes")

    def __init__(self) -> None:
        self.named: dict[str, tuple[Any, int, int]] = {}
        self.sizes: dict[int, tuple[int, int]] = {}  # by id: the collections named
        self.repeated = 0

    def anchor(self, name: str, value: Any) -> None:
        if name in self.named:
            raise _Fallback  # named twice: PyYAML reports it
        values, levels = _size(value, self.sizes)
        self.named[name] = (value, values, levels)
        if isinstance(value, (dict, list)):
            self.sizes[id(value)] = (values, levels)

    def alias(self, name: str, depth: int) -> Any:
        """The value ``name`` named, repeated as a value of a collection at ``depth``."""
        if name not in self.named:
            raise _Fallback  # no such anchor, or one whose value holds this alias
        value, values, levels = self.named[name]
        self.repeated += values
        # (at ``depth`` in the walk, the guard counts depth + 1 collections open)
        if self.repeated > MAX_REPEATED or depth + 1 + levels > MAX_DEPTH:
            raise _Fallback
        return value


def _size(value: Any, sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """The values and levels of ``value`` (see :class:`_Names`); ``sizes``: those of
    the collections named so far, which an alias in ``value`` repeats."""
    items: Iterable[Any]
    if isinstance(value, dict):
        items, per = value.values(), 2  # (a key is a value too)
    elif isinstance(value, list):
        items, per = value, 1
    else:
        return 1, 0
    values, levels = 1, 1
    for item in items:
        known = sizes.get(id(item)) if isinstance(item, (dict, list)) else None
        n, deep = known or _size(item, sizes)
        values += n + per - 1
        levels = max(levels, deep + 1)
    return values, levels


def _named(lines: list[Line], i: int, indent: str, depth: int, folds: bool,
           names: _Names | None, rest: str, in_mapping: bool) -> tuple[Any, int]:  # fmt: skip
    """The value that ``rest`` (an anchor, maybe with a value, or an alias) starts, as
    a key's value (``in_mapping``) or an item of a block at ``depth`` whose lines from
    ``i`` on follow; and the line after it."""
    m = _NAME.match(rest)
    if names is None or m is None:
        raise _Fallback
    sigil, name, after = m.groups()
    if sigil == "*":
        if after is not None:
            raise _Fallback
        return names.alias(name, depth), i
    n = len(lines)
    if after is not None:  # a scalar, or a flow collection, maybe wrapped (another
        # anchor, an alias or a tag there: _plain refuses it)
        if i < n and lines[i][0] > indent:
            if not folds:
                raise _Fallback
            after, i = _continued(lines, i, indent, after)
        value = _scalar(after) if depth < _DEEP else _scalar_deep(after, depth)
    elif i < n and (
        lines[i][0] > indent or (in_mapping and lines[i][0] == indent and lines[i][1][:1] == "-")
    ):
        value, i = _block(lines, i, lines[i][0], depth + 1, folds, names)
    else:
        raise _Fallback  # an anchor on nothing (a null): PyYAML's
    names.anchor(name, value)
    return value, i


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

#: A top-level line (a key at column 0, plain or quoted, then its value, maybe none)
#: and the lines under it: indented, sequence dashes, comments, blank lines. Matches
#: that cover the whole block are the whole block. (Possessive where what follows cannot take back
#: what a quantifier took: the same matches, found a tenth to a fifth faster. Tried at
#: line starts only, where every segment begins: tried at every position, a long word
#: on a line that is no ``key:`` line was read again from each of its letters. A line
#: under the key as two alternatives, not an optional part then a line break: a sixth
#: fewer instructions a block.)
_SEGMENT = re.compile(
    rf"^(({_KEY_AS_WRITTEN}):(?: +|(?=\n|\Z))([^\n]*[^ \n]|) *(?:\n|\Z)"
    r"((?:[ #-][^\n]*+\n|\n)*+(?:[ #-][^\n]*+)?))",
    re.M,
)
#: A value that makes a valid scalar whatever it holds, right after ``key: `` at the
#: end of its line (or before spaces there, nothing to YAML: masked with it), masked
#: in a block's shape (one mask for each kind of scalar, as a quoted one may not go on
#: over the lines under it, as a plain one may): a
#: double-quoted text without quotes, its escapes all ones that libyaml takes and that
#: make a character (no surrogate: see :class:`_Characters`), or pairs of surrogates
#: (see :func:`_paired`);
_DOUBLE_BODY = (
    rf'[^"\\\n]*+(?:\\(?:{_ONE_CHAR_ESCAPE}|x[0-9A-Fa-f]{{2}}'
    r"|u(?![Dd][89A-Fa-f])[0-9A-Fa-f]{4}|u[Dd][89ABab][0-9A-Fa-f]{2}\\u[Dd][C-Fc-f][0-9A-Fa-f]{2}"
    r'|U(?:0000(?![Dd][89A-Fa-f])|000[1-9A-Fa-f]|0010)[0-9A-Fa-f]{4})[^"\\\n]*+)*+'
)
_SAFE_DOUBLE = rf'"{_DOUBLE_BODY}"'
#: such a text wrapped over lines as ``yaml.dump`` wraps it, each line but the last
#: ending with a backslash that escapes its line break, the lines under the first
#: indented alike (deeper than its key: the shape keeps their indent) and none starting
#: with a key (a quoted one starts with a quote), a sequence dash, a comment or a
#: document marker (masked as two lines, however many it had: the walk takes each line
#: under the first alike);
_GOES_ON = r"(?![A-Za-z_][A-Za-z0-9_-]*: |- |---|\.\.\.)(?=[^ #\"\n\0])"
_SAFE_DOUBLE_WRAPPED = re.compile(
    rf': "{_DOUBLE_BODY}\\\n( +){_GOES_ON}{_DOUBLE_BODY}'
    rf'(?:\\\n\1{_GOES_ON}{_DOUBLE_BODY})*" *$',
    re.M,
)
#: (a single-quoted text on one line, its quotes doubled inside)
_ONE_LINE_SINGLE = r"'[^'\n]*+(?:''[^'\n]*+)*+'"
_SAFE_SINGLE = _ONE_LINE_SINGLE
#: and a plain one: an integer or decimal number (no exponent; up to 19 digits before
#: its point, as a 64-bit id or a time in milliseconds has, and 20 after), true, false, a
#: date that exists, alone or with a time (its offset less than a day, as Python's
#: timezone takes it, or Z, or none, maybe after a space, as Ruby's YAML writes one; a
#: fraction of its second or none; or no seconds, ``2024-01-20T11:36Z``, a text to
#: PyYAML), or with a time and an offset of four digits, maybe
#: after a space (``%z``, or ``2024-01-20 11:36:37 +0000`` as Jekyll writes a date: a
#: text to PyYAML), an RFC 2822 date (``Wed, 20 May 2020 13:59:00 +0000``, a text
#: too), a text that starts with a letter or any character past ASCII but a space
#: (which no implicit type of PyYAML's starts with) and holds no ":" or "#", one that
#: starts with a digit and holds a space (so no number or date of PyYAML's) and no ":"
#: or "#", an http(s) URL (no space, so no ": " nor " #"). Always a scalar, never one
#: the walk refuses, alone or with lines of text under it. Anywhere else in a line the
#: walk refuses it.
_NUMBER = r"-?[1-9][0-9]{0,18}(?:\.[0-9]{1,20})?|-?0\.[0-9]{1,20}|0"
#: (the first character of a text that no implicit type of PyYAML's starts with)
_TEXT_START = r"[^\x00-\x40\x5b-\x60\x7b-\x7f\s]"
_SAFE_PLAIN = (
    rf"(?:{_NUMBER}|true|false"
    r"|(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?"  # (" ": yaml.dump's)
    r"(?: ?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]|[+-][0-9]{4}))?)?"
    r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
    r"|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}(?::[0-9]{2})? (?:[+-][0-9]{4}|GMT|UTC?|Z)"
    rf"|{_TEXT_START}[^:#\n]*|[0-9][^ :#\n]* +[^ :#\n][^:#\n]*|https?://\S*[^\s:])"
)
#: Each of them, with its key's colon and space and the spaces after it, found in one
#: scan: its group the quote of a quoted one (None for a plain one). On a line, where
#: one matches none of the others can (each ends the line: a quoted one with its quote,
#: a plain one holds no ": "), so the one scan finds what a scan for each kind after
#: another, each masking what it found, would.
_SAFE_VALUE = re.compile(
    rf": (?:(?=([\"']))(?:{_SAFE_DOUBLE}|{_SAFE_SINGLE})|{_SAFE_PLAIN}) *$", re.M
)
#: The mask of each kind (by the group of :data:`_SAFE_VALUE`).
_MASKS = {'"': ': "\0', "'": ": '\0", None: ": \0"}
#: A quoted text that starts a key's value or an item (where the walk takes one) and
#: was not masked whole: it may go on over the lines under it, and what they hold is
#: then text (a ``key: value`` there is no value a mask may stand for), so the block
#: has no shape. (A key may be quoted: its quotes open no text.)
_OPEN_QUOTE = re.compile(
    f"^ *(?:(?:- +)+(?:{_KEY_AS_WRITTEN}: +)?|{_KEY_AS_WRITTEN}: +)(['\"])(?!\0)"
    rf"(?!{_IDENT}\1:(?: |$))",  # (a quoted key's quote opens no text)
    re.M,
)
#: A key in double (or single) quotes at the start of a line, after its indent and any
#: dashes, as a generator that quotes every key writes it (``"name": …``, ``- "url":
#: …``), found in a block with a line break put before it. Their quotes are counted
#: apart from those left open (see :func:`_shape`).
_QUOTED_KEY_AT_START = {
    q: re.compile(rf"\n *(?:- +)*{q}{_IDENT}{q}:(?: |$)", re.M) for q in ('"', "'")
}


def _quoted_keys(text: str, quote: str) -> int:
    """How many keys in ``quote`` quotes begin lines of ``text`` (a C scan first)."""
    if quote + ":" not in text:
        return 0
    return len(_QUOTED_KEY_AT_START[quote].findall("\n" + text))


def _stray_quotes(text: str, quote: str, masked: int) -> bool:
    """Whether ``text`` holds a ``quote`` that neither a mask wrote (``masked`` of
    them) nor a quoted key holds. (With none but the masks' quotes, the common case,
    there is no quoted key to look for.)"""
    quotes = text.count(quote)
    return quotes != masked and quotes != masked + 2 * _quoted_keys(text, quote)


def _may_open_quote(text: str) -> bool:
    """Whether ``text`` (masked) may hold what :data:`_OPEN_QUOTE` looks for: a key's or
    an item's quote not masked, found by counts in C (a quote in a plain text, ``it's``
    or ``"said"``, is no such quote)."""
    if ":  " in text or "-  " in text:
        return True  # (more spaces after a key or a dash: the pattern decides)
    return (
        "- '" in text
        or '- "' in text
        or text.count(": '") != text.count(": '\0")
        or text.count(': "') != text.count(': "\0')
    )


#: Where a flow collection starts (or a text that looks so): after a key or a dash.
_FLOW_START = re.compile(r"[:-] +[\[{]")


def _has_flow(text: str) -> bool:
    """Whether ``text`` may hold a flow collection (a C scan first: this is asked of
    every nested block of every file)."""
    return ("{" in text or "[" in text) and _FLOW_START.search(text) is not None


#: A scalar in a flow mapping that is valid whatever it holds, and that the walk reads
#: as PyYAML does (a part of what :data:`_SCALAR_IN_FLOW` takes): a text in single
#: quotes or double quotes (:data:`_DOUBLE_BODY`) on one line; a number; a plain
#: text that starts with a letter or a character past ASCII (no implicit type but a
#: bool or null starts so, and neither fails) and holds no ":", "#", "?", backslash
#: (which the walk may take for an escaped line break), comma or bracket, ending with
#: no space, maybe wrapped over lines (as ``yaml.dump`` wraps a
#: long one) that start with no dash of an item and no document marker: PyYAML folds
#: each line break to a space, and so does the walk.
_FLOW_PLAIN_END = r"[^:#?,\[\]{}\s\\]"
_FLOW_PLAIN_MORE = rf"(?:[^:#?,\[\]{{}}\n\\]*{_FLOW_PLAIN_END})?"
_FLOW_SCALAR = (
    rf'{_ONE_LINE_SINGLE}|"{_DOUBLE_BODY}"|{_NUMBER}|{_TEXT_START}{_FLOW_PLAIN_MORE}'
    rf"(?:\n +(?!-(?: |$)|---|\.\.\.){_FLOW_PLAIN_END}{_FLOW_PLAIN_MORE})*"
)
#: A flow mapping of such scalars, as ``yaml.dump`` writes one (``{url: 'https://…',
#: width: 50}``): plain keys, a colon and one space after each, a comma and a space or
#: a line break between pairs (so each pair's key and colon on one line), after a
#: sequence's dash or a key (one of them at least: the lookahead) at the start of a
#: line, and ending it; maybe wrapped over the lines under it, which the walk reads so
#: only where the block may fold (:func:`_folds`) and each is deeper than it requires
#: (see :func:`_flow_masked`). Found in a block with a line break put before it (a
#: pattern that starts with one is searched for by the line, not by the character).
#: Groups: the line break and indent, the dash, the key, the mapping. (A line of a
#: text that goes on over lines may look so: if a quoted one, its quote is left open
#: and the block has no shape, see :func:`_shape`; if a plain one, its ``key: `` ends
#: it, so the walk refuses the block, as PyYAML does, whatever the values hold. Flow
#: sequences are left to the walk: ``- [a, b]`` is text there, which a quoted item
#: holding ``: `` would end.)
_FLOW_PAIR_SAFE = rf"{_IDENT}: (?:{_FLOW_SCALAR})"
_FLOW_MASKABLE = re.compile(
    rf"(\n *)(?=[-A-Za-z_])(- +|)({_IDENT}: +|)"
    rf"(\{{ *{_FLOW_PAIR_SAFE}(?:,(?: |\n +){_FLOW_PAIR_SAFE})* *\}}) *$",
    re.M,
)
#: The scalars of such mappings, once each is on one line (the line breaks after their
#: commas made spaces, :data:`_FLOW_BREAK`), masked, each with its key's colon and
#: space: the first ": " of a pair is its key's, and the scalar after it is taken whole.
#: (With no group, so that no match calls Python.)
_FLOW_VALUE = re.compile(rf": (?:{_FLOW_SCALAR})")
_FLOW_BREAK = re.compile(r",\n +")


def _flow_masked(text: str, folds: bool) -> str | None:
    """``text`` with each flow mapping of :data:`_FLOW_MASKABLE` in its shape's form: a
    control character where it starts (``- \4{url: \3, width: \3}``: no flow
    collection to :func:`_has_flow`), its keys as written, its scalars masked, on one
    line. None when a flow collection is left unmasked (the block is then walked
    whole): one that is not such, or one wrapped over lines in a block that does not
    fold or with a line under it not deeper than the walk requires (than its key; than
    its dash, when it is an item)."""
    parts = _FLOW_MASKABLE.split("\n" + text)  # text, indent, dash, key, mapping, ...
    if len(parts) == 1:
        return None
    flows = "\1".join(parts[4::5])
    if "\n" in flows:
        if not folds:
            return None
        for at in range(1, len(parts), 5):
            if "\n" in parts[at + 3]:
                # (the indent's length, with its line break; then the dash's, if a
                # key follows it: the key's column)
                deeper = len(parts[at]) + (len(parts[at + 1]) if parts[at + 2] else 0)
                if any(len(line) - len(line.lstrip(" ")) < deeper
                       for line in parts[at + 3].split("\n")[1:]):  # fmt: skip
                    return None
        flows = _FLOW_BREAK.sub(", ", flows)  # (a comma ends no line of a scalar)
    parts[4::5] = _FLOW_VALUE.sub(": \3", "\4" + flows.replace("\1", "\1\4")).split("\1")
    text = "".join(parts)[1:]
    return None if _has_flow(text) else text


#: The lines that go on with a masked plain text (one wrapped over lines), right under
#: it and indented alike: no ":" or "#" in them, and none starting with a sequence dash
#: or a document marker (the text they make holds a space, so it is text; what they
#: start with is text too, past a plain text's first line). Masked as one line, however
#: many they are (the walk takes each alike, as one more piece of the same text). A
#: line of text under anything else is kept as it is (under an open quote, whether it
#: closes the quote decides).
_GOES_ON_PLAIN = r"(?!- |---|\.\.\.)[^\n #:\0]"
_WRAPPED_PLAIN = re.compile(
    rf": \0\n( +){_GOES_ON_PLAIN}[^:#\n]*+(?:\n\1{_GOES_ON_PLAIN}[^:#\n]*+)*+$", re.M
)
#: Where an item of a sequence begins, at the column of the block's first dash.
_ITEM = {n: re.compile(rf"^ {{{n}}}- ", re.M) for n in range(9)}
#: Shapes of blocks and of items the walk accepted (a corpus has a few hundred): at
#: most MAX_SHAPES of at most MAX_SHAPE characters (8 MB a process); a block whose
#: shape is longer is known by its items' shapes (an item's longer still: walked).
_SHAPES: set[str] = set()
MAX_SHAPES = 2048
MAX_SHAPE = 4096
#: Short nested blocks as written -> their shapes, for those whose shape was accepted
#: (by whether the block folds): the same text again needs no mask to be known, while
#: its shape is in _SHAPES (a provider's block, the same in each file of its articles).
#: At most MAX_SHAPES of KNOWN_BLOCK characters each (a longer one costs its hash more
#: than that saves): see :func:`_know`.
_KNOWN_BLOCKS: dict[bool, dict[str, str]] = {False: {}, True: {}}
KNOWN_BLOCK = 256


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


def _top_level(block: str, only: frozenset[str], folds: bool) -> dict[str, Any]:
    segments = _SEGMENT.findall(block)
    if not segments or sum(map(len, map(_WHOLE, segments))) != len(block):
        raise _Fallback  # a line the segments do not take: the whole walk decides
    out: dict[str, Any] = {}
    for _, written, rest, under in segments:
        key = _KEYS.get(written) or _name(written)
        # (nearly every key's value is on its line, nothing under it: no strip then)
        if not under or not under.strip(" \n"):  # (no line under it but blank ones: a
            # no-break or other Unicode space is text to YAML, not a blank line)
            if not rest:
                out[key] = None
            elif rest[0] == '"' and rest[-1] == '"' and rest.count('"') == 2 and "\\" not in rest:
                out[key] = rest[1:-1]
            elif rest[0] in _NOT_PLAIN:
                out[key] = _scalar(rest)
            else:
                out[key] = _plain(rest)
        elif rest:  # a value, then lines under it: a wrapped plain scalar, or else
            if not folds:
                raise _Fallback
            lines = _LINE.findall(under)
            text, end = _continued(lines, 0, "", rest)
            if end != len(lines):
                raise _Fallback
            out[key] = _scalar(text)
        elif key in only:
            out[key] = _nested(under, folds)
        elif len(under) <= KNOWN_BLOCK and _KNOWN_BLOCKS[folds].get(under) in _SHAPES:
            out[key] = UNBUILT  # (a provider's block, the same in many files: its shape
            # is known without masking it again)
        elif (
            # (a flow collection's values are masked apart: ",", "]" and "}" would be
            # text to the other masks, and end a value to the walk)
            (masked := _flow_masked(under, folds) if _has_flow(under) else under) is None
            or (shape := _shape(masked, folds)) is None
        ):
            out[key] = _nested(under, folds)  # (a flow or a quote left open: walked whole)
        else:
            if shape not in _SHAPES:
                _check_items(under, shape, folds)
                _learn(shape)
            if len(under) <= KNOWN_BLOCK:
                _know(under, shape, _KNOWN_BLOCKS[folds])
            out[key] = UNBUILT
    if len(out) != len(segments):  # a key twice (each segment gives its key a value)
        raise _Fallback
    return out


class _WrappedMask(dict[str, str]):
    """The indent of a wrapped text's lines -> the mask of a
    :data:`_SAFE_DOUBLE_WRAPPED` text (made once)."""

    def __missing__(self, indent: str) -> str:
        mask = f': "\0\\\n{indent}\0"'
        if len(self) < 256:
            self[indent] = mask
        return mask


_WRAPPED_MASKS = _WrappedMask()


def _shape(text: str, folds: bool) -> str | None:
    """A nested block with every value of :data:`_SAFE_DOUBLE` (and
    :data:`_SAFE_DOUBLE_WRAPPED`), :data:`_SAFE_SINGLE` and :data:`_SAFE_PLAIN` masked
    (one mask each kind); where the block may fold, the lines that go on with a masked
    plain text too (see :data:`_WRAPPED_PLAIN`); else marked as not folding (the shapes
    of blocks that may fold and of others kept apart: no block that folds begins with a
    line break). None when a quote is left open (:data:`_OPEN_QUOTE`): its lines are
    text, which no mask may touch. (A single-quoted text wrapped over lines is on one
    line by now: see :func:`_single_quoted_joined`.) The quotes of quoted keys
    (:data:`_QUOTED_KEY_AT_START`) are counted with those the masks write: none opens a
    text. (A tagged text is on one line: the walk takes no other, see
    :func:`_continued`.)"""
    doubles = 0  # the quotes the masks of wrapped texts write
    if '"' in text and "\\" in text and "\\\n" in text:  # (split: a sub would call
        # Python at each match)
        parts = _SAFE_DOUBLE_WRAPPED.split(text)  # text, indent, text, ..., text
        parts[1::2] = map(_WRAPPED_MASKS.__getitem__, parts[1::2])
        doubles = len(parts) // 2 * 2
        text = "".join(parts)
    parts = _SAFE_VALUE.split(text)  # text, quote (or None), text, ..., text
    quotes = parts[1::2]
    parts[1::2] = map(_MASKS.__getitem__, quotes)
    shape = "".join(parts)
    # (a quote the masks did not write, left: rare; the counts only tell when
    # _OPEN_QUOTE need not look, which a mask of a plain text changes nothing to)
    if (
        ('"' in text and _stray_quotes(shape, '"', doubles + quotes.count('"')))
        or ("'" in text and _stray_quotes(shape, "'", quotes.count("'")))
    ) and (_may_open_quote(shape) and _OPEN_QUOTE.search(shape)):
        return None
    if not folds:
        return "\n" + shape
    if "\0\n " not in shape or not _WRAPPED_PLAIN.search(shape):
        return shape  # (a search, then a sub that calls Python at each match: rarely)
    return _WRAPPED_PLAIN.sub(": \0\n\\1\0", shape)


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
            _learn(item)


def _know(block: str, shape: str, known: dict[str, str]) -> None:
    """Keep a short block's shape (see :data:`_KNOWN_BLOCKS`); when there is no room,
    forget the others first (those met again, a provider's, come back at once)."""
    if len(known) >= MAX_SHAPES:
        known.clear()
    known[block] = shape


def _learn(shape: str) -> None:
    """Keep a shape the walk accepted, while there is room, unless it is longer than
    MAX_SHAPE (a long block, of many related items, is known by its items' shapes)."""
    if len(_SHAPES) < MAX_SHAPES and len(shape) <= MAX_SHAPE:
        _SHAPES.add(shape)


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
