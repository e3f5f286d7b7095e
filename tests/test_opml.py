"""feeds.opml: an OPML 2.0 list of every feed file, read back by listparser (a real
subscription-list parser) and checked to be subscribable, file by file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import feedparser
import listparser
import pytest
from lxml import etree

from feedpub.site.opml import check_opml, subscription_format

from .conftest import run_cli

NOW = "2021-01-01T00:00:00Z"
FEEDS = """
[feeds.azure]
title = "Azure & <Cloud> \\"news\\""
description = "Azure news"
topics = ["Azure"]
formats = ["rss", "atom", "json"]

[feeds.ai]
title = "Microsoft AI"
topics = ["microsoft ai"]

[feeds.nothing]
title = "Nothing yet"
topics = ["no such topic"]
formats = ["atom"]

[feeds.json-only]
title = "JSON only"
topics = ["Azure"]
formats = ["json"]

[feeds.json-atom]
title = "JSON and Atom"
topics = ["Azure"]
formats = ["json", "atom"]
"""
#: The one file each feed is subscribed by, in config order: RSS when the feed has
#: it, else Atom, else JSON Feed.
SUBSCRIBED = [
    "azure.rss", "ai.rss", "nothing.atom", "json-only.json", "json-atom.atom",
]  # fmt: skip


run = run_cli


@pytest.fixture
def cfg(write_config, seeds_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    return write_config(["content/*.txt"], FEEDS, extra='owner = "The Example desk"\n')


def build(cfg: Path, *extra: str) -> Path:
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, *extra)
    assert code == 0, err
    return cfg.parent / "feeds"


def self_url(path: Path) -> str:
    """Where a feed file says it is served (its self link)."""
    if path.suffix == ".json":
        url: str = json.loads(path.read_text("utf-8"))["feed_url"]
        return url
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return next(str(link.href) for link in parsed.feed.links if link.rel == "self")


def test_each_feed_is_listed_once_in_the_format_most_readers_take(cfg: Path) -> None:
    folder = build(cfg)
    data = (folder / "feeds.opml").read_bytes()
    assert check_opml(data) == []
    parsed = listparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    urls = [f.url for f in parsed.feeds]
    assert urls == ["https://example.com/feeds/" + name for name in SUBSCRIBED]
    for url in urls:
        path = folder / url.removeprefix("https://example.com/feeds/")
        assert path.is_file(), f"{url} is listed but {path.name} was not written"
        assert self_url(path) == url
    # one subscription per feed, named as the feed (no format in its name)
    titles = [f.title for f in parsed.feeds]
    assert titles == ['Azure & <Cloud> "news"', "Microsoft AI", "Nothing yet", "JSON only",
                      "JSON and Atom"]  # fmt: skip


def test_the_other_formats_stay_discoverable_from_the_page(cfg: Path) -> None:
    folder = build(cfg)
    listed = {f.url for f in listparser.parse((folder / "feeds.opml").read_bytes()).feeds}
    page = etree.fromstring((folder / "index.html").read_bytes())
    discovery = [el.get("href") for el in page.iterfind("head/link[@rel='alternate']")]
    written = sorted(p.name for p in folder.iterdir() if p.suffix in (".rss", ".atom", ".json"))
    assert sorted(url.removeprefix("https://example.com/feeds/") for url in discovery) == written
    assert set(discovery) - listed == {
        "https://example.com/feeds/azure.atom", "https://example.com/feeds/azure.json",
        "https://example.com/feeds/ai.atom", "https://example.com/feeds/json-atom.json",
    }  # fmt: skip


def test_newsboat_imports_each_feed_once(cfg: Path, tmp_path: Path) -> None:
    """A real reader: newsboat's OPML import (it reads no JSON Feed)."""
    exe = shutil.which("newsboat")
    assert exe, "newsboat is missing: run tests/system-deps.sh"
    folder = build(cfg)
    urls = tmp_path / "urls"
    urls.touch()
    command = [exe, "-u", str(urls), "-c", str(tmp_path / "cache.db"),
               "-C", str(tmp_path / "newsboat.conf"), "-i", str(folder / "feeds.opml")]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(command, capture_output=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    imported = urls.read_text(encoding="utf-8").split()
    assert imported == ["https://example.com/feeds/" + name for name in SUBSCRIBED]


@pytest.mark.parametrize(
    ("formats", "chosen"),
    [
        (("rss", "atom", "json"), "rss"),
        (("json", "atom", "rss"), "rss"),
        (("atom", "json"), "atom"),
        (("json", "atom"), "atom"),
        (("json",), "json"),
        (("atom",), "atom"),
    ],
)
def test_subscription_format_prefers_rss_then_atom_then_json(
    formats: tuple[str, ...], chosen: str
) -> None:
    assert subscription_format(formats) == chosen


def test_outlines_follow_opml_2_for_subscription_lists(cfg: Path) -> None:
    folder = build(cfg)
    root = etree.fromstring((folder / "feeds.opml").read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert [c.tag for c in root] == ["head", "body"]
    head = {el.tag: el.text for el in root.find("head")}
    assert head["title"] == "Test site: feeds"
    assert head["ownerName"] == "The Example desk"
    # the newest item of any feed, never the clock
    newest = max(
        datetime.fromisoformat(e.published)
        for name in ("ai.atom", "azure.atom")
        for e in feedparser.parse((folder / name).read_bytes()).entries
    )
    assert head["dateCreated"] == head["dateModified"] == format_datetime(newest)
    assert head["dateModified"] == "Wed, 20 May 2020 14:25:00 +0000"
    outlines = root.findall("body/outline")
    assert len(outlines) == len(SUBSCRIBED)  # one per feed
    for el in outlines:
        assert el.get("type") == "rss"  # OPML 2.0's type for a feed, whatever its format
        assert el.get("text") == el.get("title") and el.get("xmlUrl")
        assert el.get("htmlUrl") == "https://example.com/"
        assert el.get("language") == "en"
    assert outlines[0].get("description") == "Azure news"
    # OPML 2.0: "RSS1 for RSS 1.0; RSS for 0.91, 0.92 or 2.0; scriptingNews"; none for others
    assert [el.get("version") for el in outlines] == ["RSS", "RSS", None, None, None]


def test_same_bytes_and_no_rewrite_when_nothing_changed(cfg: Path) -> None:
    folder = build(cfg)
    opml = folder / "feeds.opml"
    os.utime(opml, ns=(1_000_000_000, 1_000_000_000))
    before = opml.read_bytes()
    build(cfg)
    assert opml.read_bytes() == before
    assert opml.stat().st_mtime_ns == 1_000_000_000  # not rewritten
    build(cfg, "--full")
    assert opml.read_bytes() == before


def test_check_mode_never_writes_and_fails_on_a_difference(cfg: Path) -> None:
    folder = build(cfg)
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0
    (folder / "feeds.opml").unlink()
    page = (folder / "index.html").read_text(encoding="utf-8")
    stale = page.replace("</h1>", " (stale)</h1>", 1)  # (feedpub's page, as an older build left it)
    assert stale != page
    (folder / "index.html").write_text(stale, encoding="utf-8")
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "--check")
    assert code == 3
    assert "feeds.opml: is missing (a build would write it)" in err and "index.html: differs" in err
    assert not (folder / "feeds.opml").exists()
    assert (folder / "index.html").read_text(encoding="utf-8") == stale


def test_a_build_of_some_feeds_leaves_the_site_files_alone(cfg: Path) -> None:
    code, _, err = run("build", "-c", str(cfg), "--now", NOW, "--feed", "azure")
    assert code == 0, err
    folder = cfg.parent / "feeds"
    assert (folder / "azure.rss").exists()
    assert not (folder / "feeds.opml").exists() and not (folder / "index.html").exists()


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (b'<opml version="1.0"><head/><body><outline text="a"/></body></opml>', "root must be"),
        (b'<opml version="2.0"><head/><body/></opml>', "body has no outline"),
        (b'<opml version="2.0"><body><outline text="a"/></body></opml>', "exactly one <head>"),
        (b'<opml version="2.0"><head/><body><outline type="rss"/></body></opml>', "without a text"),
        (b'<opml version="2.0"><head/><body><outline type="rss" text="a"/></body></opml>',
         'type="rss" without xmlUrl'),
        (b'<opml version="2.0"><head/><body><outline type="rss" text="a" xmlUrl="/a.rss"/>'
         b"</body></opml>", "xmlUrl is not an absolute"),
        (b'<opml version="2.0"><head><dateCreated>yesterday</dateCreated></head><body>'
         b'<outline text="a"/></body></opml>', "dateCreated is not an RFC 822 date"),
        (b'<opml version="2.0"><head></head><body><outline text="a"></body></opml>',
         "not well-formed"),
        (b'<opml version="2.0"><head/><body><outline type="rss" text="a" xmlUrl="https://e.com/a"/>'
         b'<outline type="rss" text="b" xmlUrl="https://e.com/a"/></body></opml>',
         "https://e.com/a is listed twice (first on line 1)"),
        (b'<!DOCTYPE opml [<!ENTITY x "y">]><opml version="2.0"><head/><body>'
         b'<outline text="&x;"/></body></opml>', "DOCTYPE"),
        (b'<opml version="2.0"><head/><body><outline type="rss" text="a" version="RSS2"'
         b' xmlUrl="https://e.com/a"/></body></opml>', "version 'RSS2' is none of OPML 2.0's"),
    ],
)  # fmt: skip
def test_check_opml_names_what_is_wrong(broken: bytes, expected: str) -> None:
    problems = check_opml(broken)
    assert any(expected in p for p in problems), problems
