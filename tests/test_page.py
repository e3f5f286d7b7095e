"""index.html: built from the seeds (plus one hostile article), loaded from disk by a
real browser (headless Chromium), its DOM checked and a screenshot taken."""

from __future__ import annotations

import html
import re
import struct
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from feedpub.cli import cli
from feedpub.site.page import check_page

from .conftest import chromium

NOW = "2021-01-01T00:00:00Z"
FEEDS_URL = "https://example.com/feeds/"
HOSTILE_TITLE = 'Chips <script>alert("x")</script> & <b>AT&T</b> "cheap"'
HOSTILE = f"""---
title: '{HOSTILE_TITLE}'
excerpt: "Hostile text <img src=x onerror=alert(1)>"
publishedDateTime: 2020-05-22T08:00:00Z
webUrl: "https://evil.example.com/story?a=1&b=2"
published: true
provider: {{name: "Evil <i>Corp</i>"}}
topics: [Azure]
images: [{{url: "https://evil.example.com/pic.png", width: 10, height: 10, title: "A \\"pic\\" <x>"}}]
---
"""
FEEDS = """
[feeds.azure]
title = "Azure <news> & more"
description = "Azure news, \\"quoted\\" & <escaped>"
topics = ["Azure"]
formats = ["rss", "atom", "json"]

[feeds.ai]
title = "Microsoft AI"
topics = ["microsoft ai"]

[feeds.nothing]
title = "Nothing yet"
topics = ["no such topic"]
formats = ["atom"]
"""
#: In the order of the config (not by slug): azure, ai, nothing.
FEED_FILES = [
    "azure.rss", "azure.atom", "azure.json", "ai.rss", "ai.atom", "nothing.atom",
]  # fmt: skip


@pytest.fixture
def site(write_config, seeds_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    (seeds_dir / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    cfg = write_config(["content/*.txt"], FEEDS)
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 0, result.output
    return cfg.parent / "feeds"


@pytest.mark.parametrize(
    ("language", "direction"),
    [("he", "rtl"), ("ar-EG", "rtl"), ("en", None),
     # a script subtag decides (Shahmukhi Punjabi, Azerbaijani and Malay in Arabic
     # script were laid out left to right; Sindhi in Devanagari right to left)
     ("pa-Arab", "rtl"), ("az-Arab-IR", "rtl"), ("ms-Arab", "rtl"), ("sd-Deva", None),
     ("syr", "rtl"), ("prs", "rtl")],
)  # fmt: skip
def test_right_to_left_text_keeps_its_place(
    write_config, seeds_dir: Path, language: str, direction: str | None
) -> None:  # type: ignore[no-untyped-def]
    """A site in a language written right to left is laid out so (``dir="rtl"``); a
    provider's name is isolated (``<bdi>``), so that a right-to-left one, or one that
    holds a direction embedding, never carries the date beside it along; each
    headline takes the direction of its own text (``dir="auto"``)."""
    name = "\u05d9\u05d3\u05d9\u05e2\u05d5\u05ea \u202bevil"  # (an embedding left open:
    # closed where the name ends; an override is removed, see sanitize.balanced_bidi)
    (seeds_dir / "zz_rtl.txt").write_text(
        HOSTILE.replace('"Evil <i>Corp</i>"', f'"{name}"'), "utf-8"
    )
    cfg = write_config(["content/*.txt"], FEEDS)
    cfg.write_text(
        cfg.read_text("utf-8").replace('language = "en"', f'language = "{language}"'), "utf-8"
    )
    assert CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW]).exit_code == 0
    page = lxml_html.fromstring((cfg.parent / "feeds" / "index.html").read_bytes())
    assert page.get("dir") == direction
    metas = [m for m in page.iterfind(".//span[@class='meta']") if m.find("bdi") is not None]
    assert metas and all(m.find("bdi").tail.startswith(", ") for m in metas)
    assert name + "\u202c" in [m.find("bdi").text for m in metas]
    headlines = list(page.iterfind(".//ol[@class='headlines']//a"))
    assert headlines and all(a.get("dir") == "auto" for a in headlines)


