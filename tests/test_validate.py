"""The checks a schema cannot express: each rule is broken once in a valid feed and
must be reported, with its line; the valid feed itself has no problem."""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedpub.config import Config, load_config
from feedpub.formats import check

from .conftest import AZURE_AI_FEEDS, ROOT
from .test_render import render, rich_article, seed_articles

NOW = datetime(2021, 1, 1, tzinfo=UTC)
A = "{http://www.w3.org/2005/Atom}"
M = "{http://search.yahoo.com/mrss/}"
C = "{http://purl.org/rss/1.0/modules/content/}"


@pytest.fixture
def config(write_config, seeds_dir) -> Config:  # type: ignore[no-untyped-def]
    return load_config(write_config(["content/*.txt"], AZURE_AI_FEEDS))


def good(config: Config, fmt: str) -> bytes:
    items = [rich_article(), *(a for a in seed_articles() if a.published)]
    items = [replace(a, published_at=min(a.published_at, NOW)) for a in items]
    return render(config, config.feeds[0], items, fmt)


def first(root: Any, fmt: str) -> Any:
    return root.find("channel/item") if fmt == "rss" else root.find(f"{A}entry")


def set_(path: str, attr: str | None, value: str) -> Callable[[Any, Any], None]:
    """Set the text (or ``attr``) of the element at ``path`` under the first item."""

    def change(root: Any, item: Any) -> None:
        el = item.find(path) if path else item
        if attr:
            el.set(attr, value)
        else:
            el.text = value

    return change


def copy_first(root: Any, item: Any) -> None:
    item.addnext(etree.fromstring(etree.tostring(item)))


def add(tag: str, **attrs: str) -> Callable[[Any, Any], None]:
    def change(root: Any, item: Any) -> None:
        etree.SubElement(item, tag, attrs)

    return change


def channel(path: str, attr: str | None, value: str) -> Callable[[Any, Any], None]:
    def change(root: Any, item: Any) -> None:
        el = root.find(path)
        if attr:
            el.set(attr, value)
        else:
            el.text = value

    return change


def drop(path: str) -> Callable[[Any, Any], None]:
    def change(root: Any, item: Any) -> None:
        for el in root.findall(path):
            el.getparent().remove(el)

    return change


def html_body(fmt: str, body: str) -> Callable[[Any, Any], None]:
    return set_(f"{C}encoded" if fmt == "rss" else f"{A}content", None, body)


def source_updated(value: str) -> Callable[[Any, Any], None]:
    """The first entry copied from another feed, whose ``updated`` is ``value``."""

    def change(root: Any, item: Any) -> None:
        source = etree.SubElement(item, f"{A}source")
        etree.SubElement(source, f"{A}id").text = "https://other.example.com/"
        etree.SubElement(source, f"{A}title").text = "Other"
        etree.SubElement(source, f"{A}updated").text = value

    return change


def untitled(root: Any, item: Any) -> None:
    """The first item without its title and its description (RSS 2.0 wants one)."""
    for tag in ("title", "description"):
        for el in item.findall(tag):
            item.remove(el)


