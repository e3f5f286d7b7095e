"""Article file -> front matter -> frozen :class:`~feedpub.model.Article`.

Front matter sits between a first line ``---`` and the next ``---`` (or ``...``) line. It is
parsed with PyYAML's C loader through a safe constructor that refuses aliases,
custom tags and duplicate keys, after a cheap guard against deep nesting (the C
composer recurses and can take the whole process down). ``secured`` is dropped
the moment the mapping exists. Every string is cleaned here, once (with
:mod:`feedpub.sanitize`); every problem becomes an
:class:`~feedpub.errors.ArticleError` with the line in the file, never a traceback.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from yaml._yaml import CParser

from .config import topic_key
from .errors import WORD_QUOTES, ArticleError, Notice, counted, cut, likely_meant, shown_text
from .fastyaml import MAX_DEPTH, MAX_REPEATED, fast_load, surrogate_pair
from .model import Article, Image, Provider, Related, Summary, in_zone
from .sanitize import clean_text, clean_url, masked_url, shorten, url_refusal

MAX_EXCERPT = 4000
MAX_TITLE = 500
MAX_LIST = 100

_WORD = re.compile(r"[A-Za-z0-9]")
#: A character reference as html.unescape finds one (with or without its semicolon;
#: a name it does not know, or knows a part of, is this and more): what is left of a
#: text with each taken out is left as it is by the decoding.
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")
# A cheap test for "this YAML may hold an anchor, an alias or flow nesting";
# only such files pay for the exact event scan in _guard().
_SUSPECT = re.compile(r"(?:^|[\s\[\{,:-])[&*!][^\s#]|[\[\{]|[-?][ \t]+[-?](?:[ \t]|$)", re.M)

# --------------------------------------------------------------------------- YAML


#: How an error names what a scalar of a tag should be.
_KINDS = {
    "tag:yaml.org,2002:int": "a whole number (of at most 4,300 digits)",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
}


class _FrontMatterConstructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that refuses duplicate keys and wraps impossible dates."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None:
                if key in seen:  # (the first as the context: where the other is)
                    raise yaml.constructor.ConstructorError(
                        None, seen[key], f"duplicate key {str(key)[:40]!r}", key_node.start_mark
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML's, but a scalar its constructor cannot read (``!!int x``, ``!!bool
        maybe``, an empty ``!!float``, an integer of more digits than Python converts)
        is an error at its line, not an exception of Python's."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError) as e:
            if isinstance(e, yaml.YAMLError) or not isinstance(node, yaml.ScalarNode):
                raise
            kind = _KINDS.get(node.tag, node.tag)
            raise yaml.constructor.ConstructorError(
                None, None, f"not {kind}: {str(node.value)[:40]!r}", node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        m = self.timestamp_regexp.match(node.value)
        if m is None:  # (an explicit !!timestamp: PyYAML's own constructor fails on it
            # with AttributeError)
            raise yaml.constructor.ConstructorError(
                None, None, f"not a date: {str(node.value)[:40]!r}", node.start_mark
            )
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as e:
            why = _impossible(m, e)
            raise yaml.constructor.ConstructorError(
                None, None, f"impossible date {str(node.value)[:40]!r} ({why})", node.start_mark
            ) from e


def _impossible(m: re.Match[str], e: Exception) -> str:
    """Why the date YAML's timestamp pattern matched (``m``) is none: ``e``, datetime's
    reason (``day is out of range for month``), but for an offset of 24 hours or more,
    and a leap second (``23:59:60``), told what to write, as in an RFC 822 date."""
    offset = int(m.group("tz_hour") or 0) * 60 + int(m.group("tz_minute") or 0)
    if offset >= 24 * 60:
        return "its UTC offset must be under 24 hours"
    if m.group("second") == "60":
        return "its second is 60, a leap second, which no date here holds: write :59"
    return str(e)


_FrontMatterConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", _FrontMatterConstructor.construct_yaml_timestamp
)
_FrontMatterConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:map", _FrontMatterConstructor.construct_yaml_map
)


class FrontMatterLoader(CParser, _FrontMatterConstructor, yaml.resolver.Resolver):
    """libyaml's parser and composer with our safe constructor."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _FrontMatterConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


#: In a double-quoted text, an escaped backslash, or an escaped UTF-16 surrogate pair:
#: how ``json.dumps`` (``ensure_ascii``, its default) writes a character past U+FFFF,
#: an emoji say (``"\\ud83d\\ude80"``), maybe with an escaped line break between them.
#: (Left to right, so that an escaped backslash is taken before the text that follows it.)
_BACKSLASH_OR_PAIR = re.compile(
    r"\\\\|\\u([dD][89abAB][0-9a-fA-F]{2})(\\\n *)?\\u([dD][c-fC-F][0-9a-fA-F]{2})"
)


def _pyyaml(block: str) -> Any:
    """The objects of ``block``, as PyYAML's loader makes them (its errors raised), but
    for one thing: an escaped surrogate pair in a double-quoted text is the character
    it stands for, as JSON and YAML 1.2 read it, where libyaml (YAML 1.1) refuses it.
    When libyaml refuses an escape, the double-quoted texts are found by PyYAML's own
    scanner in Python (which lets such escapes by), each pair in them is written as the
    one escape it means (``\\U0001F680``; in a plain or single-quoted text a backslash
    is a backslash), and libyaml reads the block again; the lines stay as they were,
    for the errors' line numbers. A surrogate that is half of no pair is still refused."""
    try:
        return _load(block)
    except yaml.MarkedYAMLError as e:
        joined = None
        if e.problem == "found invalid Unicode character escape code":
            joined = _joined_pairs(block)
        if joined is None:
            raise
    return _load(joined)


def _load(block: str) -> Any:
    loader = FrontMatterLoader(block)
    try:
        return loader.get_single_data()
    except yaml.constructor.ConstructorError as e:
        if not (e.problem or "").startswith("impossible date"):
            raise
    finally:
        loader.dispose()
    return _related_dates_as_text(block)


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"


def _related_dates_as_text(block: str) -> Any:
    """The objects of ``block`` (see :func:`_load`), but a related item's
    ``publishedDateTime`` that is no possible date (``2024-13-01``, an offset of
    ``+99:00``, the year 0), where YAML's constructor stops the whole file, left the text
    it is: the item's date is left out, not the item (:func:`_related` reads none from
    it), and not the article. Only after such an error (the block read again); any other
    impossible date (the article's own) is still YAML's error at its line."""
    loader = FrontMatterLoader(block)
    try:
        node = loader.get_single_node()
        for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
            if key.value != "related" or not isinstance(value, yaml.SequenceNode):
                continue
            for item in value.value:
                for field, when in item.value if isinstance(item, yaml.MappingNode) else ():
                    if (field.value == "publishedDateTime" and when.tag == _TIMESTAMP_TAG
                            and isinstance(when, yaml.ScalarNode)):  # fmt: skip
                        try:
                            loader.construct_yaml_timestamp(when)
                        except yaml.constructor.ConstructorError:
                            when.tag = _STR_TAG
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


#: The longest front matter whose pairs :func:`_joined_pairs` joins: PyYAML's scanner in
#: Python reads 1.6 MB a second, a tenth of what libyaml reads (a longer one keeps
#: libyaml's error; the fast path joins the pairs of most before it comes to this).
MAX_SCANNED = 256 * 1024


def _joined_pairs(block: str) -> str | None:
    """``block`` with each escaped surrogate pair of its double-quoted texts written as
    one escape; None when PyYAML's scanner refuses it, or it is longer than
    :data:`MAX_SCANNED`. A character YAML allows in no file (U+009D, say) is raised as
    PyYAML's reader refuses it, at its line: libyaml, which reads as it goes, met the
    pair first in a long file, and its error was said in its place (at the pair's line,
    "invalid Unicode character escape code" or a hint of no use there)."""
    if len(block) > MAX_SCANNED:
        return None
    try:
        spans = [(t.start_mark.index, t.end_mark.index)
                 for t in yaml.scan(block, Loader=yaml.SafeLoader)
                 if isinstance(t, yaml.ScalarToken) and t.style == '"']  # fmt: skip
    except yaml.reader.ReaderError:
        raise
    except (yaml.YAMLError, ValueError):  # (an escape past U+10FFFF: chr() refuses it)
        return None
    out, at = [], 0
    for start, end in spans:
        out += [block[at:start], _BACKSLASH_OR_PAIR.sub(_one_escape, block[start:end])]
        at = end
    return "".join(out) + block[at:]


def _one_escape(m: re.Match[str]) -> str:
    if m.group(1) is None:
        return m.group(0)  # an escaped backslash, as it was
    # (a pair split by an escaped line break, which joins the lines: the break kept
    # before the joined escape, so that the lines stay as they were)
    pair = surrogate_pair(int(m.group(1), 16), int(m.group(3), 16))
    return f"{m.group(2) or ''}\\U{ord(pair):08X}"


def _guard(text: str) -> tuple[int, str] | None:
    """Refuse before composing: nesting deeper than MAX_DEPTH (an alias as deep as the
    value it names goes), aliases that repeat more than MAX_REPEATED values in all (an
    alias bomb), an alias inside the value it names (a value that holds itself), an
    anchor in ``secured`` (whose value must not be repeated where it would be shown).

    Returns ``(line_in_block, reason)`` or ``None``. Block nesting is bounded by
    indentation, which a text scan measures; only files that contain flow
    brackets or anchor/alias/tag characters pay for libyaml's event stream,
    which is iterative and safe at any depth.
    """
    indents = [len(line) - len(line.lstrip(" ")) for line in text.split("\n")]
    if max(indents, default=0) < MAX_DEPTH and not _SUSPECT.search(text):
        return None
    depth = 0
    # each open collection (and the document): its anchor, how many values it holds
    # (aliases counted as the values they repeat), how many levels deep it goes
    within: list[list[Any]] = [[None, 0, 0]]
    named: dict[str, tuple[int, int]] = {}  # anchor -> values, levels of what it names
    repeated = 0
    top = 0  # the keys and values of the top-level mapping begun so far
    secured = False  # whether the top-level value begun last is secured's
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            anchor = getattr(event, "anchor", None)
            if depth == 1 and not isinstance(event, yaml.CollectionEndEvent):
                if top % 2 == 0:  # a key
                    secured = isinstance(event, yaml.ScalarEvent) and event.value == "secured"
                top += 1
            if isinstance(event, yaml.AliasEvent):
                if any(name == anchor for name, _, _ in within):
                    return _line(event), f"the YAML alias *{anchor} is inside the value it names"
                if anchor not in named:
                    continue  # (the load below reports it)
                values, levels = named[anchor]
                repeated += values
                if repeated > MAX_REPEATED:
                    return _line(event), (
                        f"YAML aliases repeat more than {MAX_REPEATED:,} values: write them out"
                    )
                if depth + levels > MAX_DEPTH:
                    return _line(event), f"nested deeper than {MAX_DEPTH} levels"
                _holds(within[-1], values, levels)
                continue
            if anchor is not None and secured:
                return _line(event), "a YAML anchor in secured: its value is never repeated"
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _line(event), f"nested deeper than {MAX_DEPTH} levels"
                within.append([anchor, 1, 1])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                name, values, levels = within.pop()
                if name is not None:
                    named[name] = (values, levels)
                _holds(within[-1], values, levels)
            elif isinstance(event, yaml.ScalarEvent):
                if anchor is not None:
                    named[anchor] = (1, 0)
                _holds(within[-1], 1, 0)
    except yaml.MarkedYAMLError as e:
        # libyaml 0.2.5+ scans a flow collection ahead of its events and stops at its
        # own depth limit (1,000) before our count sees level 21: the same refusal.
        if "nesting depth" in (e.problem or "") and e.problem_mark is not None:
            return e.problem_mark.line, f"nested deeper than {MAX_DEPTH} levels"
        return None  # the real load below reports it with its mark
    except yaml.YAMLError:
        return None
    return None


def _holds(collection: list[Any], values: int, levels: int) -> None:
    """Count a value of ``values`` values, ``levels`` deep, into an open collection."""
    collection[1] += values
    collection[2] = max(collection[2], levels + 1)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark is not None else 0