def test_page_in_a_real_browser(site: Path, tmp_path: Path) -> None:
    page = site / "index.html"
    dom_html = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    dom = lxml_html.fromstring(dom_html)

    # accessible: language, title, landmarks, one h1, headings per feed (in the
    # config's order), and thumbnails marked decorative: an empty alt, since the
    # headline beside each is the link a screen reader reads
    assert dom.get("lang") == "en"
    assert dom.findtext(".//title") == "Test site: feeds"
    for landmark in ("header", "main", "footer", "nav"):
        assert len(dom.findall(f".//{landmark}")) == 1, landmark
    assert [h.text_content() for h in dom.iter("h1")] == ["Test site: feeds"]
    assert [h.text_content() for h in dom.iter("h2")] == [
        "Azure <news> & more", "Microsoft AI", "Nothing yet",
    ]  # fmt: skip
    images = list(dom.iter("img"))
    assert images and [img.get("alt") for img in images] == [""] * len(images)
    for img in images:  # each beside its headline's link, in the same list item
        item = img.getparent()
        assert item.tag == "li" and item.find(".//a") is not None
    assert 'A "pic" <x>' not in dom_html.decode()  # the image's caption is not read out

    # JavaScript-free, nothing from an article became markup
    assert not list(dom.iter("script")) and not list(dom.iter("iframe"))
    assert not any(k.startswith("on") for el in dom.iter() for k in el.attrib)
    # the title is plain text: its markup shown as text, escaped once, never run
    assert HOSTILE_TITLE in [a.text_content() for a in dom.iter("a")]
    assert "Evil <i>Corp</i>" in dom.text_content()  # a provider name is plain text too
    assert not list(dom.iter("b")) and not list(dom.iter("i"))

    # every link absolute; every feed listed, discoverable and pointing at a real file
    urls = [el.get("href") for el in dom.iter("a", "link")] + [i.get("src") for i in images]
    assert all(u and u.startswith(("https://", "http://")) for u in urls), urls
    discovery = {
        el.get("href"): el.get("type") for el in dom.iterfind(".//head/link[@rel='alternate']")
    }
    subscribe = [a.get("href") for a in dom.iterfind(".//main//ul[@class='subscribe']//a")]
    expected = [FEEDS_URL + name for name in FEED_FILES]
    assert list(discovery) == expected
    assert subscribe == expected
    assert discovery[FEEDS_URL + "azure.json"] == "application/feed+json"
    assert discovery[FEEDS_URL + "ai.atom"] == "application/atom+xml"
    assert discovery[FEEDS_URL + "ai.rss"] == "application/rss+xml"
    for url in [*discovery, *subscribe, FEEDS_URL + "feeds.opml"]:
        assert url.startswith(FEEDS_URL)
        assert (site / url.removeprefix(FEEDS_URL)).is_file(), url

    # the five newest headlines of each feed, as the feed itself has them
    sections = dom.findall(".//main/section")
    for section, slug in zip(sections, ["azure", "ai", "nothing"], strict=True):
        entries = feedparser.parse((site / f"{slug}.atom").read_bytes()).entries[:5]
        shown = [a.text_content() for a in section.iterfind(".//ol[@class='headlines']/li//a")]
        assert shown == [e.title for e in entries]
    assert "No stories yet." in sections[2].text_content()

    # a feed's own description, or none: never the site's in its place
    def description(section: lxml_html.HtmlElement) -> str | None:
        after = section.find("h2").getnext()  # a description sits under the heading
        return after.text_content() if after.tag == "p" else None

    assert description(sections[0]) == 'Azure news, "quoted" & <escaped>'
    assert description(sections[1]) is None  # the ai feed has no description
    assert description(sections[2]) is None
    assert "Test feeds" not in "".join(s.text_content() for s in sections)
    assert dom.find(".//header/p").text_content() == "Test feeds"  # the site's, once

    # and what a person sees
    shot = tmp_path / "index.png"
    chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2000)


