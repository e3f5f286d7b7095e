"""The checks a schema cannot express: each rule is broken once in a valid feed and
must be reported, with its line; the valid feed itself has no problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree

from feedpub.config import Config, load_config
from feedpub.formats import check

from .conftest import AZURE_AI_FEEDS
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


RSS = [
    ("channel link", channel("channel/link", None, "/relative"), "absolute-url"),
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
    # the lexical forms the schema leaves to code (see rss.rng, itemUrl)
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
    ("path", "attr", "value"),
    [
        ("pubDate", None, "1 Jan 2021 00:00 GMT"),
        ("pubDate", None, "  Fri, 01 Jan 2020 23:59:59 -0500\n"),
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