#: The characters YAML (1.1, libyaml) counts as line breaks besides ``\n``, which an
#: editor shows within a line: a line separator, a paragraph separator, a next line
#: (U+2028, U+2029, U+0085), pasted with a text from Word or a web page.
_YAML_BREAKS = re.compile("[\u2028\u2029\x85]")
#: Every line break YAML counts, in a block whose breaks are ``\n`` (``\r`` replaced).
_ANY_BREAK = re.compile("[\n\u2028\u2029\x85]")


def editor_line(block: str, line: int) -> int:
    """Line ``line`` (from 0) of ``block`` as YAML counts lines (a mark's), as an editor
    counts them: a U+2028, U+2029 or U+0085 in it is a line break to YAML, and none to
    an editor (every line named after one was one too far down). Only ``\n`` counted, in
    a block of them (``\r\n`` and ``\r`` replaced); for an error or a notice only (one
    search of the block, then one pass over its breaks: linear)."""
    if line <= 0 or not _YAML_BREAKS.search(block):
        return line
    # (the line-th break YAML counts; the editor's line is the \n before its end)
    last = next(itertools.islice(_ANY_BREAK.finditer(block), line - 1, None), None)
    if last is None:  # (past the block's last break: the lines after it, as they are)
        return line - len(_YAML_BREAKS.findall(block))
    return block.count("\n", 0, last.end())


def editor_lines(block: str) -> Callable[[int], int]:
    """:func:`editor_line` of ``block``, for many of its lines: one search of the block
    and one pass over its breaks in all, not for each line (the line of each key of a
    JSON front matter of 20,000 keys, rejected, took 47 s to find)."""
    if not _YAML_BREAKS.search(block):
        return lambda line: line
    # (how many of the first n breaks YAML counts are an editor's, \n)
    newlines = list(itertools.accumulate(m.group() == "\n" for m in _ANY_BREAK.finditer(block)))
    odd = len(newlines) - newlines[-1]  # (YAML's breaks only: past the last, as they are)

    def line_of(line: int) -> int:
        if line <= 0:
            return line
        return newlines[line - 1] if line <= len(newlines) else line - odd

    return line_of


def _editor_marks(block: str, e: yaml.MarkedYAMLError) -> None:
    """``e``'s marks, their lines as an editor counts them (:func:`editor_line`): the
    error's line and every hint's read from the line the editor shows."""
    made: dict[int, yaml.Mark] = {}  # (a mark that is both keeps being both)
    for name in ("problem_mark", "context_mark"):
        mark = getattr(e, name)
        if mark is not None:
            if id(mark) not in made:
                made[id(mark)] = yaml.Mark(mark.name, mark.index, editor_line(block, mark.line),
                                           mark.column, mark.buffer, mark.pointer)  # fmt: skip
            setattr(e, name, made[id(mark)])


#: What each line break only YAML sees is, and where it most likely comes from.
_BREAK_NAMES = {
    "\u2028": "a line separator (U+2028, pasted from Word or a web page maybe)",
    "\u2029": "a paragraph separator (U+2029, pasted from Word or a web page maybe)",
    "\x85": "a next-line character (U+0085, pasted from Word maybe)",
}
#: The start of a line up to its value: its key (``key:``, ``- key:``).
_KEY_BEFORE = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*:[ \t]")


def _misread_break(block: str, loaded: Any, error: yaml.YAMLError | None) -> tuple[int, str] | None:
    """When a U+2028, U+2029 or U+0085 in ``block`` (a line break to YAML, none to an
    editor: :data:`_YAML_BREAKS`) outside a quoted value makes YAML read other keys, or
    another structure, than an editor shows (``excerpt: Not ready<U+0085>published:
    true`` is two keys to YAML, and publishes a draft), or fail where the editor's text
    reads: the line (from 0, an editor's) of that character and what to do; else None.
    ``loaded`` is what YAML made of ``block``, or ``error`` its error.

    The editor's text is the block with each such character a space, or removed (one
    at a line's start or end is harmless as either): it is read as YAML reads it when
    either reads to the same objects but for white space in texts (YAML folds a break
    in a quoted value to a space, or keeps it: harmless). On an error, when the editor's
    text reads, or fails further on, the character is the cause. The character named is
    the last outside a quoted text before the place both readings part (their events).
    For a block that holds one only, after YAML read it (no fast path takes such a
    block): two more reads at most, and one of its events."""
    spaced = _YAML_BREAKS.sub(" ", block)  # (as long as the block: the same indexes)
    ok, theirs, failed = _outcome(spaced)
    failed_at = _error_index(failed) if failed is not None else -1
    if error is None:
        if ok and _alike(loaded, theirs):
            return None
        removed = _outcome(_YAML_BREAKS.sub("", block))
        if removed[0] and _alike(loaded, removed[1]):
            return None
    elif not ok and (failed_at <= _error_index(error) or _same_error(error, failed)):
        return None  # (the editor's text fails there too: YAML's own error, as it says)
    at, quoted = _parting(block, spaced)
    starts = [start for start, _ in quoted]  # (in order, none inside another)
    for m in reversed(list(_YAML_BREAKS.finditer(block, 0, at + 1))):
        n = bisect.bisect_right(starts, m.start()) - 1
        if n < 0 or m.start() >= quoted[n][1]:  # (in no quoted text)
            return _break_said(block, m.start())
    # none before the parting: the first after it (``yet. <U+0085>published``: the
    # readings part at the text both share, before the space), else the first of all;
    # a block YAML reads otherwise than an editor is never taken as it is
    first = _YAML_BREAKS.search(block, at + 1) or _YAML_BREAKS.search(block)
    return _break_said(block, first.start()) if first else None


def _outcome(text: str) -> tuple[bool, Any, yaml.YAMLError | None]:
    """Whether ``text`` reads as front matter, what it reads to, and else its error
    (None when it is refused before, or by Python)."""
    if _guard(text):
        return False, None, None
    try:
        return True, _pyyaml(text), None
    except yaml.YAMLError as e:
        return False, None, e
    except RecursionError:
        return False, None, None


def _same_error(mine: yaml.YAMLError, theirs: yaml.YAMLError | None) -> bool:
    """Whether two errors are one: the same words, about what begins at the same place
    (a key with no colon: libyaml says so where it stopped looking, at the line below,
    which a line break only YAML sees moves up)."""
    context = getattr(mine, "context_mark", None)
    other = getattr(theirs, "context_mark", None)
    return (
        context is not None
        and other is not None
        and context.index == other.index
        and getattr(mine, "problem", None) == getattr(theirs, "problem", None)
    )


def _error_index(e: yaml.YAMLError) -> int:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return mark.index if mark is not None else getattr(e, "position", -1)


def _alike(mine: Any, theirs: Any) -> bool:
    """Whether two readings are the same objects but for white space in their texts."""
    if type(mine) is not type(theirs):
        return False
    if isinstance(mine, str):
        return "".join(mine.split()) == "".join(theirs.split())
    if isinstance(mine, dict):
        return len(mine) == len(theirs) and all(
            _alike(k, j) and _alike(v, w)
            for (k, v), (j, w) in zip(mine.items(), theirs.items(), strict=True)
        )
    if isinstance(mine, list):
        return len(mine) == len(theirs) and all(map(_alike, mine, theirs))
    return bool(mine == theirs or (mine != mine and theirs != theirs))  # (NaN)


def _parting(block: str, spaced: str) -> tuple[int, list[tuple[int, int]]]:
    """Where YAML's readings of ``block`` and of ``spaced`` (the block with each line
    break only YAML sees a space) part: the end of the first event that differs, or the
    first error; and the spans of the quoted texts of ``block`` before it."""
    quoted: list[tuple[int, int]] = []
    for mine, theirs in itertools.zip_longest(_marked_events(block), _marked_events(spaced)):
        ends = [x.end_mark.index if isinstance(x, yaml.Event) and x.end_mark else
                _error_index(x) if isinstance(x, yaml.YAMLError) else len(block)
                for x in (mine, theirs)]  # fmt: skip
        if not (isinstance(mine, yaml.Event) and isinstance(theirs, yaml.Event)):
            return min(ends), quoted
        if type(mine) is not type(theirs) or (
            isinstance(mine, yaml.ScalarEvent)
            and isinstance(theirs, yaml.ScalarEvent)
            and "".join(mine.value.split()) != "".join(theirs.value.split())
        ):
            return min(ends), quoted
        if isinstance(mine, yaml.ScalarEvent) and mine.style in ("'", '"') and mine.start_mark:
            quoted.append((mine.start_mark.index, ends[0]))
    return len(block), quoted