def test_the_written_page_passes_its_own_checks(site: Path) -> None:
    data = (site / "index.html").read_bytes()
    assert check_page(data, [FEEDS_URL + name for name in FEED_FILES]) == []
    assert data.startswith(b'<!DOCTYPE html>\n<html lang="en">')
    etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


GOOD = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>t</title>'
    '<link rel="alternate" href="https://e.com/f/a.rss"/></head><body><header><h1>t</h1></header>'
    '<main><a href="https://e.com/f/a.rss">RSS</a>{}</main><footer>f</footer></body></html>'
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<a href="/relative">x</a>', "is not absolute"),
        ('<a href="javascript:alert(1)">x</a>', "is not absolute"),
        ('<img src="https://e.com/i.png"/>', "without an alt attribute"),
        ("<script>alert(1)</script>", "<script> is not allowed"),
        ('<p onclick="x()">x</p>', "onclick= is not allowed"),
        ('<p style="color:red">x</p>', "style= is not allowed"),
        ("<h3>skips h2</h3>", "skips a heading level"),
        ("<h1>second</h1>", "exactly one <h1>"),
        ('<p id="a">1</p><p id="a">2</p>', "'a' is used 2 times"),
        ("<p>unclosed", "not well-formed"),
        ('<ul aria-label="x"><li>a</li></ul>', "aria-label= on <ul>, which has no role"),
        ('<p aria-labelledby="x">a</p>', "aria-labelledby= on <p>, which has no role"),
    ],
)
def test_check_page_names_what_is_wrong(body: str, expected: str) -> None:
    assert check_page(GOOD.format("").encode(), ["https://e.com/f/a.rss"]) == []
    problems = check_page(GOOD.format(body).encode(), ["https://e.com/f/a.rss"])
    assert any(expected in p for p in problems), problems


def test_check_page_takes_a_name_where_a_role_or_a_landmark_takes_it() -> None:
    named = ('<nav aria-label="n"><a href="https://e.com/">h</a></nav>'
             '<div role="group" aria-label="g"><ul><li>a</li></ul></div>'
             '<section aria-labelledby="h"><h2 id="h">h</h2></section>')  # fmt: skip
    assert check_page(GOOD.format(named).encode(), ["https://e.com/f/a.rss"]) == []


def test_subscribe_links_are_named_by_a_group_and_look_as_before(
    site: Path, tmp_path: Path
) -> None:
    """A list's aria-label was a "possible misuse" (the Nu validator: screen readers may
    not read it): each feed's subscribe list is named by a group around it, with the
    label of [site.labels], and the page looks the same as with the label on the list."""
    page = (site / "index.html").read_text("utf-8")
    dom = lxml_html.fromstring(page.encode())
    groups = dom.findall(".//main/section/div[@role='group']")
    assert [g.get("aria-label") for g in groups] == [
        "Subscribe to Azure <news> & more", "Subscribe to Microsoft AI", "Subscribe to Nothing yet",
    ]  # fmt: skip
    assert all([c.tag for c in g] == ["ul"] and g[0].get("class") == "subscribe" for g in groups)
    assert not [el for el in dom.iter() if el.tag == "ul" and el.get("aria-label")]
    before = re.sub(r'<div role="group" (aria-label="[^"]*")>\n<ul class="subscribe">(.*?)</ul>\n</div>',
                    r'<ul class="subscribe" \1>\2</ul>', page, flags=re.S)  # fmt: skip
    assert before.count('<ul class="subscribe" aria-label=') == 3
    (tmp_path / "before.html").write_text(before, "utf-8")
    shots = []
    for name in ("before.html", "index.html"):
        shot = tmp_path / f"{name}.png"
        folder = tmp_path if name == "before.html" else site
        chromium(tmp_path, f"--screenshot={shot}", (folder / name).as_uri())
        shots.append(shot.read_bytes())
    assert shots[0] == shots[1]


def test_check_page_takes_an_empty_alt_as_a_decorative_image() -> None:
    decorative = '<img src="https://e.com/i.png" alt=""/>'
    assert check_page(GOOD.format(decorative).encode(), ["https://e.com/f/a.rss"]) == []


