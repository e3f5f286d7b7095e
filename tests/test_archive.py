"""RFC 5005 archives: every published article reachable exactly once, full pages immutable."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from feedpub import formats
from feedpub.archive import documents
from feedpub.build import BuildResult
from feedpub.build import build as build_with_config
from feedpub.cli import cli
from feedpub.config import FeedConfig, load_config

from .conftest import OLD_MTIME_NS

NOW = "2026-01-01T00:00:00Z"
FEEDS = """
[feeds.news]
title = "News"
topics = ["News"]
max_items = 3
archive = true
archive_size = 2
"""
ARTICLE = """---
title: "Story {n}"
excerpt: "Story number {n}."
webUrl: "https://news.example.com/{n}"
publishedDateTime: 2025-01-{day:02}T{hour:02}:00:00Z
published: {published}
topics:
  - News
---
"""


def write_articles(folder: Path, numbers: range, unpublished: frozenset[int] = frozenset()) -> None:
    folder.mkdir(exist_ok=True)
    for n in numbers:
        path = folder / f"{n:03}.txt"
        text = ARTICLE.format(
            n=n, day=1 + n // 24, hour=n % 24, published=str(n not in unpublished).lower()
        )
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


def build(cfg: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 0, result.output


def build_with(cfg: Path, observe: Callable[[str, list[str]], None]) -> BuildResult:
    return build_with_config(load_config(cfg), datetime.fromisoformat(NOW), observe=observe)


def when_parsing(do: Callable[[], None]) -> Callable[[str, list[str]], None]:
    """A build's ``observe`` hook that does ``do`` as the shown articles are parsed again."""
    done: list[bool] = []

    def observe(stage: str, paths: list[str]) -> None:
        if stage == "parse" and not done:
            done.append(True)
            do()

    return observe