def _marked_events(text: str) -> Iterator[yaml.Event | yaml.YAMLError]:
    """The events of ``text`` (libyaml's, iterative: safe at any depth), then its error."""
    try:
        yield from yaml.parse(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as e:
        yield e


def _break_said(block: str, at: int) -> tuple[int, str]:
    """The editor's line (from 0) of the line break only YAML sees at ``at`` in
    ``block``, and what to do about it."""
    before = block[block.rfind("\n", 0, at) + 1 : at]
    after = _ANY_BREAK.split(block[at + 1 : at + 200], 1)[0].strip(" \t")
    said = f", and what follows it, {shown_text(repr(cut(after, 60)))}," if after else ""
    key = _KEY_BEFORE.match(before)
    if (quote := _quote_cut(block, at)) is not None:  # (a "#" in it is the text's own)
        marker = block[at + 1 : at + 4]
        return block.count("\n", 0, at), (
            f"{_BREAK_NAMES[block[at]]} in {_quoted_whose(block, quote)}: YAML reads it as a line "
            f"break, which an editor does not show, and the {marker} after it, at the "
            f"start of a line, as {_DOCUMENT_MARKERS[marker]}, before the closing quote: remove it "
            f"(or, in double quotes, write it {_BREAK_ESCAPES[block[at]]})"
        )
    if before.lstrip().startswith("#") or " #" in before or "\t#" in before:
        where, fix = "in a comment", "remove it"
    elif key:
        where = f"in {_possessive(key[1])} value"
        fix = f'remove it, or put the value in double quotes: {key[1]}: "…"'
    else:
        where, fix = "in this line", "remove it"
    return block.count("\n", 0, at), (
        f"{_BREAK_NAMES[block[at]]} {where}: YAML reads it as a line break, which an "
        f"editor does not show{said} as a line of its own: {fix}"
    )


#: A key (``key:``, ``"key":``, ``'key':``) at the start of a line, or after the ``{``
#: that opens a JSON front matter written on one line.
_LINE_KEY = re.compile(
    r"""[ \t]*(?:-[ \t]+|\{[ \t]*)?(?:"([^"\\\n]*)"|'([^'\n]*)'|([A-Za-z_][\w.-]*))[ \t]*:(?:[ \t]|$)""",
    re.M,
)
#: A key written just before a value (what ends with it, its ``:`` taken off): plain,
#: or in quotes (JSON's), at a line's start or after a space, a comma, ``{`` or ``[``.
_KEY_AT_END = re.compile(
    r"""(?:^|(?<=[ \t{,\[]))(?:"([^"\\\n]*)"|'([^'\n]*)'|([A-Za-z_][\w.-]*))\Z"""
)


def _quoted_whose(block: str, quote: int) -> str:
    """The quoted value that begins at ``quote`` in ``block``, as a message names it by
    its key: ``title's quoted value`` (``title: "…"``, or JSON's ``"title": "…"``, in a
    flow mapping ``{url: "…"}`` the key just before it), ``a quoted item of topics``
    (``topics: ["…"]``), or ``a quoted value`` when its line names no key (``- "…"``)."""
    start = block.rfind("\n", 0, quote) + 1
    before = block[start:quote].rstrip(" \t")
    if before.endswith(":"):  # (the key just before: its last 200 characters looked at)
        if (m := _KEY_AT_END.search(before[:-1].rstrip(" \t")[-200:])) is not None:
            return f"{_possessive(_key_shown(m))} quoted value"
    elif (m := _LINE_KEY.match(block, start, quote)) is not None:
        if before.endswith(("[", ",")):  # (an item of its list)
            return f"a quoted item of {_key_shown(m)}"
        return f"{_possessive(_key_shown(m))} quoted value"  # (after a tag: !!str "…")
    return "a quoted value"


def _key_shown(m: re.Match[str]) -> str:
    """The key a match of :data:`_LINE_KEY` or :data:`_KEY_AT_END` found, as a message
    shows it (escaped, cut)."""
    return shown_text(cut(next(g for g in m.groups() if g is not None), 60))


def _possessive(key: str) -> str:
    """``title's``, ``images'``: ``key`` as the owner of what follows."""
    return f"{key}'" if key.endswith("s") else f"{key}'s"


#: How a double-quoted YAML text writes each of :data:`_BREAK_NAMES` (no line break).
_BREAK_ESCAPES = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"}


def _quote_cut(block: str, at: int) -> int | None:
    """Where the quoted text begins that the line break only YAML sees at ``at`` in
    ``block`` cuts, followed by ``...`` or ``---`` (a document's end or start to
    YAML, at the start of a line: the quotes are never closed); else None."""
    if block[at + 1 : at + 4] not in ("...", "---") or block[at + 4 : at + 5] not in _SPACE_OR_END:
        return None
    try:
        _pyyaml(block)
    except yaml.YAMLError as e:
        begun, stopped = getattr(e, "context_mark", None), getattr(e, "problem_mark", None)
        if (getattr(e, "context", None) == "while scanning a quoted scalar" and begun
                and stopped and begun.index < at < stopped.index):  # fmt: skip
            return int(begun.index)
    except RecursionError:
        pass
    return None


#: What YAML reads each document marker as.
_DOCUMENT_MARKERS = {
    "...": "the end of the YAML document",
    "---": "the start of another YAML document",
}
#: What may follow a document marker (``...``) for YAML to read it as one.
_SPACE_OR_END = ("", " ", "\t", "\n", "\r", "\u2028", "\u2029", "\x85")


def split_front_matter(text: str, dots: bool = True) -> tuple[str, int]:
    """Return the YAML block and the number of file lines before it. ``dots=False``: the
    caller knows no line begins with ``...`` (:func:`closing_line`).

    Raises ``ValueError(line, message)`` when there is no front matter.
    """
    if not text or text.isspace():
        raise ValueError(1, "empty file: an article starts with a '---' line")
    start = text.find("\n") + 1  # (where the block starts: the text is not copied to
    # look in it; 0 when there is no line break)
    if (text[: start - 1] if start else text).rstrip() != "---":
        raise ValueError(
            1,
            "no front matter: the first line must be '---' (a file that is no "
            "article, a README: leave it out with site.exclude)",
        )
    end = _closing_line_from(text, start, dots) if start else None
    if end is None:
        raise ValueError(
            text.count("\n") + 1, "front matter is not closed: add a '---' line after it"
        )
    return text[start:end], 1


def closing_line(rest: str, dots: bool = True) -> int | None:
    """Where the first line that is ``---`` or ``...`` (then only spaces or tabs) starts
    in ``rest``, as ``re.search(r"^(---|\\.\\.\\.)[ \\t]*$", rest, re.M)`` finds it
    (Jekyll closes front matter with either), in a few ``find`` calls instead of a scan
    of every line by the regex engine: ``...`` looked for only above the ``---`` found
    (a body is not searched twice), and only with ``dots`` (a caller that found no
    ``\\n...`` in the file's bytes, where the search is a memchr's, says False: in a
    text of letters past Latin-1 it is a loop, 2 µs a front matter)."""
    return _closing_line_from(rest, 0, dots)


def _closing_line_from(text: str, start: int, dots: bool) -> int | None:
    """:func:`closing_line` of ``text[start:]`` (``start`` a line's start), as a
    position in ``text``."""
    end = _marker_line(text, "---", len(text), start)
    if not dots:
        return end
    found = _marker_line(text, "...", len(text) if end is None else end, start)
    return end if found is None else found


def _marker_line(rest: str, marker: str, stop: int, start: int = 0) -> int | None:
    """Where the first line that is ``marker`` (then only spaces or tabs) starts in
    ``rest``, found from ``start`` (a line's start) before ``stop``."""
    while True:
        if rest.startswith(marker, start):
            end = rest.find("\n", start)
            if not rest[start + 3 : len(rest) if end == -1 else end].strip(" \t"):
                return start
        start = rest.find("\n" + marker, start, stop) + 1
        if start == 0:
            return None


def parse_front_matter(
    path: str, data: bytes, only: frozenset[str] | None = None
) -> tuple[dict[str, Any], int]:
    """Bytes -> (mapping without ``secured``, line offset of the YAML block).

    With ``only``, nested values of the other keys may be checked but not built
    (:data:`feedpub.fastyaml.UNBUILT`): for a caller that reads no other key.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ArticleError(path, *not_utf8(data, e.start)) from None
    if b"\x00" in data:  # (UTF-8 has the byte only for the character: memchr, not a scan)
        if saved_as := wide(data):
            raise ArticleError(path, 1, saved_as)
        raise ArticleError(
            path, text[: text.index("\x00")].count("\n") + 1, "binary file (NUL byte)"
        )
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    conflict = _conflict_line(text) if _may_hold_markers(data) else None
    seen = -1
    if conflict is None:  # the common case: closed by "---", read on the fast path (which
        # refuses a block holding a "..." line: one that closes it, Jekyll's, is looked
        # for below only, a search of the whole front matter that costs every file 2 µs)
        try:
            block, offset = split_front_matter(text, dots=False)
        except ValueError:
            pass
        else:
            fast = fast_load(block, only, data)
            if isinstance(fast, dict):
                fast.pop("secured", None)
                return fast, offset
            seen = len(block)
    try:
        block, offset = split_front_matter(text)
    except ValueError as e:
        if conflict is not None:
            raise ArticleError(path, conflict, _CONFLICT) from None
        if e.args[1].startswith("front matter is not closed") and (body := _body_line(text)):
            raise ArticleError(path, body, f"front matter is not closed: add a '---' line "
                               f"above line {body}, where the article's text begins") from None  # fmt: skip
        raise ArticleError(path, e.args[0], e.args[1]) from None
    if conflict is not None and conflict <= offset + block.count("\n") + 1:  # (its ---)
        raise ArticleError(path, conflict, _CONFLICT)
    if len(block) != seen:  # (closed by "...", or a conflict outside it): read it now
        fast = fast_load(block, only, data)  # (None for anything PyYAML must decide)
        if isinstance(fast, dict):
            fast.pop("secured", None)
            return fast, offset
    refused = _guard(block)
    if refused:
        raise ArticleError(path, editor_line(block, refused[0]) + offset + 1, refused[1])
    try:
        loaded = _pyyaml(block)
    except yaml.MarkedYAMLError as e:
        if _YAML_BREAKS.search(block):  # (a line break to YAML, to an editor none)
            if misread := _misread_break(block, None, e):
                raise ArticleError(path, misread[0] + offset + 1, misread[1]) from None
            _editor_marks(block, e)
        mark, context = e.problem_mark or e.context_mark, e.context_mark
        if mark is not None and (
            found := _misplaced_space(block, mark.line)
            or _keyless_line(block, e)
            or _separator_first(block)
            or _dash_left_of_above(block, mark.line)
            or _key_out_of_line(block, mark.line)
            or _quote_left_open(block, e)
        ):
            raise ArticleError(path, found[0] + offset + 1, f"YAML error: {found[1]}") from None
        line = mark.line + offset + 1 if mark else offset + 1
        reason = e.problem or e.context or "invalid YAML"
        if e.problem and e.context and context is not None and context is not mark:
            reason += f" ({e.context}, which started at line {context.line + offset + 1})"
        if "could not determine a constructor" in reason:
            reason = "custom YAML tags are not allowed" + reason[reason.find(" for the tag") :]
            m = _KEY_VALUE.fullmatch(_line_of(block, mark.line)) if mark else None
            if m and re.match(r"!\S*[ \t]+[^\s#]", m[2]):  # (a tag, then text: a headline)
                reason += ": a text that begins with ! must be in double quotes"
        elif e.problem and e.problem.startswith("duplicate key"):  # (a merge kept both sides)
            first = context.line + offset + 1 if context is not None else None
            reason = f"{e.problem}: given twice, here and at line {first}: keep one"
        elif mark and "\t" in _indent(block, mark.line):  # (PyYAML's message may not say)
            reason += ": the line is indented with a tab; YAML indents with spaces only"
        elif (mark and (context is None or context.line == mark.line
                        or e.context == "while parsing a block mapping")
              and (hint := _quoting_hint(block, mark.line))):  # fmt: skip
            reason += f": {hint}"
        raise ArticleError(path, line, f"YAML error: {reason}") from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow in a file
        raise ArticleError(path, block.count("\n", 0, e.position) + offset + 1,
                           _not_allowed(e.character)) from None  # fmt: skip
    except (yaml.YAMLError, RecursionError) as e:
        raise ArticleError(path, offset + 1, f"YAML error: {type(e).__name__}") from None
    if _YAML_BREAKS.search(block) and (misread := _misread_break(block, loaded, None)):
        raise ArticleError(path, misread[0] + offset + 1, misread[1])
    if not isinstance(loaded, dict):
        kind = "empty" if loaded is None else f"a {type(loaded).__name__}"
        raise ArticleError(path, offset + 1, f"front matter must be a mapping of keys, not {kind}")
    loaded.pop("secured", None)
    return loaded, offset


#: A line that begins with a key (as YAML reads it, and as front matter writes one).
_KEY_LINE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)")


def _body_line(text: str) -> int | None:
    """In ``text``, a file whose front matter has no closing ``---``, the line (from 1)
    where the article's text begins, when it can be told: the first line of prose (a
    line at the start of its line that begins with a letter or digit and is no key),
    after a blank line or a Markdown heading (``#``, a comment to YAML), the lines above
    being front matter YAML reads (keys, the lines under them, list items), ended by a
    key with a value; its first line is the first after them that is not blank. None
    when it is not that plain (a key not of the article format after a blank line, a
    line that begins with another character, prose right under a key)."""
    lines = text.split("\n")
    last = 0  # the last line of the front matter, as far as it goes
    for n, line in enumerate(lines[1:], 1):
        if not line.strip() or line[0] == "#":
            continue
        if line[0] in " \t" or (line[0] == "-" and line[1:2] in (" ", "\t", "")):
            last = n
        elif key := _KEY_LINE.match(line):
            if not lines[n - 1].strip() and key[1] not in KNOWN_KEYS:
                return None  # (a paragraph that begins "Note: …" looks like one)
            last = n
        elif line[0].isalnum() and n - 1 > last:
            break
        else:
            return None
    else:
        return None
    if not _KEY_VALUE.fullmatch(lines[last]) and lines[last][:1] not in " \t-":
        return None  # (a key with no value: the text below may be meant for it)
    events = yaml.parse("\n".join(lines[1 : last + 1]), Loader=yaml.CSafeLoader)
    try:  # (events, not objects: no depth to fear)
        if [type(event) for _, event in zip(range(3), events, strict=False)][2:] != [
            yaml.MappingStartEvent
        ]:
            return None
        for _ in events:  # (to the end: the lines above are YAML)
            pass
    except yaml.YAMLError:
        return None
    return next(i for i in range(last + 1, len(lines)) if lines[i].strip()) + 1


_UTF16 = 'the file is saved as UTF-16 (Notepad\'s "Unicode"): save it as UTF-8'
_UTF32 = "the file is saved as UTF-32: save it as UTF-8"


def utf16(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16 or UTF-32 (see :func:`wide`)."""
    return wide(data) is not None


def wide(data: bytes) -> str | None:
    """The message for ``data`` saved as UTF-16 or UTF-32, else None. UTF-16: a byte
    order mark (FF FE or FE FF, as Notepad writes its "Unicode"), or none but a NUL
    every other byte in its first 256 (the high bytes of ASCII characters), and none
    between them. UTF-32: its byte order mark (FF FE 00 00 or 00 00 FE FF), or none but
    each character's highest byte NUL, most of its next two, and its lowest none (ASCII
    characters; UTF-16's have a letter in the place of UTF-32's third byte)."""
    head = data[:256]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _UTF32
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _UTF16
    for top, high, letters in (
        (head[3::4], head[1::4] + head[2::4], head[0::4]),  # (little-endian)
        (head[0::4], head[1::4] + head[2::4], head[3::4]),  # (big-endian)
    ):
        if (len(letters) >= 2 and not top.strip(b"\x00") and high.count(0) * 2 > len(high)
                and 0 not in letters):  # fmt: skip
            return _UTF32
    for zeros, letters in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if len(zeros) >= 2 and zeros.count(0) * 2 > len(zeros) and 0 not in letters:
            return _UTF16
    return None


def not_utf8(data: bytes, at: int) -> tuple[int, str]:
    """The line (from 1) and the reason for the file ``data`` that is no UTF-8 from
    its byte ``at``: UTF-16 or UTF-32, a binary file, or else the line and column (in characters,
    from 1, as an editor counts them) of the byte, and the character it is in
    Windows-1252, the encoding a Windows editor saves in when not told UTF-8."""
    if saved_as := wide(data):
        return 1, saved_as
    if b"\x00" in data:  # (a NUL and bytes that are no UTF-8: no text at all, a PNG say)
        return 1, "binary file (NUL byte)"
    before = data[:at].replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # (as the text's lines)
    start = before.rfind(b"\n") + 1
    line, column = before.count(b"\n") + 1, len(before[start:].decode("utf-8")) + 1
    byte = data[at]
    where = f"invalid UTF-8 at line {line}, column {column}: the byte {byte:02X}"
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # (81, 8D, 8F, 90, 9D: no character there)
        return line, f"{where}: save the file as UTF-8"
    if not char.isprintable():  # (a no-break space, a soft hyphen)
        import unicodedata  # (an error's words only)

        char = f"a {unicodedata.name(char, 'character').lower()} (U+{ord(char):04X})"
    return line, f"{where}, {char} in Windows-1252: save the file as UTF-8"


_CONFLICT = (
    "unresolved git merge conflict (its <<<<<<<, ======= and >>>>>>> lines): keep the "
    "right version, remove the marker lines, then commit"
)
#: The lines of a merge conflict git writes that no article has: ``<<<<<<<`` (ours),
#: ``|||||||`` (the base, with diff3), ``>>>>>>>`` (theirs), each then a space and a
#: name or nothing, with seven characters or more (``conflict-marker-size``).
_CONFLICT_LINE = re.compile(r"(<{7,}|\|{7,}|>{7,})(?: .*)?")
_MARKERS = ("<<<<<<<", "|||||||", ">>>>>>>")


def _may_hold_markers(data: bytes) -> bool:
    """Whether the bytes of a file (its text's, but for the line breaks) may hold a
    marker of :data:`_MARKERS`: each looked for only where its one character is, as
    a search for one byte is a ``memchr``, several times faster than one for seven."""
    return (
        (b"<" in data and b"<<<<<<<" in data)
        or (b"|" in data and b"|||||||" in data)
        or (b">" in data and b">>>>>>>" in data)
    )


def _conflict_line(text: str) -> int | None:
    """The line (from 1) of the first line of a merge conflict in ``text`` (see
    :data:`_CONFLICT_LINE`: one left when the rest was removed counts), else None.
    Linear: each marker's lines are found by ``find``, each from the last.
    (``=======`` alone is a Markdown heading's underline as well: not looked for.)"""
    first = len(text)
    for marker in _MARKERS:
        at = 0 if text.startswith(marker) else text.find("\n" + marker) + 1
        while 0 <= at < first and (at > 0 or text.startswith(marker)):
            end = text.find("\n", at)
            if _CONFLICT_LINE.fullmatch(text, at, len(text) if end == -1 else end):
                first = at
                break
            at = text.find("\n" + marker, at + 1) + 1
            if at == 0:
                break
    return text.count("\n", 0, first) + 1 if first < len(text) else None


#: A ``key: value`` line (or ``- key: value``), its key and its value.
_KEY_VALUE = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*:[ \t]+(\S(?:.*\S)?)[ \t]*")
#: The keys whose values are lists or mappings, never a text to quote.
_STRUCTURED = frozenset({"topics", "images", "related", "provider"})
#: What begins a value YAML does not read as plain text: a flow collection, an alias or
#: an anchor, a block scalar's indicator, and characters it keeps for itself.
_NOT_PLAIN = "[{*&|>@`%"
#: Where a comment begins after a plain value: a "#" after a space or a tab.
_COMMENT_START = re.compile("[ \t]#")
#: A word processor's quotes, which YAML reads as letters.
_CURLY = "".join(WORD_QUOTES)


def _quoting_hint(block: str, line: int) -> str:
    """What to do when YAML cannot read line ``line`` (from 0) of ``block`` because of
    a value written unquoted, or quoted with its own quote inside (``title: Q&A: Azure``,
    ``title: [Update] news``, ``title: "He said "hi""``); "" when it is not that."""
    text = _line_of(block, line)
    m = _KEY_VALUE.fullmatch(text)
    indent = len(_indent(block, line))
    before = line - 1  # the line above, if this one goes on its text (a plain value
    while before >= 0 and not _line_of(block, before).strip():  # wrapped over lines)
        before -= 1
    above = _KEY_VALUE.fullmatch(_line_of(block, before)) if before >= 0 else None
    if (
        m
        and indent
        and m[1] in KNOWN_KEYS
        and above
        and not _indent(block, before)
        and above[1] not in _STRUCTURED
    ):  # (a key of the article's, indented under the one above by mistake)
        return (
            f"{m[1]} is a key of its own, indented under {above[1]}: remove the spaces "
            f"before {m[1]}: so that it starts its line"
        )
    while before >= 0 and above is None and indent:  # (up the lines the value goes on to)
        if len(_indent(block, before)) < indent:
            break  # (a line of the text is no key's, and indented as this one or more)
        before -= 1
        while before >= 0 and not _line_of(block, before).strip():
            before -= 1
        above = _KEY_VALUE.fullmatch(_line_of(block, before)) if before >= 0 else None
    if (
        above
        and above[2][0] not in "\"'|>"
        # (two spaces further in, as a YAML writer wraps a text: one is a mistyped indent)
        and indent >= 2 + len(_indent(block, before))
    ):
        return "" if above[1] in _STRUCTURED else (
            f'a value that holds ": " must be quoted: write {above[1]}: "…" (each " inside '
            'it as \\")'
        )  # fmt: skip
    if m is None:
        return ""
    key, value = m.groups()
    if key in _STRUCTURED:
        return ""  # a list or a mapping: no text to quote
    if value[0] not in "\"'" and (m := _COMMENT_START.search(value)):  # (not the value's)
        value = value[: m.start()].rstrip(" \t")
        if value.endswith(":"):  # (``Price cut: #2 …``: its ": " is before the "#")
            value += " "
    if value[0] in _CURLY:
        return (
            f'“ ” and ‘ ’ are no quotes to YAML: write {key}: "…" with straight quotes '
            '(each " inside it as \\")'
        )
    if value[0] in "[{" and value[-1] in "]}":
        return ""  # a list or a mapping, wrong inside: not a text to quote
    if value[0] == '"' and value.count('"') > 2:
        return (
            f'a double-quoted value ends at its second ": write each " inside the '
            f'value of {key} as \\"'
        )
    if value[0] == "'" and value.count("'") > 2:
        return (
            f"a single-quoted value ends at its second ': write each ' inside the "
            f"value of {key} as '' (two), or put the value in double quotes"
        )
    if value[0] in _NOT_PLAIN or ": " in value or ":\t" in value:
        what = f"begins with {value[0]}" if value[0] in _NOT_PLAIN else 'holds ": "'
        return f'a value that {what} must be quoted: write {key}: "…" (each " inside it as \\")'
    return ""


#: Spaces that are no space to YAML (a word processor's no-break space, pasted with the
#: text): YAML reads one as a letter of a key or a value.
_ODD_SPACES = "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u3000"
#: What follows a line's indentation when it is a list's item or a key.
_ITEM_OR_KEY = re.compile(rf"-[ \t{_ODD_SPACES}]|[A-Za-z_][\w.-]*:")
#: A key followed by such a space: ``(the odd space)``.
_ODD_AFTER_KEY = re.compile(rf"[ \t]*(?:-[ \t]+)?[A-Za-z_][\w.-]*:([{_ODD_SPACES}])")


def _odd_space(text: str) -> tuple[str, bool] | None:
    """The space YAML takes as a letter (:data:`_ODD_SPACES`) in ``text``'s indentation
    before a key or a ``-`` (then True), or right after a key's colon (False); else
    None. (In code, not one expression: this is linear in the line however it is made.)"""
    rest = text.lstrip(" \t" + _ODD_SPACES)
    lead = text[: len(text) - len(rest)]
    odd = next((c for c in lead if c in _ODD_SPACES), None)
    if odd is not None and _ITEM_OR_KEY.match(rest):
        return odd, True
    if m := _ODD_AFTER_KEY.match(text):
        return m[1], False
    return None


def _misplaced_space(block: str, line: int) -> tuple[int, str] | None:
    """The first line up to ``line`` (from 0) of ``block`` that YAML cannot read for a
    no-break space (or another space that is no space to YAML) where it needs a plain
    one: in the indentation, or after a key's colon; None when there is none. (YAML
    stops a line or two below it, with words that do not name it.)"""
    if not any(c in block for c in _ODD_SPACES):
        return None
    for n, text in enumerate(block.split("\n", line + 1)[: line + 1]):
        if found := _odd_space(text):
            char, indented = found
            import unicodedata  # (an error's words only)

            name = "no-break space" if char == "\u00a0" else unicodedata.name(char).lower()
            key = shown_text(text.split(":", 1)[0].strip(" \t-")[:40])
            where = "in the indentation" if indented else f"after {key}:"
            return n, (
                f"a {name} (U+{ord(char):04X}) {where}, where YAML needs a plain space: "
                "retype it as a space"
            )
    return None


#: A key written with no space after its colon (``title:"Azure"``), but not a URL's
#: ``https:``.
_NO_SPACE = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][\w.-]*):[^\s/]")