def test_check_page_wants_every_feed_discoverable_and_listed() -> None:
    problems = check_page(GOOD.format("").encode(), ["https://e.com/f/b.atom"])
    assert "no autodiscovery link for https://e.com/f/b.atom" in problems
    assert "no subscribe link for https://e.com/f/b.atom" in problems
    no_lang = GOOD.replace(' lang="en"', "").format("")
    assert any("lang" in p for p in check_page(no_lang.encode()))


def zoned_site(
    write_config,
    tmp_path: Path,
    timezone: str,
    title: str,
    date: str,  # type: ignore[no-untyped-def]
    related_date: str | None = None,
) -> Path:
    """A site in ``timezone`` of one article (with one related item, dated
    ``related_date``, when given): its config file."""
    related = (f'related:\n  - title: "Rel"\n    webUrl: "https://example.com/r"\n'
               f"    publishedDateTime: {related_date}\n") if related_date else ""  # fmt: skip
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.txt").write_text(
        f'---\ntitle: "{title}"\npublishedDateTime: {date}\nwebUrl: "https://example.com/a"\n'
        f"published: true\ntopics: [Azure]\n{related}---\n",
        encoding="utf-8",
    )
    return write_config(["content/*.txt"], FEEDS, f'timezone = "{timezone}"\n')  # type: ignore[no-any-return]


GERMAN_LABELS = """
[site.labels]
read_article = "Zum Artikel"
related = "Weitere Berichte"
latest = "Neueste Meldungen"
no_stories = "Noch keine Meldungen."
page_title = "Feeds von {site}"
home_page = "Startseite von {site}"
opml = "Alle Feeds als OPML-Liste"
navigation = "Website"
subscribe = "{feed} abonnieren"
updated = "Zuletzt aktualisiert am {date} · feedpub {version} · Stand: {date}"
date = "{day}. {month} {year}"
months = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]
"""


def test_a_site_in_another_language_gives_the_page_and_bodies_its_own_words(
    write_config, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Every word feedpub writes itself was English on a German (Arabic, Japanese)
    site's page and in its items' bodies: ``[site.labels]`` gives the site's own."""
    cfg = zoned_site(write_config, tmp_path, "Europe/Berlin", "Nur ein Titel", "2024-03-20",
                     "2024-03-19T10:00:00Z")  # fmt: skip
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("\n[feeds.", GERMAN_LABELS + "\n[feeds.", 1),
                   encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", "2024-06-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    feeds = tmp_path / "feeds"
    page = (feeds / "index.html").read_text(encoding="utf-8")
    for words in ("<title>Feeds von Test site</title>", "<h1>Feeds von Test site</h1>",
                  ">Startseite von Test site</a>", ">Alle Feeds als OPML-Liste</a>",
                  '<nav aria-label="Website">',
                  '<div role="group" aria-label="Azure &lt;news&gt; &amp; more abonnieren">',
                  "<h3>Neueste Meldungen</h3>", "<p>Noch keine Meldungen.</p>",
                  '<time datetime="2024-03-19T23:00:00Z">20. März 2024</time>',
                  "<footer><p>Zuletzt aktualisiert am <time datetime="):  # fmt: skip
        assert words in page, words
    for english in ("Latest stories", "home page", "OPML list", "Last updated", "Subscribe"):
        assert english not in page, english
    assert check_page(page.encode(), [FEEDS_URL + name for name in FEED_FILES]) == []
    rss = (feeds / "azure.rss").read_text(encoding="utf-8")
    assert "&lt;h3&gt;Weitere Berichte&lt;/h3&gt;" in rss and "19. März 2024" in rss
    assert "{date}" not in page and page.count("20. März 2024</time>") == 3  # (twice the footer's)
    opml = (feeds / "feeds.opml").read_text(encoding="utf-8")
    assert "<title>Feeds von Test site</title>" in opml
    assert "Related coverage" not in rss
    assert CliRunner().invoke(cli, ["validate", *map(str, feeds.glob("*.*[mst]"))]).exit_code == 0


def test_days_are_shown_in_the_site_time_zone(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A date written without a time in a site east of UTC (2024-05-20 in Berlin is
    2024-05-19T22:00Z) showed the day before on the page, in preview and in list; the
    page's machine-readable times stay UTC."""
    cfg = zoned_site(write_config, tmp_path, "Europe/Berlin", "Bare date", "2024-05-20")
    now = "2024-06-01T00:00:00Z"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "-c", str(cfg), "--now", now]).exit_code == 0
    page = (tmp_path / "feeds" / "index.html").read_text(encoding="utf-8")
    # (the headline's, and the footer's "Last updated", the newest article's)
    assert page.count('<time datetime="2024-05-19T22:00:00Z">20 May 2024</time>') == 2
    preview = runner.invoke(cli, ["preview", "azure", "-c", str(cfg), "--now", now]).output
    assert "2024-05-20 00:00  Bare date" in preview, preview
    listed = runner.invoke(cli, ["list", "-c", str(cfg), "--now", now]).output
    assert "newest 2024-05-20 00:00" in listed, listed