def walk(feeds: Path, fmt: str) -> list[str]:
    """Follow prev-archive links from the subscription document, as a client would."""
    ids: list[str] = []
    url: str | None = f"https://example.com/feeds/news.{fmt}"
    seen: set[str] = set()
    while url:
        assert url not in seen, "archive chain loops"
        seen.add(url)
        parsed = feedparser.parse((feeds / url.rsplit("/", 1)[1]).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        ids += [e.id for e in parsed.entries]
        links = {link.rel: link.href for link in parsed.feed.get("links", [])}
        url = links.get("prev-archive")
    return ids


def walk_json(feeds: Path) -> list[str]:
    """Follow next_url from the JSON Feed subscription document, as a paginating reader
    would (one that stops at a page without items, so none may have none)."""
    ids: list[str] = []
    url: str | None = "https://example.com/feeds/news.json"
    seen: set[str] = set()
    while url:
        assert url not in seen, "next_url chain loops"
        seen.add(url)
        doc = json.loads((feeds / url.rsplit("/", 1)[1]).read_text("utf-8"))
        assert doc["feed_url"] == url
        assert doc["items"], f"next_url led to {url}, a page without items"
        ids += [item["id"] for item in doc["items"]]
        url = doc.get("next_url")
    return ids


@pytest.fixture
def cfg(write_config, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    write_articles(tmp_path / "content", range(10), unpublished=frozenset({4}))
    return write_config(["content/*.txt"], FEEDS)  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_walking_the_chain_finds_every_published_article_once(cfg: Path, fmt: str) -> None:
    build(cfg)
    ids = walk(cfg.parent / "feeds", fmt)
    expected = [f"https://news.example.com/{n}" for n in range(9, -1, -1) if n != 4]
    assert ids == expected
    current = feedparser.parse((cfg.parent / "feeds" / f"news.{fmt}").read_bytes())
    assert len(current.entries) == 3  # max_items


def test_pages_link_both_ways_and_mark_themselves_archives(cfg: Path) -> None:
    build(cfg)
    feeds = cfg.parent / "feeds"
    # 9 published: 3 current, 6 fallen off -> pages of 2: 1, 2, 3 full, 4 empty
    assert sorted(p.name for p in feeds.glob("news-archive-*.atom")) == [
        f"news-archive-{n}.atom" for n in (1, 2, 3, 4)
    ]
    for n in (1, 2, 3, 4):
        data = (feeds / f"news-archive-{n}.atom").read_bytes()
        links = {link.rel: link.href for link in feedparser.parse(data).feed.links}
        assert links["current"] == "https://example.com/feeds/news.atom"
        assert links["self"] == f"https://example.com/feeds/news-archive-{n}.atom"
        assert links.get("prev-archive") == (
            f"https://example.com/feeds/news-archive-{n - 1}.atom" if n > 1 else None
        )
        assert links.get("next-archive") == (
            f"https://example.com/feeds/news-archive-{n + 1}.atom" if n < 4 else None
        )
        assert b"<fh:archive" in data
    assert b"fh:archive" not in (feeds / "news.atom").read_bytes()
    rss = (feeds / "news-archive-2.rss").read_bytes()
    assert b'rel="next-archive" href="https://example.com/feeds/news-archive-3.rss"' in rss
    result = CliRunner().invoke(
        cli, ["validate", "--now", NOW, *map(str, sorted(feeds.glob("news*")))]
    )
    assert result.exit_code == 0, result.output


def test_json_feed_next_url_passes_the_empty_newest_page(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    content = tmp_path / "content"
    write_articles(content, range(7))  # 3 current, 4 fallen off: pages 1, 2 full, 3 empty
    cfg = write_config(["content/*.txt"], FEEDS + 'formats = ["rss", "atom", "json"]\n')
    build(cfg)
    feeds = cfg.parent / "feeds"
    assert json.loads((feeds / "news-archive-3.json").read_bytes())["items"] == []
    assert walk_json(feeds) == [f"https://news.example.com/{n}" for n in range(6, -1, -1)]
    # RSS and Atom keep RFC 5005's chain: the subscription document links the newest page
    rss = (feeds / "news.rss").read_bytes()
    assert b'rel="prev-archive" href="https://example.com/feeds/news-archive-3.rss"' in rss
    assert walk(feeds, "atom") == walk_json(feeds)
    # an older article arrives: page 3 takes an item, the subscription document's items
    # stay the same, and its next_url must now name page 3
    old = ARTICLE.format(n=99, day=1, hour=0, published="true")
    (content / "099.txt").write_text(old.replace("2025-01-01", "2024-12-31"), "utf-8")
    build(cfg)
    assert walk_json(feeds) == [
        *[f"https://news.example.com/{n}" for n in range(6, -1, -1)],
        "https://news.example.com/99",
    ]
    result = CliRunner().invoke(
        cli, ["validate", "--now", NOW, *map(str, sorted(feeds.glob("news*")))]
    )
    assert result.exit_code == 0, result.output


def test_full_pages_never_change_when_new_articles_arrive(cfg: Path) -> None:
    build(cfg)
    feeds = cfg.parent / "feeds"
    full = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds.glob("news-archive-[123].*")
    }
    write_articles(cfg.parent / "content", range(10, 15))
    build(cfg)
    for name, (data, mtime) in full.items():
        assert (feeds / name).read_bytes() == data, name
        assert (feeds / name).stat().st_mtime_ns == mtime, name
    for fmt in ("rss", "atom"):
        assert len(walk(feeds, fmt)) == 14


def test_pages_that_are_no_longer_needed_are_removed(cfg: Path) -> None:
    build(cfg)
    content = cfg.parent / "content"
    for n in range(0, 6):
        (content / f"{n:03}.txt").unlink()
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW, "-v"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.stderr
    feeds = cfg.parent / "feeds"
    assert sorted(p.name for p in feeds.glob("news-archive-*.rss")) == ["news-archive-1.rss"]
    assert walk(feeds, "rss") == [f"https://news.example.com/{n}" for n in (9, 8, 7, 6)]


def snapshot(feeds: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(feeds.iterdir()) if p.is_file()}


def rewritten(before: dict[str, bytes], after: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The archive pages (RSS) whose bytes changed, and those gone, between two snapshots."""
    pages = sorted(n for n in before if n.startswith("news-archive-") and n.endswith(".rss"))
    return [n for n in pages if n in after and after[n] != before[n]], [
        n for n in pages if n not in after
    ]


def test_what_an_edit_or_a_removal_rewrites(cfg: Path) -> None:
    """What the README says: an edit rewrites the page that holds the article; a removal
    moves every newer archived item one place back, so removing the oldest rewrites every
    page, and an empty newest page goes; removing a current item, the newest page."""
    build(cfg)
    feeds = cfg.parent / "feeds"
    content = cfg.parent / "content"
    # 9 published, 3 current (9, 8, 7); pages [0, 1], [2, 3], [5, 6], [] (4 unpublished)
    before = snapshot(feeds)
    story = content / "002.txt"
    story.write_text(story.read_text("utf-8").replace("number 2.", "number two."), "utf-8")
    build(cfg)
    assert rewritten(before, after := snapshot(feeds)) == (["news-archive-2.rss"], [])
    assert after["news.rss"] == before["news.rss"]
    (content / "000.txt").unlink()  # the oldest: pages [1, 2], [3, 5], [6]
    build(cfg)
    pages = ["news-archive-1.rss", "news-archive-2.rss", "news-archive-3.rss"]
    assert rewritten(after, again := snapshot(feeds)) == (pages, ["news-archive-4.rss"])
    (content / "008.txt").unlink()  # a current one: 6 moves up; pages [1, 2], [3, 5], []
    build(cfg)
    assert rewritten(again, snapshot(feeds)) == (["news-archive-3.rss"], [])
    assert walk(feeds, "rss") == [f"https://news.example.com/{n}" for n in (9, 7, 6, 5, 3, 2, 1)]


def test_a_feed_kept_for_the_next_build_keeps_the_pages_it_links(cfg: Path) -> None:
    """An article the subscription document shows changes while the build runs: that
    document is kept for the next build, and with it every page it links (the build
    removed the pages it no longer needed, though the kept document linked them, and
    exited 0); the next build publishes them all."""
    build(cfg)
    feeds = cfg.parent / "feeds"
    content = cfg.parent / "content"
    for n in range(0, 6):  # a page fewer, and a new subscription document
        (content / f"{n:03}.txt").unlink()
    before = snapshot(feeds)

    def edit() -> None:  # once summarised, before it is parsed again to be shown
        shown = content / "009.txt"
        shown.write_text(shown.read_text("utf-8").replace("Story 9", "Story nine"), "utf-8")

    result = build_with(cfg, observe=when_parsing(edit))
    kept = {o.name for o in result.outcomes if o.status == "deferred"}
    assert {"news.rss", "news.atom", "news-archive-1.rss", "news-archive-1.atom"} <= kept
    assert not [o for o in result.outcomes if o.status in ("written", "removed")]
    assert snapshot(feeds) == before  # untouched, every page of the chain there
    for fmt in ("rss", "atom"):
        assert len(walk(feeds, fmt)) == 9
    build(cfg)
    assert sorted(p.name for p in feeds.glob("news-archive-*.rss")) == ["news-archive-1.rss"]
    assert walk(feeds, "rss") == [f"https://news.example.com/{n}" for n in (9, 8, 7, 6)]
    assert b"Story nine" in (feeds / "news.rss").read_bytes()
    assert b"Story nine" in (feeds / "index.html").read_bytes()


def test_a_page_that_fails_keeps_its_feed_and_the_pages_it_links(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page that cannot be rendered keeps its old file: the subscription document
    that would link it is not published either (it would link a page not there, or
    leave articles out of the chain), nor are its pages pruned."""
    build(cfg)
    feeds = cfg.parent / "feeds"
    content = cfg.parent / "content"
    for n in range(0, 6):
        (content / f"{n:03}.txt").unlink()
    before = snapshot(feeds)
    real = formats.assemble

    def raising(config, feed, entries, fmts, doc):  # type: ignore[no-untyped-def]
        if doc.page is not None:
            raise ValueError("a page that cannot be rendered")
        return real(config, feed, entries, fmts, doc)

    monkeypatch.setattr(formats, "assemble", raising)
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 3
    assert (
        "news-archive-1.rss" in result.stderr and "a page that cannot be rendered" in result.stderr
    )
    assert "news.rss: not published: news-archive-1.rss failed" in result.stderr
    assert "news.atom: not published: news-archive-1.atom failed" in result.stderr
    after = snapshot(feeds)
    feed_files = [n for n in before if n.startswith("news")]
    assert {n: after.get(n) for n in feed_files} == {n: before[n] for n in feed_files}
    for fmt in ("rss", "atom"):
        assert len(walk(feeds, fmt)) == 9
    monkeypatch.setattr(formats, "assemble", real)
    build(cfg)
    assert walk(feeds, "atom") == [f"https://news.example.com/{n}" for n in (9, 8, 7, 6)]
    assert sorted(p.name for p in feeds.glob("news-archive-*.atom")) == ["news-archive-1.atom"]


def test_check_mode_reports_a_stale_page(cfg: Path) -> None:
    build(cfg)
    feeds = cfg.parent / "feeds"
    (feeds / "news-archive-9.rss").write_bytes((feeds / "news-archive-1.rss").read_bytes())
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW, "--check"])
    assert result.exit_code == 3 and "news-archive-9.rss" in result.stderr
    # (a file of another tool's with a page's name is not feedpub's to name or remove)
    (feeds / "news-archive-9.rss").write_bytes(b"left over")
    assert (
        CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW, "--check"]).exit_code == 0
    )