#: The line that parts the two versions of a git merge conflict (``=======``).
_SEPARATOR_LINE = re.compile(r"={7,}[ \t]*")
#: A key of the format and its value with no colon between (``published true``), or a
#: full-width one (``type：article``, as a CJK input method writes it).
_NO_COLON = re.compile(r"[ \t]*([A-Za-z_][\w-]*)(?:[ \t]+|[ \t]*：[ \t]*)(\S(?:.*\S)?)[ \t]*")


_SEPARATOR = (
    "a line left from a git merge conflict (=======, between the two versions): keep the "
    "right version of the lines around it and remove this line"
)


def _dash_left_of_above(block: str, line: int) -> tuple[int, str] | None:
    """Line ``line`` (from 0) of ``block`` when it is a list's item whose dash is left of
    the dash of the item above (``  - Azure`` then `` - AI``: YAML ends the list there,
    and stops with "did not find expected key"), the lines between them (the item
    above's own, wrapped or a mapping's) indented deeper; and the advice. Else None.
    (Up the lines once, stopped at the first that is not deeper: linear.)"""
    text = _line_of(block, line)
    item = text.lstrip(" ")
    if item[:1] != "-" or item[1:2] not in (" ", "\t", ""):
        return None
    indent = len(text) - len(item)
    dash = None  # the outermost dash above, of the lines deeper than this one
    for n in range(line - 1, -1, -1):
        above = _line_of(block, n)
        written = above.lstrip(" ")
        if not written.strip(" \t") or written[:1] == "#":
            continue  # (a blank line, a comment)
        deeper = len(above) - len(written)
        if deeper <= indent:
            break
        if written[:1] == "-" and written[1:2] in (" ", "\t", ""):
            dash = deeper if dash is None else min(dash, deeper)
    if dash is None:
        return None
    return line, (
        f"this list item's dash must line up with the one above: put {counted(dash, 'space')} "
        f"before its - (it has {indent})"
    )


#: A line's indentation, then a list item's dash and its spaces if any, then a key and
#: its value if any.
_NESTED_KEY = re.compile(r"( *)(?:(-)( +))?([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(\S.*)?)?")