RSS = [
    ("channel link", channel("channel/link", None, "/relative"), "absolute-url"),
    ("neither title nor description", untitled, "title-or-description"),
    ("31 February", set_("pubDate", None, "Thu, 31 Feb 2024 14:22:10 +0000"), "date"),
    (
        "channel 31 February",
        channel("channel/lastBuildDate", None, "Sat, 31 Feb 2024 15:00:00 +0000"),
        "date",
    ),
    ("wrong weekday", set_("pubDate", None, "Mon, 25 Oct 2026 02:30:00 +0200"), "date"),
    (
        "channel wrong weekday",
        channel("channel/lastBuildDate", None, "Sun, 01 Jun 2024 23:30:00 -0100"),  # (in UTC)
        "date",
    ),
    ("no self link", drop(f"channel/{A}link[@rel='self']"), "self-link"),
    ("channel atom link", channel(f"channel/{A}link", "href", "ftp://x/"), "absolute-url"),
    ("guid", set_("guid", None, "not a url"), "absolute-url"),
    ("item link", set_("link", None, "javascript:x()"), "absolute-url"),
    (
        "two enclosures",
        add("enclosure", url="https://e.com/b.png", length="0", type="image/png"),
        "enclosure",
    ),
    ("enclosure length", set_("enclosure", "length", "big"), "enclosure"),
    ("enclosure type", set_("enclosure", "type", "png"), "enclosure"),
    ("enclosure url", set_("enclosure", "url", "//e.com/a.png"), "absolute-url"),
    ("related link", set_(f"{A}link", "href", "relative"), "absolute-url"),
    ("future", set_("pubDate", None, "Fri, 01 Jan 2100 00:00:00 +0000"), "future"),
    # the lexical forms the schema leaves to code (see rss.rng, urlText)
    ("channel date", channel("channel/lastBuildDate", None, "2020-01-01T00:00:00Z"), "schema"),
    ("channel language", channel("channel/language", None, "en_US"), "schema"),
    ("iso pubDate", set_("pubDate", None, "2020-01-01T00:00:00Z"), "schema"),
    ("two-digit year", set_("pubDate", None, "Fri, 01 Jan 21 00:00:00 +0000"), "schema"),
    ("bad zone", set_("pubDate", None, "Fri, 01 Jan 2021 00:00:00 CET"), "schema"),
    ("link with a space", set_("link", None, "https://e.com/a b"), "schema"),
    ("enclosure url no scheme", set_("enclosure", "url", "e.com/a.png"), "schema"),
    ("enclosure type", set_("enclosure", "type", "image/"), "schema"),
    ("script", html_body("rss", "<p>x</p><script>alert(1)</script>"), "html"),
    ("handler", html_body("rss", '<p onclick="x()">x</p>'), "html"),
    ("style", html_body("rss", '<p style="color:red">x</p>'), "html"),
    ("relative src", html_body("rss", '<img src="/a.png">'), "html"),
    (
        "description html",
        set_("description", None, "<iframe src='https://e.com'></iframe>"),
        "html",
    ),
    ("media url", set_(f"{M}content", "url", "/a.png"), "absolute-url"),
    ("thumbnail url", set_(f"{M}thumbnail", "url", "a.png"), "absolute-url"),
    ("player url", set_(f"{M}player", "url", "//video.example/embed/1"), "absolute-url"),
    ("media group", add(f"{M}group"), "media-group"),
    ("same guid", copy_first, "unique-guid"),
]
ATOM_CASES = [
    ("updated without offset", set_(f"{A}updated", None, "2024-06-03T14:22:10"), "date"),
    ("published at hour 24", set_(f"{A}published", None, "2024-06-03T24:00:00Z"), "date"),
    ("feed updated without offset", channel(f"{A}updated", None, "2024-06-03T14:22:10"), "date"),
    ("source updated without offset", source_updated("2024-06-03T14:22:10"), "date"),
    ("feed link", channel(f"{A}link[@rel='alternate']", "href", "/x"), "absolute-url"),
    ("no self link", drop(f"{A}link[@rel='self']"), "self-link"),
    ("entry link", set_(f"{A}link", "href", "x.html"), "absolute-url"),
    ("two alternates", add(f"{A}link", href="https://e.com/2"), "one-alternate"),
    ("enclosure", set_(f"{A}link[@rel='enclosure']", "length", ""), "enclosure"),
    ("id", set_(f"{A}id", None, "tag-without-scheme"), "absolute-id"),
    ("broken id", set_(f"{A}id", None, "http://[broken"), "absolute-id"),
    (
        "author",
        lambda root, item: [
            drop(f"{A}author")(root, item),
            [e.getparent().remove(e) for e in item.findall(f"{A}author")],
        ],
        "author",
    ),
    ("future published", set_(f"{A}published", None, "2100-01-01T00:00:00Z"), "future"),
    ("future updated", set_(f"{A}updated", None, "2100-01-01T00:00:00Z"), "future"),
    ("script", html_body("atom", "<script>x()</script>"), "html"),
    ("summary html", set_(f"{A}summary", None, '<a href="mailto:x@e.com">x</a>'), "html"),
    ("media url", set_(f"{M}content", "url", "http:/a.png"), "absolute-url"),
    ("player url", set_(f"{M}player", "url", "javascript:play()"), "absolute-url"),
    ("media group", add(f"{M}group"), "media-group"),
    ("same id", copy_first, "unique-id"),
]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_good_feed_has_no_problem(config: Config, fmt: str) -> None:
    assert check(good(config, fmt), NOW) == (fmt, [])