def test_an_archive_slug_clash_is_a_config_error(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_articles(tmp_path / "content", range(2))
    cfg = write_config(
        ["content/*.txt"], FEEDS + '\n[feeds.news-archive-2]\ntitle = "x"\ntopics = ["*"]\n'
    )
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg)])
    assert result.exit_code == 2 and "feeds.news-archive-2" in result.stderr


@given(st.integers(0, 60), st.integers(1, 7), st.integers(1, 7))
def test_documents_partition_the_items(count: int, limit: int, size: int) -> None:
    feed = FeedConfig(
        "f", "F", "", ("*",), None, limit, None, ("rss",), archive=True, archive_size=size
    )
    items = list(range(count, 0, -1))  # newest first
    docs = documents(feed, items)
    flat = [i for d in docs for i in d.items]
    assert sorted(flat, reverse=True) == items  # each item exactly once
    assert list(docs[0].items) == items[:limit]
    pages = docs[1:]
    assert [d.page for d in pages] == list(range(1, len(pages) + 1))
    assert all(len(d.items) == size for d in pages[:-1])  # all but the newest page are full
    assert not pages or len(pages[-1].items) < size
    # pages hold oldest items first: page 1's items are older than page 2's
    filled = [d.items for d in pages if d.items]
    for older, newer in itertools.pairwise(filled):
        assert max(older) < min(newer)
    # JSON Feed's next_url, from the subscription document, meets every page with items
    chain, n = [], docs[0].older_page()
    while n:
        chain.append(n)
        n = docs[n].older_page()
    assert chain == [d.page for d in reversed(pages) if d.items]