def test_a_related_items_day_is_shown_in_the_site_time_zone(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The related coverage in an item's body: its day in site.timezone, its
    machine-readable time UTC (2024-05-18 in Berlin showed "17 May 2024")."""
    cfg = zoned_site(write_config, tmp_path, "Europe/Berlin", "With related",
                     "2024-05-20T12:00:00Z", related_date="2024-05-18")  # fmt: skip
    assert (
        CliRunner()
        .invoke(cli, ["build", "-c", str(cfg), "--now", "2024-06-01T00:00:00Z"])
        .exit_code
        == 0
    )
    body = '<time datetime="2024-05-17T22:00:00Z">18 May 2024</time>'
    for fmt in ("rss", "atom"):  # (the body is escaped text in both)
        data = (tmp_path / "feeds" / f"azure.{fmt}").read_text(encoding="utf-8")
        assert html.escape(body, quote=False) in data, fmt
    assert body in (tmp_path / "feeds" / "azure.json").read_text(encoding="utf-8").replace(
        '\\"', '"'
    )


def test_a_day_past_the_year_9999_in_the_site_time_zone_is_no_crash(
    write_config, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """9999-12-31T23:59:59Z is in the year 10000 in Berlin: every feed failed with
    OverflowError (a related item), and build and list printed a traceback (an article,
    east of UTC). Such a day is shown as its UTC day."""
    cfg = zoned_site(write_config, tmp_path, "Pacific/Kiritimati", "Last",
                     "9999-12-31T20:00:00Z", related_date="9999-12-31T23:59:59Z")  # fmt: skip
    now = "9999-12-31T23:59:59Z"
    runner = CliRunner()
    for command in (["build"], ["list"], ["preview", "azure"]):
        result = runner.invoke(cli, [*command, "-c", str(cfg), "--now", now])
        assert result.exit_code == 0 and result.exception is None, (command, result.output)
    assert ">31 Dec 9999</time>" in (tmp_path / "feeds" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("urls", "shown"),
    [
        (["https://cdn.example.com/clip.MP4?s=1", "https://cdn.example.com/still.jpg"],
         "https://cdn.example.com/still.jpg"),
        (["https://cdn.example.com/v/clip.mov"], None),
        (["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.webm"],
         "https://cdn.example.com/a.jpg"),
    ],
)  # fmt: skip
def test_the_feeds_pages_headline_shows_a_picture_never_a_video_file(
    urls: list[str], shown: str | None
) -> None:
    """A video file listed first under images: was the page's <img src="clip.mp4">, a
    broken picture (the feeds took the first picture since 1ab0109; the page did not)."""
    from zoneinfo import ZoneInfo

    from feedpub.articles import load_article
    from feedpub.model import Headline

    images = "".join(f"  - url: {u}\n" for u in urls)
    data = ("---\ntitle: T\npublishedDateTime: 2026-10-01T00:00:00Z\nwebUrl: "
            f"https://e.com/a\npublished: true\ntopics: [A]\nimages:\n{images}---\nx\n")  # fmt: skip
    head = Headline.of(load_article("a.txt", data.encode(), ZoneInfo("UTC")))
    assert (head.image.url if head.image else None) == shown