@pytest.mark.parametrize(
    ("fmt", "change", "rule"),
    [pytest.param("rss", change, rule, id=f"rss-{name}") for name, change, rule in RSS]
    + [pytest.param("atom", change, rule, id=f"atom-{name}") for name, change, rule in ATOM_CASES],
)
def test_each_broken_rule_is_reported_with_its_line(
    config: Config, fmt: str, change: Callable[[Any, Any], None], rule: str
) -> None:
    root = etree.fromstring(good(config, fmt))
    change(root, first(root, fmt))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    found = check(data, NOW)[1]
    hits = [p for p in found if p.rule == rule]
    assert hits, [str(p) for p in found]
    assert all(p.line > 1 for p in hits)
    assert check(data, NOW) == check(data, NOW)  # the same, in order


@pytest.mark.parametrize(
    ("value", "said"),
    [
        # the moment in UTC (it was the time as written, with a Z after it)
        ("Thu, 31 Dec 2026 23:00:00 -0500", "2027-01-01T04:00:00Z"),
        # 10000-01-01T13:00Z, past what Python's datetime holds (it said 9999-12-31T23:00:00Z)
        ("Fri, 31 Dec 9999 23:00:00 -1400", "9999-12-31T23:00:00-14:00: in UTC, past the year 9999"),
    ],
)  # fmt: skip
def test_a_date_in_the_future_is_said_in_utc(config: Config, value: str, said: str) -> None:
    root = etree.fromstring(good(config, "rss"))
    set_("pubDate", None, value)(root, first(root, "rss"))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    future = [p.message for p in check(data, NOW)[1] if p.rule == "future"]
    assert future == [f"dated in the future ({said})"]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
           "items": [{"id": "https://e.com/a", "date_published": "9999-12-31T23:00:00.5-14:00"}]}  # fmt: skip
    found = check(json.dumps(doc).encode(), NOW)[1]
    assert [p.message for p in found if p.rule == "future"] == [
        "dated in the future (9999-12-31T23:00:00.500000-14:00: in UTC, past the year 9999)"
    ]


@pytest.mark.parametrize(("after", "future"), [(0, False), (0.999999, False), (1, True)])
def test_an_atom_date_in_the_second_of_now_is_not_in_the_future(
    config: Config, after: float, future: bool
) -> None:
    """An Atom ``updated`` carries a fraction of its article's second (entry_updated):
    within the build's own second it is not after now; a second later it is."""
    root = etree.fromstring(good(config, "atom"))
    when = (NOW + timedelta(seconds=after)).isoformat()
    set_(f"{A}updated", None, when)(root, first(root, "atom"))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert [p.rule for p in check(data, NOW)[1] if p.rule == "future"] == ["future"] * future


@pytest.mark.parametrize(
    ("path", "attr", "value"),
    [
        ("pubDate", None, "1 Jan 2021 00:00 GMT"),
        ("pubDate", None, "  Wed, 01 Jan 2020 23:59:59 -0500\n"),
        ("pubDate", None, "Thu, 31 Dec 2020 12:00:00 Z"),
        ("link", None, "https://e.com/a?b=c&d;e:f"),
        ("enclosure", "type", "image/svg+xml; charset=utf-8"),
    ],
)
def test_the_item_forms_the_schema_leaves_to_code_accept_what_its_patterns_do(
    config: Config, path: str, attr: str | None, value: str
) -> None:
    root = etree.fromstring(good(config, "rss"))
    set_(path, attr, value)(root, first(root, "rss"))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert check(data, NOW) == ("rss", [])


# ------------------------------------------------- the schemas' patterns, checked in code

