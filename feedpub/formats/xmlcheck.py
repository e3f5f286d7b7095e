"""RSS 2.0 and Atom 1.0 bytes -> problems: the hardened parse, the RELAX NG schemas
under ``feedpub/schemas/``, then the rules a schema cannot express, checked in code.

The parser is hardened (:func:`feedpub.sanitize.hardened_parser`): no network, no
DTD, no entity expansion, no huge trees. A document with a DOCTYPE is refused
outright.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from ..sanitize import hardened_parser, has_scheme, is_absolute
from . import ATOM, RSS, Problem
from .checks import future_said, html_problems, is_future, ordered, parse_rfc3339
from .items import DAYS, MONTHS

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
RELAX_NG_NS = "http://relaxng.org/ns/structure/1.0"
_A = f"{{{ATOM_NS}}}"
_M = f"{{{MEDIA_NS}}}"


#: How every document feedpub writes begins (lxml's declaration, see xmlfast).
_OURS = b"<?xml version='1.0' encoding='UTF-8'?>"


def parse(data: bytes, without_ids: bool = False) -> tuple[Any, list[Problem]]:
    """The root element of an XML document; or None, and why it cannot be read.

    A document that begins as ours do, with no ``xml:id`` and no DOCTYPE in its bytes,
    can hold no ID attribute (the prefix is fixed, a name is never written with a
    character reference, and only a DOCTYPE declares other IDs): it is parsed without
    libxml2's ID table, which would only find what it lacks. (``without_ids``: the
    caller found no ``xml:id`` in ``data``, which is not looked for again.)"""
    plain = (data.startswith(_OURS) and (without_ids or b"xml:id" not in data)
             and b"<!DOCTYPE" not in data)  # fmt: skip
    try:
        tree = etree.fromstring(data, hardened_parser(collect_ids=not plain)).getroottree()
    except etree.XMLSyntaxError as e:
        return None, [Problem(e.lineno or 1, "well-formed", f"not well-formed XML: {e.msg}")]
    if tree.docinfo.doctype:  # type: ignore[union-attr]
        return None, [Problem(1, "no-doctype", "a DOCTYPE is not allowed in a feed")]
    return tree.getroot(), []


@functools.cache
def schema(name: str) -> etree.RelaxNG:
    """The RELAX NG schema ``feedpub/schemas/<name>.rng``."""
    return etree.RelaxNG(_schema_doc(name))


#: The package's schemas (a folder beside this package: importlib.resources, which
#: would also read them from a zip, costs every build 5 ms to import).
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


@functools.cache
def _schema_doc(name: str) -> etree._ElementTree:
    return etree.parse(str(SCHEMAS / f"{name}.rng"), hardened_parser())


def check_rss(root: Any, now: datetime | None, seen: list[Seen] | None = None) -> list[Problem]:
    """The problems of an RSS 2.0 document (its root element), sorted; what the checks
    read of its items is added to ``seen`` (when given). Another version of RSS (0.91,
    0.92: the schema's messages would say nothing of it) is named as such, not checked."""
    if (version := root.get("version")) != "2.0":
        which = "<rss> without a version" if version is None else f"RSS version {version!r}"
        return [Problem(root.sourceline or 1, "format",
                        f'{which} is not checked: only RSS 2.0 (<rss version="2.0">)')]  # fmt: skip
    return _checked(root, RSS.name, _rss_checks(root, now, seen))


def check_atom(root: Any, now: datetime | None, seen: list[Seen] | None = None) -> list[Problem]:
    """The problems of an Atom 1.0 document (its root element), sorted; what the checks
    read of its entries is added to ``seen`` (when given)."""
    return _checked(root, ATOM.name, _atom_checks(root, now, seen))


class Seen(NamedTuple):
    """What the checks read of one item (RSS) or entry (Atom) of a document: what
    :mod:`.xmlparts` needs to check a document by its parts."""

    #: its first line
    line: int
    #: its id (an RSS guid, an Atom id) as the rule that ids are unique reads it, or None
    id: str | None
    #: whether it has an author of its own (Atom; RSS items always say True)
    authored: bool


def structure(root: Any) -> tuple[list[int], bool]:
    """The lines of the element children of an RSS channel or an Atom feed that are
    not items or entries, and whether the document has an author of its own (an Atom
    feed's; RSS documents say True: none of their rules depends on one)."""
    parent = root.find("channel") if root.tag == "rss" else root
    item = "item" if root.tag == "rss" else f"{_A}entry"
    if parent is None:
        return [], True
    others = [el.sourceline or 0 for el in parent.iterchildren("*") if el.tag != item]
    return others, root.tag == "rss" or root.find(f"{_A}author") is not None


def _checked(root: Any, schema_name: str, checks: Iterable[Problem]) -> list[Problem]:
    problems: list[Problem] = []
    rng = schema(schema_name)
    if not rng.validate(root.getroottree()):
        for err in rng.error_log:
            problems.append(Problem(int(err.line), "schema", err.message))
    problems.extend(checks)
    return ordered(problems)


# --------------------------------------------------------------------------- shared checks


def _url(el: Any, value: str | None, what: str, item: str) -> Iterator[Problem]:
    if not is_absolute(value):
        yield _not_absolute(el, value, what, item)


def _not_absolute(el: Any, value: str | None, what: str, item: str) -> Problem:
    return Problem(
        el.sourceline or 0, "absolute-url", f"{what} must be an absolute http(s) URL: {value!r}",
        item,
    )  # fmt: skip


def _unique_ids(ids: list[tuple[Any, str]], rule: str) -> list[Problem] | tuple[Problem, ...]:
    if len({i for _, i in ids}) == len(ids):  # (each once: nothing counted)
        return _NO_PROBLEMS
    counts = Counter(i for _, i in ids)
    return [Problem(el.sourceline or 0, rule, f"id {i!r} is used by {counts[i]} items", i)
            for el, i in ids if counts[i] > 1]  # fmt: skip


_MEDIA_TAGS = (f"{_M}group", f"{_M}content", f"{_M}thumbnail", f"{_M}player")
#: Every Media RSS element: looked for in one pass of the item's elements, its tag read
#: in Python (three per cent of the rules' instructions less than lxml's matching of the
#: four tags at each element).
_MEDIA_ANY = f"{_M}*"
#: No problem (what the checks of one element return when they find none).
_NO_PROBLEMS: tuple[Problem, ...] = ()


def _media(parent: Any, item: str) -> list[Problem] | tuple[Problem, ...]:
    """The problems of the Media RSS elements within ``parent``, an item or entry."""
    out: list[Problem] | None = None
    for el in parent.iter(_MEDIA_ANY):
        tag = el.tag
        if tag not in _MEDIA_TAGS:
            continue
        if tag == _MEDIA_TAGS[0]:
            if len(el.findall(_MEDIA_TAGS[1])) < 2:
                out = out or []
                out.append(Problem(el.sourceline or 0, "media-group",
                                   "media:group with fewer than two media:content", item))  # fmt: skip
        elif not is_absolute(url := el.get("url")):
            out = out or []
            out.append(_not_absolute(el, url, tag.replace(_M, "media:") + " url", item))
    return _NO_PROBLEMS if out is None else out


def _children(el: Any) -> dict[Any, list[Any]]:
    """The child elements of ``el`` by tag, in order: one pass instead of a find each."""
    out: dict[Any, list[Any]] = {}
    for child in list(el):  # (the list made at once, in C: faster than iterating el)
        tag = child.tag
        if tag in out:
            out[tag].append(child)
        else:
            out[tag] = [child]
    return out


_NONE: list[Any] = []


# --------------------------------------------------------------------------- RSS


#: An RFC 822 date as feedpub writes it (``Mon, 24 May 2021 07:52:55 +0000``).
_PLAIN_RFC822 = re.compile(
    f"(?:{'|'.join(DAYS)}), ([0-9]{{2}}) ({'|'.join(MONTHS)})"
    r" ([1-9][0-9]{3}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})\Z"
)
_MONTH = {m: i for i, m in enumerate(MONTHS, 1)}


def parse_rfc822(text: str | None, unknown: tzinfo | None = UTC) -> datetime | None:
    """An RFC 822 date as ``email.utils.parsedate_to_datetime`` reads it, or None; one
    with an unknown zone (``-0000``, or none) in ``unknown`` (None: naive). The form
    feedpub writes is read without email.utils (its import alone costs a build 9 ms);
    tests/test_validate.py checks both agree."""
    text = (text or "").strip()
    m = _PLAIN_RFC822.match(text)
    if m is None:
        from email.utils import parsedate_to_datetime

        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return dt if dt.tzinfo or unknown is None else dt.replace(tzinfo=unknown)
    day, month, year, hour, minute, second, sign, zh, zm = m.groups()
    try:
        if sign == "+" and zh == zm == "00":  # (what feedpub writes: no timedelta made)
            zone: tzinfo | None = UTC
        else:
            offset = timedelta(hours=int(zh), minutes=int(zm))
            zone = (unknown if sign == "-" and not offset
                    else timezone(-offset if sign == "-" else offset))  # fmt: skip
        return datetime(int(year), _MONTH[month], int(day), int(hour), int(minute), int(second),
                        tzinfo=zone)  # fmt: skip
    except ValueError:  # a day, a time or an offset out of range: email.utils refuses it too
        return None


def _wrong_day(text: str, when: datetime | None) -> str | None:
    """What is wrong with the day of the week an RFC 822 date ``text`` (read as ``when``)
    names, when it is not that date's (``Mon, 25 Oct 2026``, a Sunday: the W3C validator's
    "incorrect day of week", an invalid date); else None. (Of the date as written, in
    its own offset.)"""
    name = text.strip()[:3]
    if when is None or name not in DAYS or DAYS[when.weekday()] == name:
        return None
    return f"names the wrong day of the week: {text.strip()!r} is a {_DAY_NAMES[when.weekday()]}"


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


#: What the schemas leave to code (see rss.rng's comment on urlText): the lexical form
#: of an RSS channel's link, docs, language and dates, of each item's link, date,
#: enclosure URL and type, and of each Atom link's type, checked against the patterns
#: of these defines, read from the schemas themselves: form -> (schema, define).
_FORMS = {
    "url": (RSS.name, "url"),
    "date": (RSS.name, "date"),
    "media type": (RSS.name, "mediaType"),
    "language": (RSS.name, "language"),
    "media type (RFC 4287)": (ATOM.name, "atomMediaType"),
}


def _forms() -> dict[str, re.Pattern[str]]:
    """Each of :data:`_FORMS` -> its schema's pattern, compiled for Python."""
    out: dict[str, re.Pattern[str]] = {}
    for form, (name, define) in _FORMS.items():
        found = _schema_doc(name).xpath(
            "/rng:grammar/rng:define[@name=$name]/rng:data/rng:param[@name='pattern']/text()",
            namespaces={"rng": RELAX_NG_NS},
            name=define,
        )
        if not isinstance(found, list) or len(found) != 1:
            raise LookupError(f"{name}.rng has no pattern for {define!r}")
        out[form] = re.compile(python_pattern(str(found[0])))
    return out


#: XML Schema's multi-character escapes and ``.``, in Python's syntax: ``\s`` is these
#: four characters (Python's is more), ``.`` any character but a line break.
_WS = " \t\n\r"
_OUTSIDE = {"\\s": f"[{_WS}]", "\\S": f"[^{_WS}]", ".": "[^\n\r]", "^": "\\^", "$": "\\$"}
#: Escapes that mean the same in both (a literal character, or a tab or line break).
_SAME = set("-.^\\+*?()[]{}|ntr")


def python_pattern(pattern: str) -> str:
    """An XML Schema regular expression (a ``pattern`` facet, which must match the
    whole value) in Python's syntax, for ``re.fullmatch``. Only what rss.rng uses is
    translated: anything else (``\\d``, ``\\w``, ``\\p{..}``, class subtraction)
    raises ValueError rather than mean something else."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            esc = pattern[i : i + 2]
            if in_class and esc == "\\s":
                out.append(_WS)
            elif not in_class and esc in _OUTSIDE:
                out.append(_OUTSIDE[esc])
            elif len(esc) == 2 and esc[1] in _SAME:
                out.append(esc)
            else:
                raise ValueError(f"untranslated escape {esc!r} in {pattern!r}")
            i += 2
            continue
        if in_class:
            if ch == "[":
                raise ValueError(f"untranslated class subtraction in {pattern!r}")
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if pattern[i + 1 : i + 2] == "^":  # a negated class
                out.append("^")
                i += 1
        else:
            out.append(_OUTSIDE.get(ch, ch))
        i += 1
    return "".join(out)


_PATTERNS = _forms()


def _not_form(el: Any, value: str | None, form: str, what: str, item: str) -> Problem:
    """``value`` (of ``el``) is not of its ``form``."""
    return Problem(el.sourceline or 0, "schema", f"{what} is not a {form}: {value!r}", item)


#: ``fullmatch`` of each form's pattern, for the checks made once an item.
_IS_URL = _PATTERNS["url"].fullmatch
_IS_DATE = _PATTERNS["date"].fullmatch
_IS_MEDIA_TYPE = _PATTERNS["media type"].fullmatch
_IS_ATOM_MEDIA_TYPE = _PATTERNS["media type (RFC 4287)"].fullmatch
_ENCODED = f"{{{CONTENT_NS}}}encoded"
#: The elements of an RSS channel whose form rss.rng leaves to code, and their forms.
_CHANNEL_FORMS = {"link": "url", "docs": "url", "language": "language", "pubDate": "date",
                  "lastBuildDate": "date"}  # fmt: skip


def _text(el: Any) -> str:
    """The text of an element as a schema reads it: comments and processing
    instructions left out (a child element the schema reports itself)."""
    return el.text or "" if len(el) == 0 else "".join(el.itertext())


def _rss_checks(root: Any, now: datetime | None, seen: list[Seen] | None) -> Iterator[Problem]:
    channel = root.find("channel")
    if channel is None:
        return
    link = channel.find("link")
    yield from _url(channel if link is None else link, channel.findtext("link"), "channel link", "")
    for el in channel.iterchildren(*_CHANNEL_FORMS):
        text, form = _text(el), _CHANNEL_FORMS[el.tag]
        if not _PATTERNS[form].fullmatch(text):
            yield _not_form(el, text, form, f"channel {el.tag}", "")
        elif form == "date" and (when := parse_rfc822(text)) is None:
            yield Problem(el.sourceline or 0, "date",
                          f"channel {el.tag} is not a moment that exists: {text!r}")  # fmt: skip
        elif form == "date" and (day := _wrong_day(text, when)):
            yield Problem(el.sourceline or 0, "date", f"channel {el.tag} {day}")
    selfs = [ln for ln in channel.findall(f"{_A}link") if ln.get("rel") == "self"]
    if not selfs:
        yield Problem(channel.sourceline or 0, "self-link", 'channel has no <atom:link rel="self">')
    for ln in channel.findall(f"{_A}link"):
        yield from _url(ln, ln.get("href"), "atom:link href", "")
    ids: list[tuple[Any, str]] = []
    for number, item in enumerate(channel.iterchildren("item"), 1):
        # (each check inline, a problem made only where one is found, each .text read
        # once, each a new string: this runs for every item of every feed)
        kids = _children(item)
        guid = kids["guid"][0] if "guid" in kids else None
        link = kids["link"][0] if "link" in kids else None
        guid_text = guid.text if guid is not None else None
        link_text = link.text if link is not None else None
        name = (guid_text or "").strip() if guid is not None else link_text or f"#{number}"
        if seen is not None:
            seen.append(Seen(item.sourceline or 0, name if guid is not None else None, True))
        if guid is not None:
            ids.append((guid, name))
            if guid.get("isPermaLink", "true") == "true" and not is_absolute(guid_text):
                yield _not_absolute(guid, guid_text, "permalink guid", name)
        if link is not None:
            text = link_text or "" if len(link) == 0 else _text(link)
            if not _IS_URL(text):
                yield _not_form(link, text, "url", "item link", name)
            if not is_absolute(link_text):
                yield _not_absolute(link, link_text, "item link", name)
        enclosures = kids.get("enclosure", _NONE)
        if len(enclosures) > 1:
            yield Problem(
                enclosures[1].sourceline or 0, "enclosure", "more than one enclosure", name
            )
        for enc in enclosures:
            url, kind = enc.get("url"), enc.get("type")
            if url is None or not _IS_URL(url):
                yield _not_form(enc, url, "url", "enclosure url", name)
            if kind is None or not _IS_MEDIA_TYPE(kind):
                yield _not_form(enc, kind, "media type", "enclosure type", name)
            if not is_absolute(url):
                yield _not_absolute(enc, url, "enclosure url", name)
            if not (enc.get("length") or "").isdigit():
                yield Problem(
                    enc.sourceline or 0, "enclosure", "enclosure length must be a byte count", name
                )
            if "/" not in (kind or ""):
                yield Problem(
                    enc.sourceline or 0, "enclosure", "enclosure needs a media type", name
                )
        for ln in kids.get(f"{_A}link", _NONE):
            if not is_absolute(href := ln.get("href")):
                yield _not_absolute(ln, href, "atom:link href", name)
        if "title" not in kids and "description" not in kids:  # (RSS 2.0: at least one)
            yield Problem(item.sourceline or 0, "title-or-description",
                          "item must contain either title or description", name)  # fmt: skip
        if "pubDate" in kids:
            pub = kids["pubDate"][0]
            raw = pub.text
            text = raw or "" if len(pub) == 0 else _text(pub)
            when = parse_rfc822(raw)
            if not _IS_DATE(text):
                yield _not_form(pub, text, "date", "item pubDate", name)
            elif when is None:  # (its form, but no day of the calendar: 31 Feb, 25:00)
                yield Problem(pub.sourceline or 0, "date",
                              f"item pubDate is not a moment that exists: {text!r}", name)  # fmt: skip
            elif day := _wrong_day(text, when):
                yield Problem(pub.sourceline or 0, "date", f"item pubDate {day}", name)
            if when is not None and is_future(when, now):
                yield Problem(pub.sourceline or 0, "future", future_said(when), name)
        for tag in ("description", _ENCODED):
            if tag in kids:
                el = kids[tag][0]
                yield from html_problems(el.sourceline or 0, el.text, name)
        yield from _media(item, name)
    yield from _unique_ids(ids, "unique-guid")


# --------------------------------------------------------------------------- Atom


def _links(parent: Any, item: str, need_self: bool,
           links: list[Any] | None = None) -> list[Problem] | tuple[Problem, ...]:  # fmt: skip
    """The problems of the ``atom:link`` children of ``parent`` (``links``, when known)."""
    links = parent.findall(f"{_A}link") if links is None else links
    out: list[Problem] = []
    alternates: dict[tuple[str, str], int] = {}
    for ln in links:
        rel, href, kind = ln.get("rel", "alternate"), ln.get("href"), ln.get("type")
        if not is_absolute(href):
            out.append(_not_absolute(ln, href, f"link rel={rel} href", item))
        if kind is not None and not _IS_ATOM_MEDIA_TYPE(kind):
            out.append(_not_form(ln, kind, "media type (RFC 4287)", f"link rel={rel} type", item))
        if rel == "alternate":
            key = ("" if kind is None else kind, ln.get("hreflang", ""))
            alternates[key] = alternates.get(key, 0) + 1
            if alternates[key] == 2:
                out.append(Problem(ln.sourceline or 0, "one-alternate",
                                   "more than one alternate link of the same type and language",
                                   item))  # fmt: skip
        elif rel == "enclosure" and (
            not (ln.get("length") or "").isdigit() or "/" not in (kind or "")
        ):
            out.append(Problem(ln.sourceline or 0, "enclosure",
                               "enclosure link needs type and length", item))  # fmt: skip
    if need_self and not any(ln.get("rel") == "self" for ln in links):
        out.append(Problem(parent.sourceline or 0, "self-link", 'feed has no <link rel="self">'))
    return out or _NO_PROBLEMS


def _not_rfc3339(el: Any, text: str | None, what: str, item: str = "") -> Problem:
    """The date ``text`` of ``el`` is not one (the schema's xsd:dateTime takes one
    without an offset)."""
    return Problem(el.sourceline or 0, "date", f"{what} is not an RFC 3339 date-time "
                   f"(a moment that exists, with its offset: Z, +01:00): {text!r}", item)  # fmt: skip


_ID, _AUTHOR, _LINK, _SOURCE = f"{_A}id", f"{_A}author", f"{_A}link", f"{_A}source"
_DATES = (("published", f"{_A}published"), ("updated", f"{_A}updated"))
_HTML = (f"{_A}content", f"{_A}summary")


def _atom_checks(root: Any, now: datetime | None, seen: list[Seen] | None) -> Iterator[Problem]:
    yield from _links(root, "", need_self=True)
    for el in root.iterchildren(f"{_A}updated"):
        if parse_rfc3339(text := el.text) is None:
            yield _not_rfc3339(el, text, "feed updated")
    feed_author = root.find(_AUTHOR)
    ids: list[tuple[Any, str]] = []
    for number, entry in enumerate(root.iterchildren(f"{_A}entry"), 1):
        # (as in _rss_checks: each check inline, each .text read once)
        kids = _children(entry)
        id_el = kids[_ID][0] if _ID in kids else None
        name = (id_el.text or "").strip() if id_el is not None else f"#{number}"
        authored = _AUTHOR in kids
        if seen is not None:
            seen.append(Seen(entry.sourceline or 0, name if id_el is not None else None, authored))
        if id_el is not None:
            ids.append((id_el, name))
            if not has_scheme(name):
                yield Problem(
                    id_el.sourceline or 0, "absolute-id", "entry id must be an absolute IRI", name
                )
        if _LINK in kids:
            yield from _links(entry, name, need_self=False, links=kids[_LINK])
        if feed_author is None and not authored:
            yield Problem(
                entry.sourceline or 0,
                "author",
                "entry has no author and the feed has none (RFC 4287, 4.1.2)",
                name,
            )
        for what, tag in _DATES:
            if tag in kids:
                el = kids[tag][0]
                when = parse_rfc3339(text := el.text)
                if when is None:
                    yield _not_rfc3339(el, text, f"entry {what}", name)
                elif is_future(when, now):
                    yield Problem(el.sourceline or 0, "future", future_said(when), name)
        for source in kids.get(_SOURCE, _NONE):  # (the feed an entry was copied from)
            for el in source.iterchildren(f"{_A}updated"):
                if parse_rfc3339(text := el.text) is None:
                    yield _not_rfc3339(el, text, "entry source updated", name)
        for tag in _HTML:
            if tag in kids and kids[tag][0].get("type") == "html":
                el = kids[tag][0]
                yield from html_problems(el.sourceline or 0, el.text, name)
        yield from _media(entry, name)
    yield from _unique_ids(ids, "unique-id")
