"""Rendering: read every feed back with feedparser and compare with the articles;
one regression test per feedgen 1.0.0 trap listed in FEED-RULES.md."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from feedpub import formats
from feedpub.articles import load_article
from feedpub.config import Config, FeedConfig, load_config
from feedpub.formats import check, items
from feedpub.formats.items import EMPTY_FEED_DATE, Player, content_html, image_type, video_player
from feedpub.model import Article, Image, Provider, Related
from feedpub.select import select

from .conftest import AZURE_AI_FEEDS, SEEDS

NOW = datetime(2021, 1, 1, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def config(write_config, seeds_dir: Path) -> Config:  # type: ignore[no-untyped-def]
    return load_config(write_config(["content/*.txt"], AZURE_AI_FEEDS))


def render(config: Config, feed: FeedConfig, items: list[Article], fmt: str) -> bytes:
    """One document of ``feed`` in one format, through the registry's door."""
    return formats.render(config, feed, items, [fmt])[fmt]


def by_slug(config: Config, slug: str) -> FeedConfig:
    feed = config.feed(slug)
    assert feed is not None, slug
    return feed


def seed_articles() -> list[Article]:
    return [load_article(f.name, f.read_bytes(), UTC) for f in sorted(SEEDS.glob("*.txt"))]


def rich_article() -> Article:
    return Article(
        path="rich.txt",
        title="AT&T & “quotes”: 3 < 5",
        excerpt="3 < 5 & 7 > 6",
        url="https://example.com/rich?a=1&b=2",
        published_at=datetime(2020, 5, 19, 21, tzinfo=UTC),
        published=True,
        topics=("Azure", "Économie"),
        images=(
            Image("https://img.example.net/photo?id=1&w=800", 800, 600, "Lead"),
            Image("https://img.example.net/b.png", None, None),
        ),
        related=tuple(
            Related(
                f"Other {i} & co",
                f"https://other.example/{i}",
                "Prov",
                datetime(2020, 5, 18, tzinfo=UTC),
            )
            for i in range(3)
        ),
        provider=Provider("Example News", "example.com"),
        type="video",
        featured_content='<iframe src="//video.example/embed/1" onload="x()"></iframe><script>x()</script>',
    )


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feedparser_reads_back_every_field(config: Config, fmt: str) -> None:
    for feed in config.feeds:
        items = select(seed_articles(), feed, NOW)
        parsed = feedparser.parse(render(config, feed, items, fmt))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.feed.title == feed.title
        assert len(parsed.entries) == len(items) > 0
        for entry, a in zip(parsed.entries, items, strict=True):
            assert entry.title == a.title
            assert entry.link == a.url
            assert entry.id == a.url
            assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == a.published_at
            assert html.unescape(entry.summary) == a.excerpt
            assert [t.term for t in entry.tags] == list(a.topics)
            assert a.provider is not None and entry.author == a.provider.name
            assert [m["url"] for m in entry.media_content] == [i.url for i in a.images]
            assert entry.media_thumbnail[0]["url"] == a.images[0].url
            assert [e.href for e in entry.enclosures] == [a.images[0].url]
            assert entry.enclosures[0].type == "image/jpeg"
            alternates = [ln for ln in entry.links if ln.rel == "alternate"]
            assert [ln.href for ln in alternates] == [a.url]
            if fmt == "atom":
                related = [(ln.href, ln.title) for ln in entry.links if ln.rel == "related"]
                assert related == [(r.url, r.title) for r in a.related]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_text_is_escaped_exactly_once(config: Config, fmt: str) -> None:
    a = rich_article()
    parsed = feedparser.parse(render(config, config.feeds[0], [a], fmt))
    assert not parsed.bozo
    entry = parsed.entries[0]
    assert entry.title == a.title  # "AT&T", never "AT&amp;T"
    assert html.unescape(entry.summary) == a.excerpt
    assert entry.link == a.url
    assert [i.url for i in a.images] == [m["url"] for m in entry.media_content]


