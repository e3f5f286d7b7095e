"""Property-based: generated front matter thrown at the loader, the renderers and the
validator. Whatever the input, the loader returns an Article or an ArticleError (never
another exception), and every feed rendered from an Article is well-formed, passes
the same checks as ``feedpub validate`` and reads back in feedparser."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub.articles import load_article, load_summary
from feedpub.config import Config, load_config
from feedpub.errors import ArticleError
from feedpub.formats import check, render
from feedpub.model import Summary

from .conftest import draft_of

#: Text with everything real files and attackers put in strings: markup, entities,
#: mojibake, XML-forbidden characters, surrogates' neighbours, right-to-left marks,
#: terminal escapes and no-break spaces (text that cleaning may leave empty).
NASTY = ["<script>alert(1)</script>", "]]>", "&#038;", "&amp;", "Itâ€™s", "\x00", "\x1b", "\x85",
         "\ufffe", "\u202e", "\U0001f680", "javascript:alert(1)", " data:,x", "&#106;avascript:",
         "<img src=x onerror=alert(1)>", "\r\n", "\t", "'", '"', "\\", "%", "---",
         "\x1b[31m", "&#27;[2J", "\xa0", "&nbsp;"]  # fmt: skip
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=8), max_size=6).map("".join),
)
urls = st.one_of(
    st.sampled_from(
        [
            "https://news.example.com/a?x=1&#038;y=2",
            "http://b.example.org/p q",
            "//cdn.example.net/i.jpg",
            "/relative",
            "javascript:alert(1)",
            " JaVaScRiPt:x",
            "data:image/png;base64,AA",
            "https://例え.jp/パス",
            "https://x.example/<tag>",
            "https://[::1]:99999/",
            "https://user@host.example/",
            "ftp://a.example/",
        ]
    ),
    texts,
    st.builds(lambda p: f"https://news.example.com/{p}", texts),
)
dates = st.one_of(
    st.datetimes(
        min_value=datetime(1960, 1, 1),
        max_value=datetime(2030, 1, 1),
        timezones=st.none() | st.just(UTC),
    ),
    st.dates(min_value=date(1960, 1, 1), max_value=date(2030, 1, 1)),
    st.sampled_from(
        ["2020-05-19T21:00:00Z", "Tue, 19 May 2020 21:00:00 +0000", "yesterday", "", "2024-02-30"]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts, dates)
images = st.lists(
    st.fixed_dictionaries(
        {"url": urls},
        optional={
            "width": scalars | st.integers(0, 5000),
            "height": scalars,
            "title": texts,
            "isCached": scalars,
        },
    ),
    max_size=3,
)
provider = st.fixed_dictionaries(
    {}, optional={"name": texts | scalars, "domain": texts, "images": images}
)
related = st.lists(
    st.fixed_dictionaries(
        {"title": texts, "webUrl": urls},
        optional={
            "excerpt": texts,
            "publishedDateTime": dates,
            "provider": provider,
            "images": images,
        },
    ),
    max_size=4,
)
#: Mostly plausible, sometimes wrong: most examples must reach the renderers.


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` three times in four (``map`` keeps one_of from flattening ``bad``'s branches)."""
    return st.one_of(good, good, good, bad.map(lambda x: x))