RNG = "{http://relaxng.org/ns/structure/1.0}"
#: One item of a valid RSS feed; each case below puts a value in one of its places.
ONE_ITEM = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>
<link>https://e.com/</link><description>D</description><language>en</language>
<pubDate>Tue, 19 May 2020 21:00:00 +0000</pubDate><docs>https://e.com/docs</docs>
<lastBuildDate>Tue, 19 May 2020 21:00:00 +0000</lastBuildDate>
<atom:link href="https://e.com/f.rss" rel="self" type="application/rss+xml"/>
<item><title>I</title><link>https://e.com/a</link><guid>https://e.com/a</guid>
<pubDate>Tue, 19 May 2020 21:00:00 +0000</pubDate>
<enclosure url="https://e.com/a.png" length="0" type="image/png"/></item></channel></rss>
"""
#: rss.rng's define -> where an item (or, from "channel/", the channel) holds a value
#: of it, and what the check says of a value that does not match it.
PLACES = [
    ("url", "channel/link", None, "channel link is not a url"),
    ("url", "channel/docs", None, "channel docs is not a url"),
    ("language", "channel/language", None, "channel language is not a language"),
    ("date", "channel/pubDate", None, "channel pubDate is not a date"),
    ("date", "channel/lastBuildDate", None, "channel lastBuildDate is not a date"),
    ("url", "link", None, "item link is not a url"),
    ("url", "enclosure", "url", "enclosure url is not a url"),
    ("date", "pubDate", None, "item pubDate is not a date"),
    ("mediaType", "enclosure", "type", "enclosure type is not a media type"),
]
EXAMPLES = {
    "url": ["https://e.com/a", " https://e.com/a\t", "x:y", "a+b.c-d:x", "mailto:a@b", "1x:y",
            "https://e.com/a b", "://a", "https:", "//e.com/a", "/a", "", " ", "\nh:\u00e9\r",
            "h:\u00a0", "h:\x85", "h:a\u2028", "javascript:alert(1)"],
    "date": ["Tue, 19 May 2020 21:00:00 +0000", "19 May 2020 21:00 GMT", "9 May 2020 21:00 Z",
             " Tue, 19 May 2020 21:00:00 -0500\n", "Tue,19 May 2020 21:00:00 +0000",
             "Tue, 32 May 2020 21:00:00 +0000", "Tue, 19 May 20 21:00:00 +0000",
             "Tue, 19 May 2020 24:00:00 +0000", "Tue, 19 May 2020 21:00:60 +0000",
             "Tue, 19 May 2020 21:00:00 UTC", "tue, 19 May 2020 21:00:00 +0000",
             "Tue, 19 May 2020 21:00:00 +00000", "2020-05-19T21:00:00Z", "\t19 May 2020 21:00 EDT\r",
             "Tue, 19 May 2020 21:00:00 +0000\u00a0", "Tue, 19 May 2020 21:00:00 +0000\x85"],
    "mediaType": ["image/png", "image/svg+xml; charset=utf-8", "a!#$&-^_.+/b", "image/png ;x",
                  "image/png\t;a\tb", "image/png;\nx", "image/png;x\ny", "image/png;x\ry",
                  "image/png;x\u2028", "image/png\x85;x", "image/png\u00a0;x",
                  "image", "/png", "image/", "image/p ng", " image/png", "image/png ",
                  "t\u00e9xt/plain", "a/b/c", "a/b;", ""],
    "language": ["en", "en-US", " fr-ca\t", "x-klingon", "EN", "abcdefgh-12345678", "en_US",
                 "abcdefghi", "en-", "-en", "en-123456789", "e n", "", " ", "\u00e9n",
                 "en\u00a0", "en\x85", "1en", "en--us"],
}  # fmt: skip


@functools.cache
def schema_of(define: str, name: str = "rss") -> etree.RelaxNG:
    """A grammar whose one element ``<v>`` holds a value of the ``define`` of the
    schema ``name``, copied from it as it is: libxml2's own verdict on the pattern."""
    rss = etree.parse(str(ROOT / "feedpub" / "schemas" / f"{name}.rng"))
    data = rss.getroot().find(f"{RNG}define[@name='{define}']/{RNG}data")
    assert data is not None and data.find(f"{RNG}param[@name='pattern']") is not None, define
    grammar = etree.Element(f"{RNG}grammar", nsmap={None: RNG[1:-1]})
    grammar.set("datatypeLibrary", "http://www.w3.org/2001/XMLSchema-datatypes")
    element = etree.SubElement(etree.SubElement(grammar, f"{RNG}start"), f"{RNG}element")
    element.set("name", "v")
    element.append(copy.deepcopy(data))
    return etree.RelaxNG(grammar)


