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
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import resources
from typing import Any

from lxml import etree

from ..sanitize import hardened_parser, has_scheme, is_absolute
from . import ATOM, RSS, Problem
from .checks import html_problems, is_future, ordered, parse_rfc3339

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_A = f"{{{ATOM_NS}}}"
_M = f"{{{MEDIA_NS}}}"


def parse(data: bytes) -> tuple[Any, list[Problem]]:
    """The root element of an XML document; or None, and why it cannot be read."""
    try:
        tree = etree.fromstring(data, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as e:
        return None, [Problem(e.lineno or 1, "well-formed", f"not well-formed XML: {e.msg}")]
    if tree.docinfo.doctype:  # type: ignore[union-attr]
        return None, [Problem(1, "no-doctype", "a DOCTYPE is not allowed in a feed")]
    return tree.getroot(), []


@functools.cache
def schema(name: str) -> etree.RelaxNG:
    """The RELAX NG schema ``feedpub/schemas/<name>.rng``."""
    ref = resources.files("feedpub") / "schemas" / f"{name}.rng"
    with resources.as_file(ref) as path:
        doc = etree.parse(str(path), hardened_parser())
    return etree.RelaxNG(doc)


def check_rss(root: Any, now: datetime | None) -> list[Problem]:
    """The problems of an RSS 2.0 document (its root element), sorted."""
    return _checked(root, RSS.name, _rss_checks(root, now))


def check_atom(root: Any, now: datetime | None) -> list[Problem]:
    """The problems of an Atom 1.0 document (its root element), sorted."""
    return _checked(root, ATOM.name, _atom_checks(root, now))


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
        yield Problem(
            el.sourceline or 0,
            "absolute-url",
            f"{what} must be an absolute http(s) URL: {value!r}",
            item,
        )


def _future(el: Any, when: datetime | None, now: datetime | None, item: str) -> Iterator[Problem]:
    if is_future(when, now):
        yield Problem(
            el.sourceline or 0, "future", f"dated in the future ({when:%Y-%m-%dT%H:%M:%SZ})", item
        )


def _unique_ids(ids: list[tuple[Any, str]], rule: str) -> Iterator[Problem]:
    counts = Counter(i for _, i in ids)
    for el, i in ids:
        if counts[i] > 1:
            yield Problem(el.sourceline or 0, rule, f"id {i!r} is used by {counts[i]} items", i)


_MEDIA_TAGS = (f"{_M}group", f"{_M}content", f"{_M}thumbnail", f"{_M}player")


def _media(parent: Any, item: str) -> Iterator[Problem]:
    for el in parent.iter(*_MEDIA_TAGS):
        if el.tag == _MEDIA_TAGS[0]:
            if len(el.findall(_MEDIA_TAGS[1])) < 2:
                yield Problem(
                    el.sourceline or 0,
                    "media-group",
                    "media:group with fewer than two media:content",
                    item,
                )
        else:
            yield from _url(el, el.get("url"), el.tag.replace(_M, "media:") + " url", item)


def _children(el: Any) -> dict[Any, list[Any]]:
    """The child elements of ``el`` by tag, in order: one pass instead of a find each."""
    out: dict[Any, list[Any]] = {}
    for child in el:
        out.setdefault(child.tag, []).append(child)
    return out


_NONE: list[Any] = []


# --------------------------------------------------------------------------- RSS


def _rfc822(text: str | None) -> datetime | None:
    try:
        dt = parsedate_to_datetime((text or "").strip())
    except (TypeError, ValueError, IndexError):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


#: The patterns of rss.rng's url, date and mediaType, in Python's syntax (XML Schema's
#: ``\s`` is these four characters, its ``.`` any but a line break), for what the
#: schema leaves to code: the link, date, enclosure URL and type of each item.
_WS = "[ \t\n\r]"
_ITEM_FORMS = {
    "url": re.compile(f"{_WS}*[A-Za-z][A-Za-z0-9+.\\-]*:[^ \t\n\r]+{_WS}*"),
    "date": re.compile(
        f"{_WS}*((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(0?[1-9]|[12][0-9]|3[01]) "
        "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} ([01][0-9]|2[0-3]):[0-5][0-9]"
        f"(:[0-5][0-9])? (UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z|[+\\-][0-9]{{4}}){_WS}*"
    ),
    "media type": re.compile(
        "[A-Za-z0-9!#$&\\-\\^_.+]+/[A-Za-z0-9!#$&\\-\\^_.+]+(" + _WS + "*;[^\n\r]*)?"
    ),
}


def _form(el: Any, value: str | None, form: str, what: str, item: str) -> Iterator[Problem]:
    if value is None or not _ITEM_FORMS[form].fullmatch(value):
        yield Problem(el.sourceline or 0, "schema", f"{what} is not a {form}: {value!r}", item)


def _text(el: Any) -> str:
    """The text of an element as a schema reads it: comments and processing
    instructions left out (a child element the schema reports itself)."""
    return el.text or "" if len(el) == 0 else "".join(el.itertext())


def _rss_checks(root: Any, now: datetime | None) -> Iterator[Problem]:
    channel = root.find("channel")
    if channel is None:
        return
    yield from _url(channel.find("link") if channel.find("link") is not None else channel,
                    channel.findtext("link"), "channel link", "")  # fmt: skip
    selfs = [ln for ln in channel.findall(f"{_A}link") if ln.get("rel") == "self"]
    if not selfs:
        yield Problem(channel.sourceline or 0, "self-link", 'channel has no <atom:link rel="self">')
    for ln in channel.findall(f"{_A}link"):
        yield from _url(ln, ln.get("href"), "atom:link href", "")
    ids: list[tuple[Any, str]] = []
    for number, item in enumerate(channel.iterchildren("item"), 1):
        kids = _children(item)
        guid = kids.get("guid", _NONE)[:1]
        link = kids.get("link", _NONE)[:1]
        if guid:
            name = (guid[0].text or "").strip()
        else:
            name = (link[0].text or "" if link else "") or f"#{number}"
        if guid:
            ids.append((guid[0], name))
            if guid[0].get("isPermaLink", "true") == "true":
                yield from _url(guid[0], guid[0].text, "permalink guid", name)
        if link:
            yield from _form(link[0], _text(link[0]), "url", "item link", name)
            yield from _url(link[0], link[0].text, "item link", name)
        enclosures = kids.get("enclosure", _NONE)
        if len(enclosures) > 1:
            yield Problem(
                enclosures[1].sourceline or 0, "enclosure", "more than one enclosure", name
            )
        for enc in enclosures:
            yield from _form(enc, enc.get("url"), "url", "enclosure url", name)
            yield from _form(enc, enc.get("type"), "media type", "enclosure type", name)
            yield from _url(enc, enc.get("url"), "enclosure url", name)
            if not (enc.get("length") or "").isdigit():
                yield Problem(
                    enc.sourceline or 0, "enclosure", "enclosure length must be a byte count", name
                )
            if "/" not in (enc.get("type") or ""):
                yield Problem(
                    enc.sourceline or 0, "enclosure", "enclosure needs a media type", name
                )
        for ln in kids.get(f"{_A}link", _NONE):
            yield from _url(ln, ln.get("href"), "atom:link href", name)
        for pub in kids.get("pubDate", _NONE)[:1]:
            yield from _form(pub, _text(pub), "date", "item pubDate", name)
            yield from _future(pub, _rfc822(pub.text), now, name)
        for tag in ("description", f"{{{CONTENT_NS}}}encoded"):
            for el in kids.get(tag, _NONE)[:1]:
                yield from html_problems(el.sourceline or 0, el.text, name)
        yield from _media(item, name)
    yield from _unique_ids(ids, "unique-guid")


# --------------------------------------------------------------------------- Atom


def _links(parent: Any, item: str, need_self: bool,
           links: list[Any] | None = None) -> Iterator[Problem]:  # fmt: skip
    """The checks of the ``atom:link`` children of ``parent`` (``links``, when known)."""
    links = parent.findall(f"{_A}link") if links is None else links
    alternates: Counter[tuple[str, str]] = Counter()
    for ln in links:
        rel = ln.get("rel", "alternate")
        yield from _url(ln, ln.get("href"), f"link rel={rel} href", item)
        if rel == "alternate":
            key = (ln.get("type", ""), ln.get("hreflang", ""))
            alternates[key] += 1
            if alternates[key] == 2:
                yield Problem(
                    ln.sourceline or 0,
                    "one-alternate",
                    "more than one alternate link of the same type and language",
                    item,
                )
        elif rel == "enclosure" and (
            not (ln.get("length") or "").isdigit() or "/" not in (ln.get("type") or "")
        ):
            yield Problem(
                ln.sourceline or 0, "enclosure", "enclosure link needs type and length", item
            )
    if need_self and not any(ln.get("rel") == "self" for ln in links):
        yield Problem(parent.sourceline or 0, "self-link", 'feed has no <link rel="self">')


def _atom_checks(root: Any, now: datetime | None) -> Iterator[Problem]:
    yield from _links(root, "", need_self=True)
    feed_author = root.find(f"{_A}author")
    ids: list[tuple[Any, str]] = []
    for number, entry in enumerate(root.iterchildren(f"{_A}entry"), 1):
        kids = _children(entry)
        id_el = kids[f"{_A}id"][0] if f"{_A}id" in kids else None
        name = (id_el.text or "").strip() if id_el is not None else f"#{number}"
        if id_el is not None:
            ids.append((id_el, name))
            if not has_scheme(name):
                yield Problem(
                    id_el.sourceline or 0, "absolute-id", "entry id must be an absolute IRI", name
                )
        yield from _links(entry, name, need_self=False, links=kids.get(f"{_A}link", _NONE))
        if feed_author is None and f"{_A}author" not in kids:
            yield Problem(
                entry.sourceline or 0,
                "author",
                "entry has no author and the feed has none (RFC 4287, 4.1.2)",
                name,
            )
        for tag in ("published", "updated"):
            for el in kids.get(f"{_A}{tag}", _NONE)[:1]:
                yield from _future(el, parse_rfc3339(el.text), now, name)
        for tag in ("content", "summary"):
            for el in kids.get(f"{_A}{tag}", _NONE)[:1]:
                if el.get("type") == "html":
                    yield from html_problems(el.sourceline or 0, el.text, name)
        yield from _media(entry, name)
    yield from _unique_ids(ids, "unique-id")