titles = st.builds(lambda t: f"T {t}", texts)
good_urls = st.builds(lambda p: f"https://news.example.com/{p}", texts)
good_dates = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2025, 1, 1), timezones=st.just(UTC)
)
OPTIONAL = {
    "excerpt": mostly(texts, scalars),
    "originalUrl": urls,
    "published": st.just(True) | scalars,
    "topics": st.lists(texts | scalars, max_size=4) | texts | scalars,
    "images": images | scalars,
    "related": related | scalars,
    "provider": provider | scalars,
    "type": st.sampled_from(["article", "video", "VIDEO "]) | scalars,
    "featuredContent": st.sampled_from(
        [
            '<iframe src="//video.example/embed/1"></iframe>',
            "<iframe src='javascript:alert(1)'></iframe>",
            "<script>x</script>",
            '<iframe src="https://v.example/e?a=1&amp;b=2" onload="x()">',
        ]
    )
    | texts,
    "quality": scalars,
    "heat": scalars,
    "ampWebUrl": urls,
    "secured": st.just("FUZZ-SECRET-0123456789abcdef"),
}
front = st.fixed_dictionaries(
    {
        "title": mostly(titles, texts | scalars),
        "webUrl": mostly(good_urls, urls),
        "publishedDateTime": mostly(good_dates, dates),
    },
    optional=OPTIONAL,
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "config.toml"
    path.write_text(
        '[site]\ntitle = "Fuzz & <Co>"\nlink = "https://example.com/"\nfeeds_url = "https://example.com/feeds/"\n'
        'content = ["*.txt"]\n\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\nformats = ["rss", "atom", "json"]\n',
        encoding="utf-8",
    )
    return load_config(path)


def _document(mapping: dict[str, Any]) -> bytes:
    return (
        b"---\n"
        + yaml.safe_dump(mapping, allow_unicode=True).encode("utf-8", "surrogatepass")
        + b"---\nbody\n"
    )


def _check_feeds(config: Config, data: bytes) -> None:
    try:
        article = load_article("fuzz.txt", data, UTC)
    except ArticleError as e:
        assert e.line >= 1
        assert b"FUZZ-SECRET" not in str(e).encode()
        if draft_of("fuzz.txt", data, e) is not None:  # a draft: rejected when published
            return
        with pytest.raises(ArticleError) as caught:  # a build's first pass rejects it too
            load_summary("fuzz.txt", data, UTC, "d")
        assert (caught.value.line, caught.value.message) == (e.line, e.message)
        return
    a = article  # and summarises it as the article says
    assert load_summary("fuzz.txt", data, UTC, "d") == Summary(
        a.path, a.url, a.published, a.published_at, a.topics, a.quality, "d"
    )
    assert "FUZZ-SECRET" not in json.dumps(article.to_dict(), ensure_ascii=False)
    feed = config.feeds[0]
    for fmt in feed.formats:
        out = render(config, feed, [article], [fmt])[fmt]
        kind, problems = check(out, None)
        assert kind == fmt
        assert problems == [], (fmt, [str(p) for p in problems])
        assert b"FUZZ-SECRET" not in out
        if fmt != "json":
            parsed = feedparser.parse(out)
            assert not parsed.bozo, parsed.get("bozo_exception")
            assert len(parsed.entries) == 1
            if fmt == "rss" and feedparser_takes_for_html(article.url):
                # (its guess, not our bytes: the permalink guid holds the same URL)
                assert parsed.entries[0].id == article.url
            else:
                assert parsed.entries[0].link == article.url


#: What feedparser (``looks_like_html``) takes for a character reference: an RSS text
#: that holds one is HTML to it, and an RSS ``link`` it takes for HTML is cleaned as
#: markup (``https://x.example/a&b;`` loses its ``;``).
_REFERENCE_LIKE = re.compile(r"&#?\w+;")


def feedparser_takes_for_html(url: str) -> bool:
    """Whether feedparser guesses that an RSS link holding ``url`` is HTML."""
    return _REFERENCE_LIKE.search(url) is not None


def test_an_rss_link_that_feedparser_takes_for_html_is_still_written_exactly(
    config: Config,
) -> None:
    """A URL with what looks like a character reference in it (``&0;``, which
    ``clean_url`` leaves, as no reference is named so) is written once escaped, read
    back exactly by an XML parser, by feedparser from the RSS guid and the Atom link;
    only feedparser's RSS link loses the ``;``, by its own guess that the text is HTML
    (the README says so)."""
    from lxml import etree

    url = "https://news.example.com/a&0;b"
    data = _document({"title": "T", "webUrl": url, "published": True,
                      "publishedDateTime": datetime(2020, 1, 1, tzinfo=UTC)})  # fmt: skip
    article = load_article("x.txt", data, UTC)
    assert article.url == url and feedparser_takes_for_html(url)
    out = render(config, config.feeds[0], [article], ["rss", "atom"])
    assert b"<link>https://news.example.com/a&amp;0;b</link>" in out["rss"]
    assert etree.fromstring(out["rss"]).findtext("channel/item/link") == url
    rss, atom = feedparser.parse(out["rss"]).entries[0], feedparser.parse(out["atom"]).entries[0]
    assert rss.id == url and atom.link == url and atom.id == url
    assert rss.link == "https://news.example.com/a&0b"  # feedparser's, modelled above


#: Always a publishable core, everything else generated: every example is rendered.
publishable = st.fixed_dictionaries(
    {
        "title": titles,
        "webUrl": good_urls,
        "publishedDateTime": good_dates,
        "published": st.just(True),
    },
    optional={
        **{k: v for k, v in OPTIONAL.items() if k not in ("published", "excerpt", "topics")},
        "excerpt": texts,
        "topics": st.lists(texts, max_size=4),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(publishable)
def test_publishable_articles_with_generated_fields_render_valid_feeds(
    config: Config, mapping: dict[str, Any]
) -> None:
    try:
        data = _document(mapping)
    except (UnicodeEncodeError, yaml.YAMLError):
        return  # not representable as a YAML file (a lone surrogate)
    article = load_article("fuzz.txt", data, UTC)  # must load: its core is valid
    assert article.published
    _check_feeds(config, data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front)
def test_generated_front_matter_loads_renders_and_validates(
    config: Config, mapping: dict[str, Any]
) -> None:
    try:
        data = _document(mapping)
    except (UnicodeEncodeError, yaml.YAMLError):
        return  # not representable as a YAML file (a lone surrogate)
    _check_feeds(config, data)


@settings(max_examples=250, deadline=None)
@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_arbitrary_bytes_after_the_opening_line_never_escape_as_exceptions(
    config: Config, body: bytes
) -> None:
    _check_feeds(config, b"---\n" + body + b"\n---\n")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a: ",
                "- ",
                "[",
                "]",
                "{",
                "}",
                "&x ",
                "*x ",
                "!t ",
                "? ",
                ": ",
                "|\n",
                ">\n",
                "  ",
                "\n",
                '"',
                "'",
                "#",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "\t",
                "title: x\n",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_yaml_shaped_noise_is_reported_not_raised(config: Config, noise: str) -> None:
    _check_feeds(config, ("---\n" + noise + "\n---\n").encode())


def test_the_generators_reach_the_renderer(config: Config, tmp_path: Path) -> None:
    """Guard against a vacuous property: a plain generated article does get rendered."""
    data = _document({"title": "T", "webUrl": "https://news.example.com/x", "publishedDateTime": "2020-05-19T21:00:00Z",
                      "published": True, "images": [{"url": "https://img.example.net/a.png", "width": 3}]})  # fmt: skip
    article = load_article("x.txt", data, UTC)
    out = render(config, config.feeds[0], [article], ["rss"])["rss"]
    assert b"<enclosure" in out and check(out, None)[1] == []