def agree(define: str, path: str, attr: str | None, message: str, value: str) -> None:
    """The check of an RSS item takes ``value`` where the schema's pattern does."""
    v = etree.Element("v")
    v.text = value
    by_schema = schema_of(define).validate(v.getroottree())
    root = etree.fromstring(ONE_ITEM)
    (channel if path.startswith("channel/") else set_)(path, attr, value)(
        root, root.find("channel/item")
    )
    fmt, problems = check(etree.tostring(root, encoding="UTF-8"), NOW)
    by_code = not any(p.message.startswith(message) for p in problems)
    assert (fmt, by_code) == ("rss", by_schema), (define, path, attr, value, problems)


def test_the_one_item_feed_is_valid() -> None:
    assert check(ONE_ITEM, NOW) == ("rss", [])


@pytest.mark.parametrize(("define", "path", "attr", "message"), PLACES)
def test_the_checks_agree_with_rss_rng_patterns(
    define: str, path: str, attr: str | None, message: str
) -> None:
    """rss.rng leaves the channel's link, docs, language and dates and each item's link,
    date and enclosure URL and type to code, which reads the patterns from rss.rng: its
    verdict is libxml2's on each value."""
    for value in EXAMPLES[define]:
        agree(define, path, attr, message, value)
    assert {schema_of(define).validate(etree.fromstring(f"<v>{e}</v>".encode()).getroottree())
            for e in EXAMPLES[define] if "<" not in e and "&" not in e} == {True, False}  # fmt: skip


#: Characters each pattern treats apart (white space as XML Schema and Python see it,
#: line breaks, punctuation of URLs, dates and media types), and some others.
ALPHABET = " \t\n\r\x85\u00a0\u2028:/;,.+-!#$&^_()[]{}|?*\\aZz09é東"


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PLACES),
    st.data(),
    st.text(alphabet=ALPHABET, max_size=4),
    st.integers(0, 40),
    st.integers(0, 3),
)
def test_the_checks_agree_with_rss_rng_patterns_on_generated_values(
    place: tuple[str, str, str | None, str], data: st.DataObject, insert: str, at: int, cut: int
) -> None:
    define = place[0]
    base = data.draw(st.sampled_from(EXAMPLES[define]))
    agree(*place, base[:at] + insert + base[at + cut :])


#: One entry of a valid Atom feed, whose related link's type each case below sets.
ONE_ENTRY = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>https://e.com/</id><title>T</title>
<updated>2020-05-19T21:00:00Z</updated><author><name>N</name></author>
<link href="https://e.com/f.atom" rel="self" type="application/atom+xml"/>
<entry><id>https://e.com/a</id><title>I</title><updated>2020-05-19T21:00:00Z</updated>
<link href="https://e.com/a"/><link rel="related" href="https://e.com/r" type="text/html"/>
</entry></feed>
"""


def test_the_one_entry_feed_is_valid() -> None:
    assert check(ONE_ENTRY, NOW) == ("atom", [])


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(EXAMPLES["mediaType"]), st.text(alphabet=ALPHABET, max_size=4),
       st.integers(0, 40), st.integers(0, 3))  # fmt: skip
def test_an_atom_link_type_is_held_to_atom_rng_pattern(
    base: str, insert: str, at: int, cut: int
) -> None:
    """atom.rng leaves a link's type to code, which reads atomMediaType's pattern from
    atom.rng: its verdict is libxml2's on each value."""
    value = base[:at] + insert + base[at + cut :]
    v = etree.Element("v")
    v.text = value
    by_schema = schema_of("atomMediaType", "atom").validate(v.getroottree())
    root = etree.fromstring(ONE_ENTRY)
    root.find(f"{A}entry/{A}link[@rel='related']").set("type", value)
    fmt, problems = check(etree.tostring(root, encoding="UTF-8"), NOW)
    by_code = not any(p.message.startswith("link rel=related type is not") for p in problems)
    assert (fmt, by_code) == ("atom", by_schema), (value, problems)