def _key_out_of_line(block: str, line: int) -> tuple[int, str] | None:
    """Line ``line`` (from 0) of ``block`` when it is a nested key (under ``provider``,
    in an item of ``images`` or ``related``) indented to a column no key above it is at
    (``  - title: …`` then ``   excerpt: …``: libyaml said "did not find expected '-'
    indicator", "did not find expected key" or "mapping values are not allowed", no word
    of what to do), and the advice: line it up with the key just above, or, left of that
    key's parent too, with the nearer of the two keys it falls between (never with a
    line of a block scalar's text, ``Note: …`` under ``excerpt: |``: put there, the key
    was read as text). Else None (a top-level key indented by mistake has its own
    words, in :func:`_quoting_hint`). (Up the lines once, stopped at the first key at
    column 0, after one pass down them for the block scalars' text: linear.)"""
    m = _NESTED_KEY.fullmatch(_line_of(block, line))
    if m is None or m[2]:
        return None
    indent = len(m[1])
    levels: list[tuple[int, str]] = []  # (column, key): the key above, then its parents
    limit = 1 << 30  # a parent's column is left of this (of every key's and dash between)
    dash: tuple[int, int, int] | None = None  # the key above's item: (line, dash, key column)
    opener: tuple[int, str] | None = None  # (column, key) of a key with no value over it
    first_line = -1  # the line of the key above
    looked = False  # at the key line over it
    text = _block_scalar_lines(block, line)  # (an excerpt: |'s lines: no key, whatever
    for n in range(line - 1, -1, -1):  # they hold: put in line with one, a key is text)
        above = _line_of(block, n)
        if not above.strip(" ") or above.lstrip(" ")[:1] == "#" or n in text:
            continue
        k = _NESTED_KEY.fullmatch(above)
        if k is None:
            if not levels:
                return None  # (the line above goes on a value: not a key's line)
            continue
        column = len(k[1]) + len(k[2] or "") + len(k[3] or "")
        if not levels and k[5] is None and column < indent:
            return None  # (the first key under one with no value: any column is its)
        if levels and not looked:  # (the key line over the key above)
            looked = True
            if k[5] is None and not k[2] and column < indent:
                opener = column, k[4]
        if column < limit:
            levels.append((column, k[4]))
            if len(levels) == 1:
                first_line = n
                dash = (n, len(k[1]), column) if k[2] else None
        limit = min(limit, len(k[1]) if k[2] else column)
        if limit == 0:
            break
    if not levels or levels[0][0] == 0 or any(c == indent for c, _ in levels):
        return None
    if (dash is not None and indent >= dash[2] - dash[1]
            and _next_indent(block, line) == indent):  # fmt: skip
        at, left, column = dash  # (the lines below line up with this one: the dash is off)
        put = indent - (column - left)
        return at, (
            f"the keys of this list item are at {indent} spaces on the lines below it: put "
            f"{counted(put, 'space')} before its - (it has {left})"
        )
    if opener is not None and (  # (the key above is the first under its parent, and off:
        opener[0] == levels[0][0]  # at its parent's column, which left the parent empty,
        or _next_indent(block, line) == indent  # or the keys below line up with this one)
    ):
        key = levels[0][1]
        return first_line, (
            f"the keys under {opener[1]}: are at {indent} spaces on the lines below it: put "
            f"{counted(indent, 'space')} before {key}: (it has {levels[0][0]})"
        )
    column, key = levels[0]
    if indent < column:
        out = next((i for i, (c, _) in enumerate(levels) if c < indent), len(levels))
        if out > 1:  # (left of the key above's parent too: the nearer of the two)
            inner, outer = levels[out - 1], levels[out] if out < len(levels) else None
            near = outer is not None and indent - outer[0] < inner[0] - indent
            column, key = outer if outer is not None and near else inner
    return line, (
        f"{m[4]}: lines up with no key above: put {counted(column, 'space')} before it, "
        f"as {key}: above has (it has {indent})"
    )


#: A block scalar's header line: a key's (after a list item's dash if any), or a list
#: item's, ``|`` or ``>``, then its indentation indicator (1-9) and chomping one if any.
_BLOCK_HEADER = re.compile(r"( *)(- +)?(?:([A-Za-z_][\w.-]*)[ \t]*:[ \t]+)?"
                           r"[|>]([1-9]?)[+-]?([1-9]?)(?:[ \t]+#.*)?[ \t]*")  # fmt: skip


def _block_scalar_lines(block: str, line: int) -> set[int]:
    """The lines (from 0) above line ``line`` of ``block`` that are the text of a block
    scalar (``excerpt: |``, then the lines under it, each indented at least as the
    first): one pass down them."""
    lines, n = _lines(block), 0
    text: set[int] = set()
    while n < line:
        m = _BLOCK_HEADER.fullmatch(lines[n])
        n += 1
        if m is None or not (m[2] or m[3]):
            continue
        # (the column of the mapping it is a key of, or of the list it is an item of)
        parent = len(m[1]) + len(m[2] or "") if m[3] else len(m[1])
        given = m[4] or m[5]
        content = parent + int(given) if given else None
        k = n
        while k < line:
            if lines[k].strip(" "):
                indent = len(lines[k]) - len(lines[k].lstrip(" "))
                content = indent if content is None else content
                if indent < content or indent <= parent:
                    break
            k += 1
        text.update(range(n, k))
        n = k
    return text


def _next_indent(block: str, line: int) -> int | None:
    """How many spaces begin the first line below line ``line`` (from 0) of ``block``
    that is neither blank nor a comment; None at the end."""
    for n in range(line + 1, len(_lines(block))):
        text = _line_of(block, n)
        if text.strip(" ") and text.lstrip(" ")[:1] != "#":
            return len(text) - len(text.lstrip(" "))
    return None


def _quote_left_open(block: str, e: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """A quoted value never closed (``title: "Broken``: libyaml reads on to the end of
    the front matter, and says so there): its line, and what to write. (The error's
    path only: the line is read once.)"""
    context = e.context_mark
    if (context is None or e.problem != "found unexpected end of stream"
            or not (e.context or "").startswith("while scanning a quoted scalar")):  # fmt: skip
        return None
    text = _line_of(block, context.line)
    quote = text[context.column : context.column + 1] if context.column < len(text) else ""
    if quote not in ('"', "'"):
        return None
    key = _KEY_VALUE.fullmatch(text)
    whose = f"the value of {key[1].strip()}" if key else "a text"
    inside = '\\"' if quote == '"' else "''"
    return context.line, (
        f"the {quote} that opens {whose} on this line is never closed: end the value with "
        f"{quote} (a {quote} inside it is written {inside})"
    )


def _separator_first(block: str) -> tuple[int, str] | None:
    """The first line of ``block`` that is not blank (a YAML error's block), when it is a
    merge conflict's ``=======``: YAML reads it as the text of a key that goes on to the
    next line, and stops there with words that do not name it. (The lines before it are
    blank: linear, and stopped at the first that is not.)"""
    for n, text in enumerate(_lines(block)):
        if text.strip(" \t"):
            return (n, _SEPARATOR) if _SEPARATOR_LINE.fullmatch(text) else None
    return None


def _keyless_line(block: str, e: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """Where YAML gave up looking for a line's colon (``while scanning a simple key``:
    libyaml says so at the line below): that line, and what to write, for a key with
    no space after its colon and for a line of text that goes on the value above
    unindented; None for any other error."""
    context = e.context_mark
    if e.context != "while scanning a simple key" or context is None:
        return None
    text = _line_of(block, context.line)
    if _SEPARATOR_LINE.fullmatch(text):
        return context.line, _SEPARATOR
    if m := _NO_SPACE.match(text):
        return context.line, f"put a space after {m[1]}:"
    if (m := _NO_COLON.fullmatch(text)) and (  # (a key as written, or one word after it:
        m[1] in KNOWN_KEYS or (" " not in m[2] and likely_meant(m[1], KNOWN_KEYS, 0))
    ):  # "Related coverage was …" is a line of text going on unindented)
        key = m[1] if m[1] in KNOWN_KEYS else likely_meant(m[1], KNOWN_KEYS, 0)
        value = shown_text(m[2] if len(m[2]) <= 40 else f"{m[2][:39]}…")  # (no control)
        return context.line, f"a key needs a colon after it: write {key}: {value}"
    before = context.line - 1
    while before >= 0 and not _line_of(block, before).strip():
        before -= 1
    above = _line_of(block, before) if before >= 0 else ""
    owner = _KEY_VALUE.fullmatch(above)
    if above.strip() and ":" not in text and (owner is None or owner[1] not in _STRUCTURED):
        return context.line, (
            "this line has no key: indent it to continue the value above, or put the value "
            "in double quotes on one line"
        )
    return None


def _line_of(block: str, line: int) -> str:
    """Line ``line`` (from 0) of ``block``."""
    lines = _lines(block)
    return lines[line] if 0 <= line < len(lines) else ""


@functools.lru_cache(maxsize=1)
def _lines(block: str) -> tuple[str, ...]:
    """The lines of ``block``, split once for the hints that walk up them (each split
    again for every line walked was quadratic in a file's lines)."""
    return tuple(block.split("\n"))


def _indent(block: str, line: int) -> str:
    """The white space that begins line ``line`` (from 0) of ``block``."""
    text = _line_of(block, line)
    return text[: len(text) - len(text.lstrip(" \t"))]


def _not_allowed(character: int | str) -> str:
    """What to do about a character PyYAML's reader refuses (a control character, say)."""
    char = character if isinstance(character, int) else ord(character)
    fix = "remove it"
    if not 0xD800 <= char <= 0xDFFF:  # (a surrogate has no escape that makes it)
        escape = f"\\x{char:02x}" if char < 0x100 else f"\\u{char:04x}"
        fix += f', or write it as an escape inside double quotes ("{escape}")'
    return f"YAML error: the character U+{char:04X} is not allowed in a YAML file: {fix}"


#: The lines that close front matter (then only spaces or tabs), as Jekyll's: ``---``,
#: or ``...`` (YAML's end of a document).
_CLOSING = ("---", "...")


def _front_matter_lines(text: str) -> list[str]:
    """The lines of ``text`` (a file's, its line breaks ``\\n``) up to the end of its front
    matter (not its body's, where a line may begin as a key does)."""
    lines = text.removeprefix("\ufeff").split("\n")
    end = next((n for n, x in enumerate(lines[1:], 1) if x.rstrip(" \t") in _CLOSING), len(lines))
    return lines[:end]


def _key_lines(text_lines: list[str]) -> dict[str, int]:
    """Line number (1-based) of each top-level key in the file."""
    lines: dict[str, int] = {}
    for n, line in enumerate(text_lines, 1):
        m = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if m:
            lines.setdefault(m.group(1), n)
    return lines


def _lines_of_keys(data: bytes, keys: set[str] | None) -> dict[str, int]:
    """The line (from 1) of each of ``keys`` (None: of every one), top-level keys of the
    article file ``data``, as an editor counts lines: found in the text where a key is
    written plainly, else as YAML reads the keys (quoted, with a no-break space in it:
    ``"titel\\e"``; a JSON front matter's, ``"title":`` on a line of its own), up to the
    last one sought (its events, not a tree: a tree of a large front matter took seconds
    to make and collect)."""
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # (as an editor counts lines)
    lines = {k: n for k, n in _key_lines(_front_matter_lines(text)).items()
             if keys is None or k in keys}  # fmt: skip
    if keys is not None and len(lines) == len(keys):
        return lines
    import yaml

    try:
        block, offset = split_front_matter(text)
        to_editor = editor_lines(block)
        depth, key_next = 0, False
        for event in yaml.parse(block, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 1 and key_next:  # (a key that is a mapping: no text)
                    key_next = False
                depth += 1
                key_next = key_next if depth > 1 else isinstance(event, yaml.MappingStartEvent)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 1:
                    key_next = True  # (a value ended: a key comes next)
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)) and depth == 1:
                mark = event.start_mark
                if (
                    key_next
                    and isinstance(event, yaml.ScalarEvent)
                    and (keys is None or event.value in keys)
                    and mark
                ):
                    lines.setdefault(event.value, to_editor(mark.line) + offset + 1)
                    if keys is not None and len(lines) == len(keys):
                        break
                key_next = not key_next
    except (ValueError, yaml.YAMLError):
        pass
    return lines


# --------------------------------------------------------------------------- fields


class FieldError(Exception):
    """A top-level field is unusable; ``key`` locates the line. ``missing``: the keys
    whose absence it is (one of them misspelt is named instead, at its line)."""

    def __init__(self, key: str, message: str, missing: tuple[str, ...] = ()) -> None:
        self.key = key
        self.missing = missing
        super().__init__(message)


def _yaml_timestamp(text: str) -> date | None:
    """``text`` as the date YAML makes of it unquoted (RFC 3339's lower-case ``t`` and
    ``z`` too), or None. One YAML refuses unquoted (``2021-02-29``, ``23:59:60``, an
    offset of ``+24:00``) raises ValueError with YAML's reason: in quotes, as JSON front
    matter writes every date, it was told to "use ISO 8601", which it does."""
    text = text.upper() if text[:1].isdigit() else text
    if not _TIMESTAMP.match(text):
        return None
    node = yaml.nodes.ScalarNode("tag:yaml.org,2002:timestamp", text)
    try:
        return yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as e:
        m = yaml.constructor.SafeConstructor.timestamp_regexp.match(text)
        raise ValueError(_impossible(m, e) if m else str(e)) from None


#: YAML 1.1's timestamp, as PyYAML resolves one.
_TIMESTAMP = next(
    r for tag, r in yaml.resolver.Resolver.yaml_implicit_resolvers["2"] if tag.endswith("timestamp")
)


#: What follows the time of an RFC 822 date: its zone.
_RFC822_ZONE = re.compile(r"[0-9][:.][0-9]{1,2}(?:[:.][0-9]{1,2})?\s+(\S+)")
#: An offset written as ISO 8601 writes one, in an RFC 822 date (``+02:00``).
_COLON_OFFSET = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")
#: A comment of an RFC 822 date with no comment inside it (its quoted pairs, ``\)``,
#: taken out first), and white space before a comma (RFC 5322's CFWS, 3.3).
_RFC822_COMMENT = re.compile(r"\([^()]*\)")
_RFC822_QUOTED_PAIR = re.compile(r"\\[()\\]")
_RFC822_SPACE_COMMA = re.compile(r"\s+,")
#: The time of an RFC 822 date (``21:00``, ``21.00``), not an offset (``+02:00``, which
#: email.utils reads as the time 02:00 where the date has none); as email.utils takes one
#: (``9:5``, ``021:00``).
_RFC822_TIME = re.compile(r"(?<![0-9+-])[0-9]+[:.][0-9]")


def rfc822_text(text: str) -> str:
    """An RFC 822 date as :mod:`email.utils` reads one: its comments (``+0000(GMT)``,
    ``Thu(rsday), 9 Feb``, nested) and the white space before its comma (``Thu , 9
    Feb``), which RFC 5322 allows and email.utils does not, taken out. A text over 200
    characters, which is no date, is left as it is (a comment nested 10,000 deep would
    take as many passes)."""
    if ("(" not in text and "," not in text) or len(text) > 200:
        return text
    text = _RFC822_QUOTED_PAIR.sub("", text)
    while "(" in text:
        text, n = _RFC822_COMMENT.subn(" ", text)
        if not n:
            break
    return _RFC822_SPACE_COMMA.sub(",", text)


_MICROSECOND = timedelta(microseconds=1)


def to_utc(value: object, tz: tzinfo, key: str) -> datetime:
    """A YAML datetime / date / string -> aware UTC datetime without microseconds."""
    if isinstance(value, datetime) and value.tzinfo is UTC and value.year >= 1970:
        # (as YAML gives ``...Z``: what the steps below give; its microseconds taken
        # away, as replace() sets them to 0 at twice the cost)
        return value - _MICROSECOND * value.microsecond if value.microsecond else value
    dt = as_written(value, key)
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=tz)
    try:
        dt = dt.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        raise FieldError(key, f"{key} is out of range") from None
    if dt.year < 1970:  # (its day as isoformat writes it: strftime's %Y writes 0001 as 1)
        raise FieldError(key, f"{key} {dt.date().isoformat()} is before 1970: check the year")
    return dt