def test_content_html_is_sanitised_and_turns_the_iframe_into_a_link() -> None:
    body = content_html(rich_article())
    assert "<iframe" not in body and "<script" not in body and "onload" not in body
    # to the watch page (the article), not the bare embed player
    assert (
        '<p><a href="https://example.com/rich?a=1&amp;b=2" rel="noopener noreferrer">Watch the video</a></p>'
        in body
    )
    assert "video.example/embed" not in body
    assert body.count("<li>") == 3
    assert "Related coverage" in body and "Other 0 &amp; co" in body
    assert '<time datetime="2020-05-18T00:00:00Z">18 May 2020</time>' in body
    assert (
        '<img src="https://img.example.net/photo?id=1&amp;w=800" alt="Lead" width="800" height="600">'
        in body
    )


def test_an_excerpt_of_paragraphs_is_a_paragraph_each_in_the_body() -> None:
    """A paragraph each, and a line break within one a <br> (HTML shows a bare line
    break as a space: a CMS's lines ran together in every reader)."""
    a = replace(rich_article(), excerpt="First & one.\nStill first.\n\n  \nSecond < two.")
    body = content_html(a)
    assert "<p>First &amp; one.\n<br>Still first.</p>\n<p>Second &lt; two.</p>" in body
    paragraphs = lxml_html.fragments_fromstring(body)[1:3]  # (the lead image's first)
    # (a line break before the <br> too, which HTML does not show there: for a reader
    # that takes the tags out to show the text plain)
    assert [p.text_content() for p in paragraphs] == ["First & one.\nStill first.", "Second < two."]
    assert [child.tag for child in paragraphs[0]] == ["br"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_excerpt_over_lines_is_paragraphs_and_lines_in_the_summary_too(
    config: Config, fmt: str
) -> None:
    """The RSS description and Atom summary (HTML both) hold an excerpt over lines as
    paragraphs and <br>s, as the body does (its text alone ran together in readers that
    show them); an excerpt on one line is escaped text, as before."""
    lines = "Key Benefits:\nAccess Control: 3 < 5.\n\nSecond & last."
    for excerpt, wanted in [
        (lines, "<p>Key Benefits:\n<br>Access Control: 3 &lt; 5.</p>\n<p>Second &amp; last.</p>"),
        ("3 < 5 & 7 > 6", "3 &lt; 5 &amp; 7 &gt; 6"),
    ]:
        data = render(config, config.feeds[0], [replace(rich_article(), excerpt=excerpt)], fmt)
        assert check(data, NOW)[1] == []
        root = etree.fromstring(data)
        summary = (
            root.find("channel/item/description")
            if fmt == "rss"
            else root.find(
                "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary"
            )
        )
        assert summary is not None and summary.text == wanted
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.entries[0].summary == "3 &lt; 5 &amp; 7 &gt; 6"


def _rss_parser_snippet(value: str) -> str:
    """The text rss-parser (3.13, the JavaScript library behind many web apps) gives
    of an HTML field, its ``contentSnippet``: its ``stripHtml`` and ``getSnippet``,
    the same regular expressions. The first puts a line break for a block tag
    between two characters, matching lazily up to a ``>`` that a character other
    than a line break follows: after a tag followed by a line break, it runs on
    over the text to the next such ``>``, and takes that text out."""
    value = re.sub(
        r"([^\n])</?(h|br|p|ul|ol|li|blockquote|section|table|tr|div)(?:.|\n)*?>([^\n])",
        "\\1\n\\3", value, flags=re.M,
    )  # fmt: skip
    return html.unescape(re.sub(r"<(?:.|\n)*?>", "", value, flags=re.M)).strip()


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_every_line_of_an_excerpt_reaches_a_reader_that_strips_the_tags(
    config: Config, fmt: str
) -> None:
    """rss-parser's snippet of the RSS description (of the Atom content) lost the line
    after each <br> of a paragraph followed by another: "Line one<br>\\nLine
    two</p>\\n<p>Para two" was "Line one\\nPara two". The line break is now before
    the <br>, where it costs no text, and every line is there, on a line of its own."""
    excerpt = "Line one\nLine two & more\n\nPara two\nstill < two\n\nThree"
    data = render(config, config.feeds[0], [replace(rich_article(), excerpt=excerpt)], fmt)
    assert check(data, NOW)[1] == []
    root = etree.fromstring(data)
    if fmt == "rss":
        fields = [root.findtext("channel/item/description"),
                  root.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")]  # fmt: skip
    else:
        fields = [root.findtext(f"{ATOM}entry/{ATOM}summary"),
                  root.findtext(f"{ATOM}entry/{ATOM}content")]  # fmt: skip
    lines = [line for line in excerpt.split("\n") if line]
    for value in fields:
        assert value is not None
        snippet = _rss_parser_snippet(value).split("\n")
        assert all(line in snippet for line in lines), (value, snippet)
    # as an HTML parser shows it, the same paragraphs and lines as before
    paragraphs = lxml_html.fragments_fromstring(fields[0])
    assert [p.text_content().split("\n") for p in paragraphs] == [
        ["Line one", "Line two & more"],
        ["Para two", "still < two"],
        ["Three"],
    ]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_a_reader_that_strips_the_tags_shows_each_block_of_a_body_on_its_own_line(
    config: Config, fmt: str
) -> None:
    """The body's blocks (the lead image, each paragraph, the video's link, the heading
    and each related link) were written with no line break between them: a reader that
    takes the tags out (@extractus/feed-extractor, a plain-text mail) showed "Scott
    Durow!Use and understand…". Each is on a line of its own now, rss-parser's snippet
    loses none of them, and an HTML parser finds the same blocks, with nothing between."""
    a = replace(rich_article(), excerpt="Scott Durow!\n\nUse & understand\nthe <platform>")
    data = render(config, config.feeds[0], [a], fmt)
    assert check(data, NOW)[1] == []
    if fmt == "json":
        body = json.loads(data)["items"][0]["content_html"]
    else:
        root = etree.fromstring(data)
        body = (root.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
                if fmt == "rss" else root.findtext(f"{ATOM}entry/{ATOM}content"))  # fmt: skip
    wanted = ["Scott Durow!", "Use & understand", "the <platform>", "Watch the video",
              "Related coverage", *(f"Other {i} & co Prov, 18 May 2020" for i in range(3))]  # fmt: skip
    stripped = html.unescape(re.sub(r"<[^>]*>", "", body))  # (feed-extractor's, then decoded)
    assert [line for line in stripped.split("\n") if line] == wanted, body
    snippet = _rss_parser_snippet(body)
    assert [line for line in snippet.split("\n") if line] == wanted, body
    blocks = lxml_html.fragments_fromstring(body)
    assert [b.tag for b in blocks] == ["p", "p", "p", "p", "h3", "ul"]  # (no text between)
    assert [b.text_content() for b in blocks[1:5]] == [
        "Scott Durow!",
        "Use & understand\nthe <platform>",
        "Watch the video",
        "Related coverage",
    ]
    assert [li.text_content() for li in blocks[5]] == wanted[5:]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_article_of_a_title_alone_has_a_body_linking_it(config: Config, fmt: str) -> None:
    """Neither an empty body ("content should not be blank", says the W3C validator)
    nor none ("missing textual content"): a link to the article."""
    a = replace(rich_article(), excerpt="", images=(), related=(), type="article",
                featured_content="")  # fmt: skip
    link = '<p><a href="https://example.com/rich?a=1&amp;b=2" rel="noopener noreferrer">Read the article</a></p>'
    assert content_html(a) == link
    data = render(config, config.feeds[0], [a], fmt)
    assert check(data, NOW) == (fmt, [])
    entry = feedparser.parse(data).entries[0]
    body = lxml_html.fragment_fromstring(
        (entry.content[0] if "content" in entry else entry.summary_detail).value
    )
    assert (body.tag, body.text_content(), body[0].get("href")) == ("p", "Read the article", a.url)
    assert "Read the article" not in content_html(rich_article())


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_video_links_its_watch_page_and_gives_its_embed_player_as_media_player(
    config: Config, fmt: str
) -> None:
    a = replace(
        rich_article(),
        featured_content='<iframe width="560" src="https://video.example/embed/1?autoplay=0&amp;'
        "rel=0\" height='315' allowfullscreen></iframe>",
    )
    data = render(config, config.feeds[0], [a], fmt)
    assert check(data, NOW) == (fmt, [])
    entry = feedparser.parse(data).entries[0]
    assert entry.link == a.url  # the watch page stays the item's link
    assert entry.media_player["url"] == "https://video.example/embed/1?autoplay=0&rel=0"
    item = etree.fromstring(data).find("channel/item" if fmt == "rss" else f"{ATOM}entry")
    players = item.findall(f"{MEDIA}player")  # beside media:content, one per item
    assert [dict(p.attrib) for p in players] == [
        {"url": "https://video.example/embed/1?autoplay=0&rel=0", "width": "560", "height": "315"}
    ]
    assert players[0].getparent() is item and item.find(f"{MEDIA}content") is not None
    body = html.unescape(entry.content[0].value)
    watch = [ln for ln in lxml_html.fromstring(body).iter("a") if ln.text == "Watch the video"]
    assert [ln.get("href") for ln in watch] == [a.url]


@pytest.mark.parametrize(
    ("embed", "player"),
    [
        (
            "<iframe width=640 height=360 src=https://p.example/e/1></iframe>",
            Player("https://p.example/e/1", 640, 360),
        ),  # values not quoted
        (
            '<iframe data-src="https://bad.example/x" src="https://p.example/e/2">',
            Player("https://p.example/e/2"),
        ),  # another attribute ending in "src"
        (
            '<iframe title="a src=https://bad.example/ width=9" src="https://p.example/e/3" '
            'width="100">',
            Player("https://p.example/e/3", 100),
        ),  # "src=" inside a value
        (
            "<iframe></iframe><iframe src='//p.example/e/4?a=1&amp;b=2&region=eu' WIDTH=\"0\" "
            'height="50px">',
            Player("https://p.example/e/4?a=1&b=2&region=eu"),
        ),
        (
            '<IFRAME SRC="https://p.example/e/5" src="https://bad.example/">',
            Player("https://p.example/e/5"),
        ),  # the first of a name written twice
        (
            '<iframe/src="https://p.example/e/6"/height=70>',
            Player("https://p.example/e/6", None, 70),
        ),
        (
            '<iframe src="https://p.example/e/7?q=a&amp;amp;b">',
            Player("https://p.example/e/7?q=a&amp;b"),
        ),  # decoded once
        ('<iframe srcdoc="<p>x</p>"></iframe>', None),
        (
            '<!-- old: <iframe src="https://bad.example/old"></iframe> -->'
            '<iframe src="https://p.example/e/8">',
            Player("https://p.example/e/8"),
        ),  # an embed commented out, to swap in another: was the player published
        ('<!-- <iframe src="https://bad.example/x"></iframe>', None),  # never closed
        ('<!--><iframe src="https://p.example/e/9">', Player("https://p.example/e/9")),
        ('<iframes src="https://bad.example/">', None),
    ],
)
def test_the_embed_player_is_read_as_a_browser_reads_the_iframe(
    embed: str, player: Player | None
) -> None:
    assert video_player(replace(rich_article(), featured_content=embed)) == player


def test_iframe_tags_never_closed_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``<iframe <iframe <iframe …`` (a tag never closed, many times: a featuredContent cut
    or garbled) read each iframe's attributes to the end of the text, the next iframes'
    among them, then again from the next: 24 KB took 4 s a render, a 2 MB file hours.
    The first iframe's attributes are the rest of the text, as a browser reads them."""
    calls = 0
    attribute = items._ATTRIBUTE

    class Counted:
        def match(self, text: str, at: int) -> re.Match[str] | None:
            nonlocal calls
            calls += 1
            return attribute.match(text, at)

    monkeypatch.setattr(items, "_ATTRIBUTE", Counted())
    article = replace(rich_article(), featured_content="<iframe " * 2000)
    assert video_player(article) is None
    assert calls <= 2001


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_no_media_player_without_an_embed(config: Config, fmt: str) -> None:
    no_embed = replace(rich_article(), featured_content="<p>a video, no iframe</p>")
    no_video = replace(rich_article(), type="article", featured_content="")
    for a in (no_embed, no_video):
        root = etree.fromstring(render(config, config.feeds[0], [a], fmt))
        assert root.find(f".//{MEDIA}player") is None
    assert '<a href="https://example.com/rich?a=1&amp;b=2"' in content_html(no_embed)
    assert "Watch the video" not in content_html(no_video)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://e.com/a.PNG", "image/png"),
        ("https://e.com/a.webp?x=1.gif", "image/webp"),
        ("https://e.com/photo?id=1.png", "image/jpeg"),
        ("https://e.com/dir.v2/photo", "image/jpeg"),
        ("https://e.com/a.gif#x.png", "image/gif"),
    ],
)
def test_image_type_comes_from_the_path_not_the_query(url: str, kind: str) -> None:
    assert image_type(url) == kind