def _email_utils_date(text: str) -> datetime | None:
    """An RFC 822 date as the standard library reads it (naive for an unknown zone)."""
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None


_DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz"]
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec", "Foo"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(_DAY_NAMES), st.integers(0, 40), st.sampled_from(_MONTH_NAMES),
    st.integers(0, 10000), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99),
    st.sampled_from("+-"), st.integers(0, 9999), st.sampled_from(["", " ", " GMT", "x"]),
)  # fmt: skip
def test_rfc822_dates_read_as_email_utils_reads_them(
    day: str, mday: int, month: str, year: int, h: int, m: int, s: int, sign: str, zone: int,
    tail: str,
) -> None:  # fmt: skip
    """The checks' own reading of the form feedpub writes (and of every other, through
    email.utils): the same instant and the same offset, or None for both."""
    from feedpub.formats.xmlcheck import parse_rfc822

    for text in (
        f"{day}, {mday:02d} {month} {year:04d} {h:02d}:{m:02d}:{s:02d} {sign}{zone:04d}{tail}",
        f"{day}, {mday} {month} {year} {h}:{m:02d}:{s:02d} {sign}{zone:04d}",
    ):
        theirs = _email_utils_date(text)
        ours = parse_rfc822(text, unknown=None)
        assert (ours is None) == (theirs is None), text
        if ours is not None and theirs is not None:
            assert (ours.tzinfo is None) == (theirs.tzinfo is None), text
            assert ours.utcoffset() == theirs.utcoffset(), text
            assert ours.timetuple()[:6] == theirs.timetuple()[:6], text
            assert parse_rfc822(text) == (theirs if theirs.tzinfo else theirs.replace(tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.timezones()))
def test_rfc822_dates_written_as_email_utils_writes_them(when: datetime) -> None:
    """(The feeds' and the OPML's dates: articles are dated 1970 on, with an offset.)"""
    import email.utils

    from feedpub.formats.items import rfc822

    assert rfc822(when) == email.utils.format_datetime(when)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.timezones()), st.booleans())
def test_rfc3339_dates_written_as_strftime_writes_them(when: datetime, whole: bool) -> None:
    """Atom's dates, in UTC with ``Z`` (any year, any offset, with microseconds or not)."""
    from feedpub.formats.items import rfc3339

    when = when.replace(microsecond=0) if whole else when
    try:
        utc = when.astimezone(UTC)
    except OverflowError:  # (a date within a day of the first or last one a datetime holds)
        return
    form = "%Y-%m-%dT%H:%M:%S.%fZ" if utc.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    assert rfc3339(when) == utc.strftime(form)


# ------------------------------------------ the schemas' extension patterns, rewritten

ATOM_NS = "http://www.w3.org/2005/Atom"
#: RFC 4287's extensionElement (Appendix B), which atom.rng writes as one pattern.
RFC_EXTENSION = f"""<define xmlns="{RNG[1:-1]}" name="extensionElement">
  <choice><ref name="simpleExtensionElement"/><ref name="structuredExtensionElement"/></choice>
</define>"""
#: rss.rng's anyContent as it was written before (attributes, text and elements in any order).
RSS_ANY_CONTENT = f"""<define xmlns="{RNG[1:-1]}" name="anyContent">
  <zeroOrMore><choice>
    <attribute><anyName/></attribute><text/><element><anyName/><ref name="anyContent"/></element>
  </choice></zeroOrMore>
</define>"""


@functools.cache
def grammar(name: str, start: str, replaced: str | None = None) -> etree.RelaxNG:
    """The schema ``name`` with ``start`` (a define of an element) for its start, and the
    define ``replaced`` (its text) in place of the one of that name."""
    root = etree.parse(str(ROOT / "feedpub" / "schemas" / f"{name}.rng")).getroot()
    first_start = root.find(f"{RNG}start")
    for child in list(first_start):
        first_start.remove(child)
    etree.SubElement(first_start, f"{RNG}ref", name=start)
    if replaced is not None:
        new = etree.fromstring(replaced)
        old = root.find(f"{RNG}define[@name='{new.get('name')}']")
        root.replace(old, new)
    return etree.RelaxNG(root)