#: A year alone, or a year and its month (ISO 8601's reduced precision, Atom 0.3's and
#: Dublin Core's dates); a time whose second is 60 (a leap second).
_YEAR_OR_MONTH = re.compile(r"[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?")
_LEAP_SECOND = re.compile(r"[0-9]:[0-5][0-9]:60(?![0-9])")


def _not_a_date(key: str, s: str) -> str:
    """What to say of a text that no reading of a date takes: what it is, where it is a
    year or a month alone (``2003``, ``2002-12``, ISO 8601 all the same) or holds a leap
    second (``23:59:60``, which no date here holds, in any form); else to use ISO 8601."""
    if _YEAR_OR_MONTH.fullmatch(s):
        return (f"{key} {s!r} is a year or a month, not a day: write the day and time, "
                f"as {s}{'-01' * (2 - s.count('-'))}T00:00:00Z")  # fmt: skip
    if _LEAP_SECOND.search(s):
        return (f"{key} {s[:40]!r} has a leap second (:60), which no date here holds: "
                "write :59")  # fmt: skip
    return f"{key} {s[:40]!r} is not a date: use ISO 8601 like 2020-05-19T21:00:00Z"


def as_written(value: object, key: str) -> datetime:
    """A YAML datetime / date / string -> the datetime it writes, with its offset or
    without one (then in the site's zone: :func:`to_utc`); FieldError, saying why, for
    one that is no date."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        s = value.strip()
        try:
            return datetime.fromisoformat(s)
        except ValueError:
            # a date as YAML reads one unquoted (2020-5-9T21:00:00Z, an offset of +5): the
            # same in quotes, as JSON front matter always writes it
            try:
                stamp = _yaml_timestamp(s)
            except ValueError as e:
                raise FieldError(key, f"{key} {s[:40]!r} is an impossible date ({e})") from None
            if stamp is not None:
                return as_written(stamp, key)
            import email.utils  # for the rare RFC 822 date: 12 ms to import

            plain = rfc822_text(s)
            try:
                dt = email.utils.parsedate_to_datetime(plain)
            except (TypeError, ValueError, IndexError):
                raise FieldError(key, _not_a_date(key, s)) from None
            if not _RFC822_TIME.search(plain):  # ("Sun, 29 Mar 2026 +02:00": no 02:00)
                raise FieldError(key, _not_a_date(key, s)) from None
            if dt.tzinfo is None and (
                zone := _RFC822_ZONE.search(plain) or _RFC822_ZONE.search(s)
            ):  # (a zone in a comment alone, "21:00:00 (CEST)", is one not known)
                # a zone email.utils gives no offset for: -0000 is UTC (RFC 5322, 3.3: the
                # sender's own zone unknown); +02:00 is an offset, written as in ISO 8601;
                # any other (BST, CEST) is not known here
                if zone[1] == "-0000":
                    dt = dt.replace(tzinfo=UTC)
                elif m := _COLON_OFFSET.fullmatch(zone[1]):
                    offset = timedelta(hours=int(m[2]), minutes=int(m[3]))
                    if offset >= timedelta(hours=24):  # (+24:00: timezone() raised)
                        raise FieldError(key, f"{key} {s[:40]!r} is an impossible date (its "
                                         "UTC offset must be under 24 hours)") from None  # fmt: skip
                    dt = dt.replace(tzinfo=timezone(-offset if m[1] == "-" else offset))
                else:
                    raise FieldError(key, f"{key} {s[:60]!r}: the zone {zone[1][:40]!r} is "
                                     "unknown: write its offset from UTC instead, as +hhmm "
                                     "(+0200 for CEST)") from None  # fmt: skip
            return dt
    if type(value) is int and 1900 <= value < 2200:
        # a year written unquoted (2003), which YAML reads as a number; not one YAML 1.1
        # made of a time (20:03 is 1203, base 60: it would be told of a year not written)
        raise FieldError(key, _not_a_date(key, str(value)))
    raise FieldError(key, f"{key} must be a date like 2020-05-19T21:00:00Z")


def _text(d: dict[str, Any], key: str, *, required: bool = False, **kw: Any) -> str:
    value = d.get(key)
    if value is None:
        if required:
            raise FieldError(key, f"{key} is missing")
        return ""
    if not isinstance(value, str):
        kind = "a date" if isinstance(value, date) else _KINDS_OF_VALUE.get(type(value), "")
        raise FieldError(key, f"{key} must be text, not {kind or type(value).__name__}: put it "
                         "in double quotes")  # fmt: skip
    return clean_text(value, **kw)


#: The ints a float holds exactly (a float's 53 bits): finite, never an OverflowError.
_EXACT = 2**53
#: A number written as a text (``quality: "95"``, as some writers quote every value).
_NUMBER_TEXT = re.compile(r"[ \t]*[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})[ \t]*")


def _number(value: object) -> float | None:
    if type(value) is int and -_EXACT <= value <= _EXACT:  # (nearly every one: as below)
        return float(value)
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)  # an int of 400 digits does not fit: OverflowError
    except OverflowError:
        return None
    return number if math.isfinite(number) else None  # (no NaN, no infinity)


#: A size written as a text (``width: "1200"``, as some writers quote every value; with
#: a zero fraction, ``"675.0"``, as the number 675.0 is read).
_DIMENSION_TEXT = re.compile(r"[ \t]*\+?([0-9]{1,7})(?:\.0+)?[ \t]*")


def _dimension(value: object) -> int | None:
    """A picture's width or height in pixels: a whole number, written as one, as text
    (``"1200"``) or with a zero fraction (``675.0``), as a quality may be; else None
    (the picture is kept without it)."""
    if isinstance(value, str) and (m := _DIMENSION_TEXT.fullmatch(value)):
        value = int(m[1])
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 1_000_000:
        return None
    return value


def _mapping_list(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value[:MAX_LIST]:
            if isinstance(item, dict):
                yield item


#: An image URL a feed can carry as an enclosure and as Media RSS: its host a domain
#: name of two labels or more (or an IPv4 address), as the W3C validator asks of them
#: (``https://localhost/a.jpg`` or a host that ends with a dot is an error there).
_IMAGE_URL = re.compile(r"https?://(?:[a-z0-9-]+\.)+[a-z0-9][a-z0-9-]*(?::[0-9]+)?(?:[/?#]|\Z)")


def _images(value: object) -> tuple[Image, ...]:
    out: list[Image] = []
    seen: set[str] = set()
    for item in _mapping_list(value):
        url = clean_url(item.get("url"))
        if url and url not in seen and _IMAGE_URL.match(url):
            seen.add(url)
            title = item.get("title")
            out.append(
                Image(
                    url,
                    _dimension(item.get("width")),
                    _dimension(item.get("height")),
                    clean_text(title, single_line=True, limit=MAX_TITLE)
                    if isinstance(title, str)
                    else "",
                )
            )
    return tuple(out)


def _provider(value: object) -> Provider | None:
    if not isinstance(value, dict):
        return None
    named = _name_and_domain(value)
    return Provider(*named, raw_images=value.get("images")) if named else None


def _name_and_domain(value: dict[Any, Any]) -> tuple[str, str] | None:
    """The clean name and domain of the provider mapping ``value`` (see
    :func:`_named_provider`), or None (a related item's needs its name alone: no
    Provider is made)."""
    name, domain = value.get("name"), value.get("domain")
    return _named_provider(name if isinstance(name, str) else None,
                           domain if isinstance(domain, str) else None)  # fmt: skip


@functools.lru_cache(maxsize=4096)  # a corpus has a few hundred providers, in every file
def _named_provider(name: str | None, domain: str | None) -> tuple[str, str] | None:
    """A provider's clean name and domain (:func:`read_domain`); None when it has neither."""
    name = clean_text(name, single_line=True, limit=200) if name is not None else ""
    domain = read_domain(domain)[0] if domain is not None else ""
    if not name:
        name = domain
    if not name:
        return None
    return name, domain


#: A value that begins with a scheme (``https:``, ``javascript:``, ``mailto:``; not
#: ``example.com:443``, a port's digits; see :func:`read_domain` for ``example.com:``).
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?![0-9])")