# ----------------------------------------------------------------- feedgen 1.0.0 traps


def test_trap_atom_entry_links_keep_rel_type_title_length(config: Config) -> None:
    """feedgen #135 turns every entry link into an alternate; ours must not."""
    root = etree.fromstring(render(config, config.feeds[0], [rich_article()], "atom"))
    links = root.find(f"{ATOM}entry").findall(f"{ATOM}link")
    rels = [ln.get("rel", "alternate") for ln in links]
    assert rels.count("alternate") == 1
    enclosure = next(ln for ln in links if ln.get("rel") == "enclosure")
    assert enclosure.get("type") == "image/jpeg" and enclosure.get("length") == "0"
    related = [ln for ln in links if ln.get("rel") == "related"]
    assert [ln.get("title") for ln in related] == ["Other 0 & co", "Other 1 & co", "Other 2 & co"]


def test_trap_entries_keep_the_given_order(config: Config) -> None:
    """add_entry() prepends by default."""
    items = select(seed_articles(), by_slug(config, "azure"), NOW)  # azure: 002 then 003
    parsed = feedparser.parse(render(config, by_slug(config, "azure"), items, "rss"))
    assert [e.link for e in parsed.entries] == [a.url for a in items]
    assert items[0].published_at > items[1].published_at


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_trap_dates_come_from_articles_never_the_clock(config: Config, fmt: str) -> None:
    """feed and entry ``updated`` default to now()."""
    items = select(seed_articles(), by_slug(config, "azure"), NOW)
    first = render(config, by_slug(config, "azure"), items, fmt)
    parsed = feedparser.parse(first)
    newest = items[0].published_at
    stamp = parsed.feed.updated_parsed
    assert datetime(*stamp[:6], tzinfo=UTC) == newest
    for entry, a in zip(parsed.entries, items, strict=True):
        if fmt == "atom":
            assert datetime(*entry.updated_parsed[:6], tzinfo=UTC) == a.published_at
    assert render(config, by_slug(config, "azure"), items, fmt) == first