NAMES = [f"{{{ATOM_NS}}}entry", "{http://search.yahoo.com/mrss/}content", "{urn:x}y", "plain"]
ATTRIBUTES = ["a", "{urn:x}b", "{http://www.w3.org/XML/1998/namespace}lang", f"{{{ATOM_NS}}}c"]


@st.composite
def elements(draw: st.DrawFn, depth: int = 2) -> Any:
    el = etree.Element(draw(st.sampled_from(NAMES)))
    for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=2, unique=True)):
        el.set(name, draw(st.sampled_from(["", "v", " x "])))
    el.text = draw(st.sampled_from([None, "", "t", " "]))
    if depth:
        for child in draw(st.lists(elements(depth - 1), max_size=2)):
            child.tail = draw(st.sampled_from([None, "u", "\n"]))
            el.append(child)
    return el


def test_the_rewritten_extension_patterns_take_and_refuse() -> None:
    atom = grammar("atom", "extensionElement")
    rss = grammar("rss", "foreignElement")
    media = etree.fromstring(
        b'<m:content xmlns:m="urn:m" url="u"><m:title>t</m:title>x</m:content>'
    )
    assert atom.validate(media.getroottree()) and rss.validate(media.getroottree())
    inside = etree.fromstring(f'<x xmlns="{ATOM_NS}"/>'.encode())
    assert not atom.validate(inside.getroottree())
    assert not rss.validate(etree.fromstring(b"<plain/>").getroottree())


@settings(max_examples=300, deadline=None)
@given(elements())
def test_the_rewritten_extension_patterns_agree_with_the_written_ones(el: Any) -> None:
    """atom.rng's extensionElement is RFC 4287's, and rss.rng's anyContent the one it
    had, in patterns libxml2 checks faster: the same verdict on every element."""
    tree = el.getroottree()
    assert grammar("atom", "extensionElement").validate(tree) == grammar(
        "atom", "extensionElement", RFC_EXTENSION
    ).validate(tree)
    assert grammar("rss", "foreignElement").validate(tree) == grammar(
        "rss", "foreignElement", RSS_ANY_CONTENT
    ).validate(tree)


#: RSS 2.0's email address as rss.rng first wrote it (``\s*\S+@\S+.*``): libxml2 tried
#: every way of splitting a value at one of its "@"s (``a@a@…a@`` and a line break:
#: 4 KB took 26 s to validate, 11 KB over a minute).
EMAIL_AS_FIRST_WRITTEN = r"\s*\S+@\S+.*"


def test_the_email_pattern_takes_what_it_took_and_matches_one_way() -> None:
    """rss.rng's email pattern (``managingEditor``, ``webMaster``, an item's ``author``)
    takes the values it took, exactly (every string of up to five of the characters it
    treats apart, in Python's reading of both patterns, and libxml2's own verdict on
    examples), and can match a value one way only: no quantifier's characters can be
    taken by the one after it (nor ``@`` by the characters before the first one after
    the start)."""
    from feedpub.formats.xmlcheck import python_pattern

    pattern = etree.parse(str(ROOT / "feedpub" / "schemas" / "rss.rng")).xpath(
        "//rng:define[@name='email']/rng:data/rng:param/text()", namespaces={"rng": RNG[1:-1]}
    )[0]
    assert pattern == r"\s*\S[^\s@]*@\S.*"
    old, new = (re.compile(python_pattern(p)) for p in (EMAIL_AS_FIRST_WRITTEN, pattern))
    for n in range(6):
        for chars in itertools.product(" \n\r@a", repeat=n):
            value = "".join(chars)
            assert bool(old.fullmatch(value)) == bool(new.fullmatch(value)), repr(value)
    email = schema_of("email")
    for value, valid in [("ed@example.com (Ed)", True), (" a@b", True), ("@@b", True),
                         ("a@", False), ("@b", False), ("a @b", False), ("a@b\nX", False),
                         ("a@" * 2000 + "\nX", False)]:  # fmt: skip
        v = etree.Element("v")
        v.text = value
        assert email.validate(v.getroottree()) is valid, value