@functools.lru_cache(maxsize=4096)
def read_domain(written: str) -> tuple[str, str]:
    """A provider's ``domain`` as written: ``(the domain, "")``, or ``("", what to say)``
    when it is none (what it has that a domain has not, and what to write; "" for a
    value that is empty). A domain name is taken as it is, in lower case (``cnet.com``,
    ``CNET.com``); one written as the address of its site's home page
    (``https://www.cnet.com/``, ``http://cnet.com``, ``cnet.com/``) is its host, read as
    :func:`~feedpub.sanitize.clean_url` reads a URL's (in lower case, an IDN in its
    ``xn--`` form, a final dot off, the scheme's own port, ``:443`` in https, no port:
    a domain without a scheme is read as https's). A path, a query, a fragment or
    another port is another page than the site's, so no domain: none is guessed."""
    domain = written.strip().lower()
    if _DOMAIN.fullmatch(domain) or not domain:
        return domain, ""  # (as every domain is written: as it ever was)
    text = written.strip()
    m = _SCHEME.match(text)
    if m and "." in m[1] and not text.startswith("//", m.end()):
        m = None  # (cnet.com:, cnet.com:/, cnet.com:x: a host and its port, none a scheme)
    if m and m[1].lower() not in ("http", "https"):
        return "", f"{cut(m[0], 40)} is no web address: write the site's domain (cnet.com)"
    if m and not text.startswith("//", m.end()):  # (https:/cnet.com: not "no web address")
        return "", (f"it has {m[0]} without the // of a web address: write the site's "
                    "domain (cnet.com)")  # fmt: skip
    url = text if m else f"https://{text}"  # (cnet.com/?u=https://x: a query, not a scheme)
    clean = clean_url(url)
    if clean is None and (why := url_refusal(url)):
        return "", f"read as the site's address, it {why}"
    parts = urlsplit(clean or "")
    host = parts.hostname or ""
    if not _DOMAIN.fullmatch(host):
        return "", "a domain name is letters, digits, hyphens and dots: write the site's (cnet.com)"
    more = [f"the port {parts.port}"] if parts.port is not None else []
    more += [f"the path {cut(parts.path, 60)}"] if parts.path != "/" else []
    more += [f"the query ?{cut(parts.query, 60)}"] if parts.query else []
    more += [f"the fragment #{cut(parts.fragment, 60)}"] if parts.fragment else []
    if more:
        return "", (f"it has {_joined(more)}, which a domain has not: write the domain "
                    f"alone, {host} (the feeds link it as https://{host}/)")  # fmt: skip
    return host, ""


_NO_OFFSET = timedelta(0)