def test_empty_feed_gets_the_fixed_documented_date(config: Config) -> None:
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(render(config, config.feeds[0], [], fmt))
        assert not parsed.bozo
        assert datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC) == EMPTY_FEED_DATE


def test_trap_rss_channel_link_is_the_site_not_the_self_link(config: Config) -> None:
    root = etree.fromstring(render(config, by_slug(config, "ai"), [rich_article()], "rss"))
    channel = root.find("channel")
    assert channel.findtext("link") == "https://example.com/"
    selfs = [ln for ln in channel.findall(f"{ATOM}link") if ln.get("rel") == "self"]
    assert [(ln.get("href"), ln.get("type")) for ln in selfs] == [
        ("https://example.com/feeds/ai.rss", "application/rss+xml")
    ]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_trap_no_media_group_of_one(config: Config, fmt: str) -> None:
    one = replace(rich_article(), images=(Image("https://e.com/a.jpg", 1, 1),))
    data = render(config, config.feeds[0], [one], fmt)
    root = etree.fromstring(data)
    assert root.find(f".//{MEDIA}group") is None
    assert len(root.findall(f".//{MEDIA}content")) == len(one.images)


def test_trap_rss_enclosure_length_is_a_number_and_author_survives(config: Config) -> None:
    root = etree.fromstring(render(config, config.feeds[0], [rich_article()], "rss"))
    item = root.find("channel/item")
    enclosures = item.findall("enclosure")
    assert len(enclosures) == 1
    assert enclosures[0].attrib == {
        "url": "https://img.example.net/photo?id=1&w=800",
        "length": "0",
        "type": "image/jpeg",
    }
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Example News"
    assert [c.tag for c in item][:4] == [
        "title",
        "link",
        "description",
        "{http://purl.org/rss/1.0/modules/content/}encoded",
    ]