@pytest.mark.parametrize("verbose", [False, True])
def test_pages_held_back_with_their_feed_are_said_in_one_line(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, verbose: bool
) -> None:
    """The archive pages of a feed whose subscription document could not be written
    (a full disk, the 301 feeds of a site with archives) printed two lines each:
    without ``-v`` one line says them all, after what they wait for; ``-v`` one each."""
    build(cfg)
    feeds = cfg.parent / "feeds"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace('title = "News"', 'title = "World news"'), encoding="utf-8")
    assert cfg.read_text(encoding="utf-8") != text  # every document and page changes
    before = snapshot(feeds)
    real = formats.assemble

    def raising(config, feed, entries, fmts, doc):  # type: ignore[no-untyped-def]
        if doc.page is None:
            raise ValueError("a subscription document that cannot be rendered")
        return real(config, feed, entries, fmts, doc)

    monkeypatch.setattr(formats, "assemble", raising)
    args = ["build", "-c", str(cfg), "--now", NOW, *(["-v"] if verbose else [])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3
    assert snapshot(feeds) == before
    pages = sorted(n for n in before if n.startswith("news-archive-"))
    assert len(pages) > 3
    lines = [ln for ln in result.stderr.splitlines() if "not published" in ln]
    if verbose:
        assert sorted(lines) == sorted(
            f"{feeds / n}: not published: news.{n.rpartition('.')[2]} failed; the previous file "
            "is kept"
            for n in pages
        )
    else:
        head = (f"{feeds}: {len(pages)} files not published, as a document of their feed in "
                "the same format could not be: ")  # fmt: skip
        tail = (f" and {len(pages) - 3} more (build -v names each); each keeps its previous "
                "file, where it had one")  # fmt: skip
        assert len(lines) == 1 and lines[0].startswith(head) and lines[0].endswith(tail), lines
        assert set(lines[0][len(head) : -len(tail)].split(", ")) < set(pages)
        assert result.stderr.splitlines()[-1] == lines[0]  # (after the failure it waits for)


def test_archive_page_titles_are_in_the_sites_words(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_articles(tmp_path / "content", range(6))
    feeds = (
        FEEDS.replace('title = "News"', 'title = "Nouvelles {page}"')
        + 'formats = ["rss", "atom", "json"]\n'
    )
    labels = '\n[site.labels]\narchive_title = "{feed} : archives, page {page}"\n'
    cfg = write_config(["content/*.txt"], feeds, labels)
    build(cfg)
    out = tmp_path / "feeds"
    assert feedparser.parse((out / "news-archive-1.rss").read_bytes()).feed.title == (
        "Nouvelles {page} : archives, page 1"
    )
    assert feedparser.parse((out / "news-archive-2.atom").read_bytes()).feed.title == (
        "Nouvelles {page} : archives, page 2"
    )
    doc = json.loads((out / "news-archive-1.json").read_text("utf-8"))
    assert doc["title"] == "Nouvelles {page} : archives, page 1"
    assert feedparser.parse((out / "news.rss").read_bytes()).feed.title == "Nouvelles {page}"


def test_an_archive_title_without_its_page_number_is_refused(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_articles(tmp_path / "content", range(6))
    cfg = write_config(
        ["content/*.txt"], FEEDS, '\n[site.labels]\narchive_title = "{feed} : archives"\n'
    )
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 2, result.output
    assert "archive_title" in result.output and "must hold {page}" in result.output