def _joined(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _related(value: object, tz: tzinfo, own: str | None = None) -> tuple[Related, ...]:
    """The related items of ``value``, but one linking to the article's own URL ``own``
    or to an earlier item's (as feedpub cleans URLs): a reader saw the article link to
    itself, or one link twice (:func:`dropped_urls` says which)."""
    out: list[Related] = []
    seen = {own}
    # (in a zone of no offset ever, as a site's default ZoneInfo("UTC") is, every day is
    # the UTC day: none to say, as for UTC; a zone that has or had another offset has
    # no utcoffset without a moment)
    own_day = tz is UTC or (isinstance(tz, ZoneInfo) and tz.utcoffset(None) == _NO_OFFSET)
    for item in _mapping_list(value):
        url = clean_url(item.get("webUrl")) or clean_url(item.get("originalUrl"))
        title = item.get("title")
        if not url or not isinstance(title, str):
            continue
        # empty exactly when the text is (white space and forbidden characters only)
        title = clean_text(title, single_line=True, limit=MAX_TITLE)
        if not title or url in seen:
            continue
        seen.add(url)
        try:
            when = to_utc(item.get("publishedDateTime"), tz, "publishedDateTime")
        except FieldError:
            when = None
        day = None  # (in UTC, as to_utc gives it, its own day: none to say)
        if when is not None and not own_day and (local := in_zone(when, tz).date()) != when.date():
            day = local
        provider = item.get("provider")
        named = _name_and_domain(provider) if isinstance(provider, dict) else None
        # (by position, as :class:`Related` lists its fields: a fifth cheaper than by name)
        out.append(Related(title, url, named[0] if named else "", when, item.get("excerpt"),
                           item.get("images"), day))  # fmt: skip
    return tuple(out)


def related_excerpt(raw: object) -> str:
    """:attr:`Related.excerpt` of the front matter's ``excerpt`` of a related item."""
    return clean_text(raw, limit=MAX_EXCERPT) if isinstance(raw, str) else ""


def first_image(raw: object) -> Image | None:
    """The first image :func:`_images` makes of ``raw`` (a related item's ``images``,
    or a provider's), or None."""
    images = _images(raw)
    return images[0] if images else None


def _topics(value: object) -> tuple[str, ...]:
    if type(value) is not list:  # (nearly every file's is a list: none of these tests)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if isinstance(value, bool):
            raise FieldError("topics", _BOOLEAN_TOPIC)
        if isinstance(value, int | float):  # (one topic, as a text is: ``topics: 2024``)
            value = [value]
        if not isinstance(value, list):
            raise FieldError("topics", "topics must be a list of topic names")
    out: list[str] = []
    keys: set[str] = set()  # (topics one to a feed are one: one category, the first's)
    for item in value[:MAX_LIST]:
        if type(item) is not str:  # (a name, nearly every one, as it is)
            if item is None:  # an empty entry ("- " alone on its line, as a CMS writes one)
                continue
            if isinstance(item, bool):
                raise FieldError("topics", _BOOLEAN_TOPIC)
            if not isinstance(item, str | int | float):
                raise FieldError("topics", "topics must be a list of topic names: an entry "
                                 f"is {_KINDS_OF_VALUE.get(type(item), 'not text')}: put it "
                                 "in quotes to make it a name")  # fmt: skip
            item = str(item)
        topic, key = _clean_topic(item)  # (direction controls alone: no topic)
        if key and key not in keys:
            keys.add(key)
            out.append(topic)
    return tuple(out)


_BOOLEAN_TOPIC = (
    "topics: an entry is true or false to YAML (yes, no, on, off, true, false): "
    "put it in quotes to make it a name"
)
#: What YAML made of a value that is no text, in words (``title: yes``, a topic ``- a: b``).
_KINDS_OF_VALUE = {dict: "a mapping (key: value)", list: "a list", datetime: "a date and time",
                   date: "a date", bool: "true or false (YAML reads yes, no, on, off so)",
                   int: "a number", float: "a number"}  # fmt: skip


@functools.lru_cache(maxsize=4096)  # a corpus has a few hundred topics, in every file
def _clean_topic(name: str) -> tuple[str, str]:
    """A topic's name, clean, and its key (:func:`~feedpub.config.topic_key`)."""
    topic = clean_text(name, single_line=True, limit=200)
    return topic, topic_key(topic)


def _url(d: dict[str, Any], tz: tzinfo) -> str:
    url = clean_url(d.get("webUrl")) or clean_url(d.get("originalUrl"))
    if url is None:
        key = "webUrl" if "webUrl" in d else "originalUrl"
        missing = () if key in d else ("webUrl", "originalUrl")
        value = d.get(key)
        if isinstance(value, str) and (why := url_refusal(value)):
            # (an absolute http(s) URL, refused for what it holds)
            said = shown_text(cut(repr(masked_url(value)), 100))
            raise FieldError(key, f"{key} {said} {shown_text(why)}")
        raise FieldError(
            key, "no usable webUrl or originalUrl: give an absolute http(s) URL", missing
        )
    return url


def _own_url(d: dict[str, Any]) -> str | None:
    """The article's URL, as :func:`_url` reads it (None where it rejects the file)."""
    return clean_url(d.get("webUrl")) or clean_url(d.get("originalUrl"))


def _date(d: dict[str, Any], tz: tzinfo) -> datetime:
    if "publishedDateTime" not in d:
        raise FieldError(
            "title",
            "publishedDateTime is missing: give when it was published (2024-05-01T10:00:00Z)",
            ("publishedDateTime",),
        )
    return to_utc(d["publishedDateTime"], tz, "publishedDateTime")


def _title_or_excerpt(d: dict[str, Any], tz: tzinfo) -> None:
    if not (_has_text(d, "title", single_line=True, limit=MAX_TITLE)
            or _has_text(d, "excerpt", limit=MAX_EXCERPT)):  # fmt: skip
        missing = () if "title" in d or "excerpt" in d else ("title", "excerpt")
        # (a title of what cleaning takes out, "&#0;" or a terminal escape, was told it
        # had none: the file has one)
        given = [k for k in ("title", "excerpt") if isinstance(d.get(k), str) and d[k].strip()]
        said = f" ({' and '.join(given)} empty once cleaned of what no reader may be shown)"
        # (at the line of the one it names: an excerpt alone is not at the title's)
        raise FieldError("excerpt" if given == ["excerpt"] else "title", "no title and no "
                         f"excerpt{said if given else ''}: an article needs at least one",
                         missing)  # fmt: skip


def _kind(d: dict[str, Any], tz: tzinfo) -> str:
    kind = d.get("type")
    return kind.strip().lower() if isinstance(kind, str) and kind.strip() else "article"


def _has_text(d: dict[str, Any], key: str, **kw: Any) -> bool:
    """Whether ``_text(d, key, **kw)`` is not empty (raising what it raises), without
    cleaning when the answer is plain: a letter or digit outside any character
    reference survives every step of :func:`clean_text`, but in a terminal escape,
    which ftfy removes with its digits and letter (``"\\e[31m"`` after a no-break
    space is no text at all). A reference never gives one: html.unescape gives
    nothing for ``&#27;``. (Titles such as ``At&amp;t`` are common, and cleaning one
    may need ftfy, whose import costs a process 40 ms.)"""
    value = d.get(key)
    if isinstance(value, str) and "\x1b" not in value:
        plain = _REFERENCE.sub("", value) if "&" in value else value
        if _WORD.search(plain):
            return True
    return bool(_text(d, key, **kw))


def _check_text(key: str) -> Callable[[dict[str, Any], tzinfo], None]:
    """A check that raises what ``_text(d, key)`` raises, without cleaning."""

    def check(d: dict[str, Any], tz: tzinfo) -> None:
        value = d.get(key)
        if value is not None and not isinstance(value, str):
            _text(d, key)

    return check


def _plain(key: str, *, single_line: bool = False, limit: int | None = None) -> Reader:
    def read(d: dict[str, Any], tz: tzinfo) -> str:
        value = d.get(key)
        if type(value) is str:  # (what _text does with a text, without its look at the rest)
            return clean_text(value, single_line=single_line, limit=limit)
        return _text(d, key, single_line=single_line, limit=limit)

    return read


def _html(key: str) -> Reader:
    def read(d: dict[str, Any], tz: tzinfo) -> str:
        return _text(d, key, markup=True)

    return read


#: What the front matter holds in a field, and so how it is cleaned. Plain text:
#: references decoded once (a CMS writes ``we&#8217;ve``), markup kept as text, and
#: each output format escapes it once for its context. HTML: markup, sanitised
#: wherever it is shown. URL: references decoded (``&#038;``), http(s) only.
PLAIN_LINE = "plain text, one line"
PLAIN = "plain text"
HTML = "HTML"
URL = "URL"
DATE = "date"
NUMBER = "number"
FLAG = "true or false"
OTHER = "structured"

Reader = Callable[[dict[str, Any], tzinfo], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """One step of reading an article: an attribute of the Article (or, with no
    ``name``, a rule over several keys), the keys it reads and what they hold,
    how it is read, and whether the Summary carries it. ``read`` raises
    :class:`FieldError` to reject the article; ``check`` raises exactly the same,
    more cheaply, for a step the Summary does not carry."""

    name: str | None
    keys: tuple[str, ...]
    kind: str
    read: Reader
    summary: bool = False
    check: Reader | None = None


#: The one table of an article's fields, in the order they are read (so the order
#: in which problems are found). The Article is every named step; the Summary (what
#: selection needs of every file) is the steps marked ``summary``, and the other
#: steps that can reject are checked without being built: both are derived from
#: this table, so they cannot disagree on what is rejected.
FIELDS: tuple[Field, ...] = (
    Field("title", ("title",), PLAIN_LINE, _plain("title", single_line=True, limit=MAX_TITLE),
          check=_check_text("title")),
    Field("excerpt", ("excerpt",), PLAIN, _plain("excerpt", limit=MAX_EXCERPT),
          check=_check_text("excerpt")),
    Field(None, ("title", "excerpt"), PLAIN, _title_or_excerpt, check=_title_or_excerpt),
    Field("url", ("webUrl", "originalUrl"), URL, _url, summary=True),
    Field("published_at", ("publishedDateTime",), DATE, _date, summary=True),
    Field("published", ("published",), FLAG, lambda d, tz: d.get("published") is True,
          summary=True),
    Field("topics", ("topics",), PLAIN_LINE, lambda d, tz: _topics(d.get("topics")),
          summary=True),
    Field("images", ("images",), OTHER, lambda d, tz: _images(d.get("images"))),
    Field("related", ("related",), OTHER,
          lambda d, tz: _related(d.get("related"), tz, _own_url(d))),
    Field("provider", ("provider",), OTHER, lambda d, tz: _provider(d.get("provider"))),
    Field("type", ("type",), PLAIN_LINE, _kind),
    Field("quality", ("quality",), NUMBER, lambda d, tz: _number(d.get("quality")),
          summary=True),
    Field("heat", ("heat",), NUMBER, lambda d, tz: _number(d.get("heat"))),
    Field("featured_content", ("featuredContent",), HTML, _html("featuredContent"),
          check=_check_text("featuredContent")),
    Field("amp_url", ("ampWebUrl",), URL, lambda d, tz: clean_url(d.get("ampWebUrl"))),
    Field("category", ("category",), PLAIN_LINE, _plain("category", single_line=True, limit=200),
          check=_check_text("category")),
)  # fmt: skip

#: The keys :func:`build_summary` reads (tests/test_fastpath.py checks it).
SUMMARY_FIELDS = frozenset(k for f in FIELDS if f.summary or f.check for k in f.keys)
#: The Summary's steps: (attribute or None, function), in table order.
_SUMMARY_STEPS: tuple[tuple[str | None, Reader], ...] = tuple(
    (f.name, f.read) if f.summary else (None, f.check or f.read)
    for f in FIELDS
    if f.summary or f.check
)


def build_article(path: str, d: dict[str, Any], tz: tzinfo) -> Article:
    """Normalise a front-matter mapping (``secured`` already gone) into an Article:
    every step of :data:`FIELDS`. An article without a title is shown by the start
    of its excerpt."""
    values: dict[str, Any] = {}
    for f in FIELDS:
        value = f.read(d, tz)
        if f.name is not None:
            values[f.name] = value
    if not values["title"]:
        values["title"] = shorten(values["excerpt"], single_line=True, limit=80)
    # fewer images or related items than the file lists: some left out (rare; the rest
    # cost these few checks), perhaps for a URL no feed can carry, which a build says
    images, related = d.get("images"), d.get("related")
    provider = d.get("provider")
    if (
        (type(images) is list and len(values["images"]) < len(images))
        or (type(related) is list and len(values["related"]) < len(related))
        or (type(provider) is dict and _domain_dropped(provider) is not None)
        or any(not r.provider for r in values["related"])  # (a domain may stand in for a name)
    ):
        values["dropped"] = dropped_urls(d)
    # (by position: the table names the Article's fields in its order, then dropped,
    # tests/test_fastpath.py)
    return Article(path, *values.values())


def dropped_urls(d: dict[str, Any]) -> tuple[tuple[str, object], ...]:
    """Where the front matter ``d`` gives a URL that no feed can carry, so that an
    Article leaves out what holds it, and that URL: an image's (``images[0].url``,
    relative, ``/img/a.jpg``, not http(s), or on a host a feed may not name), a
    related item's (``related[2].webUrl``: the item is left out, when neither it nor
    its ``originalUrl`` is usable). An empty value (``webUrl: ""``, as CMS exports
    have) is no URL given; an item left out for another reason (no title, a second
    image with the same URL) is not one, but for the title of a related item with a
    URL that YAML reads as no text (``title: 1917``, a number; ``yes``; a date), or
    that shows no words (none, empty, ``&#8203;``): ``related[0].title`` and the value
    (None for none), the item left out as an article with such a title is refused; and
    a related item whose URL is the article's own, or an earlier item's, as feedpub
    cleans URLs (``…/a#`` is ``…/a``): its key and a :class:`Repeated`. A provider's logo and a related item's image
    are not looked at: no feed shows them. And a provider's ``domain`` that is no domain
    (:func:`read_domain`), as written: ``provider.domain`` (the feeds give the provider
    no link), or ``provider`` when the provider has no name either (it is left out),
    and ``related[1].provider`` for a kept related item's provider with no name (the
    item names none; a named one's domain no feed shows, and is not looked at)."""
    out: list[tuple[str, object]] = []
    provider = d.get("provider")
    if type(provider) is dict and (domain := _domain_dropped(provider)) is not None:
        out.append(("provider.domain" if _named(provider) else "provider", domain))
    images = d.get("images")
    for n, item in enumerate(images[:MAX_LIST] if type(images) is list else ()):
        if isinstance(item, dict) and _given(url := item.get("url")):
            clean = clean_url(url)
            if not clean or not _IMAGE_URL.match(clean):
                out.append((f"images[{n}].url", url))
    related = d.get("related")
    own = _own_url(d)
    kept: dict[str | None, str] = {own: "webUrl" if own == clean_url(d.get("webUrl"))
                                   else "originalUrl"}  # fmt: skip
    items: list[Any] = related[:MAX_LIST] if type(related) is list else []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        web, original, title = item.get("webUrl"), item.get("originalUrl"), item.get("title")
        linked = clean_url(web) or clean_url(original)
        if isinstance(title, int | float | date):  # (bool too: a text YAML took for a value)
            if linked:  # (else left out whatever its title: quotes would not keep it)
                out.append((f"related[{n}].title", title))
            continue
        if (
            linked
            and (title is None or isinstance(title, str))
            and not clean_text(title or "", single_line=True, limit=MAX_TITLE)
        ):  # (a link with no words to show: none, empty, or nothing a reader sees)
            out.append((f"related[{n}].title", title))
            continue
        if not isinstance(title, str) or not clean_text(title, single_line=True, limit=MAX_TITLE):
            continue  # (left out for its title)
        if linked:  # (kept, but when its link is the article's own, or an earlier item's)
            key, value = ("webUrl", web) if clean_url(web) else ("originalUrl", original)
            if linked not in kept:
                kept[linked] = f"related[{n}]"
                provider = item.get("provider")
                if (type(provider) is dict and not _named(provider)
                        and (domain := _domain_dropped(provider)) is not None):  # fmt: skip
                    # (a kept item's provider with no name: its domain stands in for one;
                    # a named one's domain no feed shows)
                    out.append((f"related[{n}].provider", domain))
            elif isinstance(value, str):  # (it is: clean_url takes only text)
                before = sum(isinstance(i, dict) and i.get(key) == value for i in items[:n])
                out.append((f"related[{n}].{key}", Repeated(value, kept[linked], before)))
            continue
        key, value = ("webUrl", web) if _given(web) else ("originalUrl", original)
        if _given(value):
            out.append((f"related[{n}].{key}", value))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Repeated:
    """A related item's URL, ``text`` as written, that :func:`dropped_urls` finds left
    out for the link it repeats: the article's own (``of``: ``webUrl`` or
    ``originalUrl``) or an earlier item's (``of``: ``related[0]``); ``before``: how many
    items before it write it so (its line is the one after theirs)."""

    text: str
    of: str
    before: int


def _domain_dropped(provider: dict[Any, Any]) -> object | None:
    """The ``domain`` the provider mapping ``provider`` gives that is no domain
    (:func:`read_domain`), as written, or a value YAML reads as no text (``domain:
    123``, a list, a date: taken as none, without a word); else None."""
    domain = provider.get("domain")
    if isinstance(domain, str):
        return domain if read_domain(domain)[1] else None
    return domain if type(domain) in _KINDS_OF_VALUE else None


def _named(provider: dict[Any, Any]) -> bool:
    """Whether the provider mapping ``provider`` has a name (the domain's stands in)."""
    name = provider.get("name")
    return isinstance(name, str) and bool(clean_text(name, single_line=True, limit=200))


def _given(value: object) -> bool:
    """Whether ``value`` is a value given: not missing, not empty (nor spaces alone)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def build_summary(path: str, d: dict[str, Any], tz: tzinfo, digest: str) -> Summary:
    """What selection needs of the article :func:`build_article` would make of ``d``,
    rejecting exactly what it rejects, in the same order: the steps of :data:`FIELDS`
    the Summary carries, and the others that can reject checked, not built. The cheap
    half, for every file of a build; only the articles a feed shows are built whole.

    But a draft (``published`` anything but ``true``) is never built whole, so it is
    never rejected for a field: one in the making, with no URL or date yet, gives
    :func:`draft` (what it lacks is reported once it says ``published: true``)."""
    values: dict[str, Any] = {}
    try:
        for name, step in _SUMMARY_STEPS:
            value = step(d, tz)
            if name is not None:
                values[name] = value
    except FieldError:
        if d.get("published") is True:
            raise
        return draft(path, digest)
    return Summary(path=path, digest=digest, **values)


#: The date of a draft whose own cannot be read (see :func:`draft`).
DRAFT_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def draft(path: str, digest: str) -> Summary:
    """The Summary of an unpublished file some field of which is unusable: no URL, no
    topics, the date :data:`DRAFT_DATE`. Selection never looks past ``published``."""
    return Summary(path, "", False, DRAFT_DATE, (), None, digest)


def _located(path: str, data: bytes, offset: int, e: FieldError) -> ArticleError:
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    front = _front_matter_lines(text)
    lines = _key_lines(front)
    # (no key written plainly, or a key quoted at column 0 that may be the one rejected,
    # or a misspelling of the one missing: "title": among plain keys)
    if not lines or ((e.key not in lines or e.missing)
                     and any(x.startswith(('"', "'")) for x in front)):  # fmt: skip
        lines = _lines_of_keys(data, None)
    # (of the first fifty keys of the file's own, as a notice weighs them: each is weighed
    # against the keys missing, and a file of 99,000 took 7 s to be rejected)
    own = (k for k in lines if k not in KNOWN_KEYS) if e.missing else iter(())
    for written in itertools.islice(own, 50):
        n = lines[written]
        if meant := likely_meant(written, e.missing):
            return ArticleError(path, n, f"{str(e).split(':', 1)[0]}; line {n} has "
                                f"{written}: write {meant}")  # fmt: skip
    return ArticleError(path, lines.get(e.key, offset + 1), str(e))


#: The keys of the article format, those feedpub reads and those it does not.
KNOWN_KEYS = frozenset(k for f in FIELDS for k in f.keys) | {"cdnAmpWebUrl", "secured"}


def load_article(path: str, data: bytes, tz: tzinfo) -> Article:
    """Bytes of one article file -> Article, or :class:`ArticleError` with its line."""
    mapping, offset = parse_front_matter(path, data)
    try:
        return build_article(path, mapping, tz)
    except FieldError as e:
        raise _located(path, data, offset, e) from None


def load_summary(path: str, data: bytes, tz: tzinfo, digest: str,
                 notes: list[Notice] | None = None) -> Summary:  # fmt: skip
    """Bytes of one article file -> its Summary, or the ArticleError :func:`load_article`
    raises, but for a draft (see :func:`build_summary`; tests/test_fastpath.py checks
    both agree on every test and benchmark file).
    The nested blocks of the other keys are checked, not built. To ``notes``, when
    given, the file's :mod:`feedpub.notices`."""
    mapping, offset = parse_front_matter(path, data, SUMMARY_FIELDS)
    try:
        summary = build_summary(path, mapping, tz, digest)
    except FieldError as e:
        raise _located(path, data, offset, e) from None
    if notes is not None:  # what in it is allowed but most likely a mistake
        when = summary.published_at if summary.published else None  # (a draft: none)
        notices, lacks_published, mark = _notices()
        notes += notices(path, data, mapping, tz, when)
        if lacks_published(mapping):  # (a draft, maybe not meant: the build says them all)
            notes.append(Notice(path, 1, mark))
    return summary


@functools.cache
def _notices() -> tuple[
    Callable[[str, bytes, dict[str, Any], tzinfo, datetime | None], list[Notice]],
    Callable[[dict[str, Any]], bool],
    str,
]:
    """:func:`feedpub.notices.article_notices`, :func:`~feedpub.notices.lacks_published`
    and its mark's message (a module that reads this one's tables)."""
    from .notices import NO_PUBLISHED_KEY, article_notices, lacks_published

    return article_notices, lacks_published, NO_PUBLISHED_KEY