# ----------------------------------------------------------------- W3C validator checks


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_plain_text_uses_hexadecimal_references(config: Config, fmt: str) -> None:
    """RSS Best Practices: ``&`` and ``<`` in plain text as ``&#x26;`` / ``&#x3C;`` (the
    W3C validator warns otherwise); a reader still sees the exact title."""
    related = (Related("R&D: x<y", "https://other.example/r?a=1&b=2"),)
    a = replace(rich_article(), title="AT&T if a<b", provider=Provider("R&D <Lab>", "e.com"),
                related=related)  # fmt: skip
    data = render(config, config.feeds[0], [a], fmt)
    assert b"<title>AT&#x26;T if a&#x3C;b</title>" in data
    assert b"AT&amp;T" not in data and b"a&lt;b" not in data
    creator = b"<dc:creator>" if fmt == "rss" else b"<name>"
    assert creator + b"R&#x26;D &#x3C;Lab&gt;" in data
    # a related link's title too (its URL's "&" is no text: it stays "&amp;")
    assert b'href="https://other.example/r?a=1&amp;b=2" title="R&#x26;D: x&#x3C;y"/>' in data
    entry = feedparser.parse(data).entries[0]
    assert entry.title == "AT&T if a<b"
    assert entry.author == "R&D <Lab>"
    links = etree.fromstring(data).iter(f"{ATOM}link")  # (RSS's atom:link too)
    titles = [el.get("title") for el in links if el.get("title")]
    assert titles == ["R&D: x<y"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_description_uses_hexadecimal_references(config: Config, fmt: str) -> None:
    """The feed's description is plain text, as its title is: ``Tips <for> you`` was
    written ``&lt;`` in RSS's channel ``description``, which the W3C validator flags
    ("Encode "&" and "<" in plain text using hexadecimal character references"); over
    lines too. An item's description, which is HTML, keeps its ``&lt;``; the renderer of
    record (feedgen) writes the same bytes."""
    feed = replace(config.feeds[0], description="Tips <for> you\nR&D <b")
    data = render(config, feed, [rich_article()], fmt)
    tag = b"description" if fmt == "rss" else b"subtitle"
    assert b"<%s>Tips &#x3C;for&gt; you\nR&#x26;D &#x3C;b</%s>" % (tag, tag) in data
    assert b"&lt;p&gt;" in data if fmt == "rss" else b'<summary type="html">' in data
    root = etree.fromstring(data)
    own = root.find("channel/description") if fmt == "rss" else root.find(f"{ATOM}subtitle")
    assert own.text == "Tips <for> you\nR&D <b"  # the same text to an XML parser
    from feedpub.formats import xmlfeed

    assert xmlfeed.render(config, feed, [rich_article()], [fmt])[fmt] == data


def test_atom_entries_of_one_second_never_share_updated(config: Config) -> None:
    """Sources that give only a day date many articles the same second; the W3C
    validator flags entries with equal ``updated``. Each gets a fraction of its second
    from its URL: the same in every feed and build, never before ``published`` and
    never "in the future" when the article's second is ``now``."""
    when = datetime(2021, 2, 4, tzinfo=UTC)
    items = [
        replace(rich_article(), url=f"https://e.com/{i}", path=f"{i}.txt", published_at=when)
        for i in range(50)
    ]
    data = render(config, config.feeds[0], items, "atom")
    root = etree.fromstring(data)
    updated = [e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry")]
    assert len(set(updated)) == 50
    stamps = [datetime.fromisoformat(u) for u in updated]
    assert all(when < s < when.replace(second=1) for s in stamps)
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == max(stamps)
    other = render(config, by_slug(config, "azure"), items[::-1], "atom")
    assert sorted(
        etree.fromstring(other).xpath("//*[local-name()='entry']/*[local-name()='updated']/text()")
    ) == sorted(updated)
    assert check(data, when)[1] == []


@pytest.mark.parametrize("ext", ["mp4", "MP4", "webm", "mov", "m4v"])
def test_a_video_file_among_the_images_is_a_video_in_every_format(config: Config, ext: str) -> None:
    """``images: [{url: …/clip.mp4}]`` was written as ``image/jpeg``, media:content
    medium="image", and the thumbnail and JSON Feed image were the clip: a reader showed
    a broken picture. Its enclosure and media:content say a video's type and medium;
    the thumbnail and the JSON Feed image are the first picture (none when none is)."""
    from feedpub.archive import Document
    from feedpub.formats import xmlfast, xmlfeed

    kind = {"webm": "video/webm", "mov": "video/quicktime"}.get(ext, "video/mp4")
    clip, photo = f"https://cdn.example.com/clip.{ext}", "https://cdn.example.com/still"
    a = replace(rich_article(), images=(Image(clip, 640, 360), Image(photo, 800, 600)))
    feed = config.feeds[0]
    doc = Document(feed.slug, [a])
    fast = xmlfast.write(config, feed, [a], ["rss", "atom"], doc)
    assert fast == xmlfeed.render(config, feed, [a], ["rss", "atom"], doc)  # (both alike)
    for fmt in ("rss", "atom"):
        data = render(config, feed, [a], fmt)
        assert check(data, NOW)[1] == []
        entry = feedparser.parse(data).entries[0]
        assert [(e.href, e.type) for e in entry.enclosures] == [(clip, kind)]
        assert [(m["url"], m["medium"], m["type"]) for m in entry.media_content] == [
            (clip, "video", kind), (photo, "image", "image/jpeg")]  # fmt: skip
        assert [t["url"] for t in entry.media_thumbnail] == [photo]
        assert f'src="{photo}"' in entry.content[0].value and clip not in entry.content[0].value
    item = json.loads(render(config, feed, [a], "json"))["items"][0]
    assert item["image"] == photo
    assert [(x["url"], x["mime_type"]) for x in item["attachments"]] == [
        (clip, kind), (photo, "image/jpeg")]  # fmt: skip
    alone = replace(a, images=(Image(clip, None, None),))  # (no picture: no thumbnail)
    assert b"media:thumbnail" not in render(config, feed, [alone], "rss")
    assert "image" not in json.loads(render(config, feed, [alone], "json"))["items"][0]
    assert image_type("https://e.com/a.mp4x") == image_type("https://e.com/v") == "image/jpeg"
