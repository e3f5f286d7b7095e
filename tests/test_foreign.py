"""A file in the output folder that feedpub did not write (a site's own homepage in a
GitHub Pages ``docs/``, a blogroll, another tool's feed) is never replaced: the build
says so at its name and fails (exit 3), the other feeds written; a file feedpub wrote
is replaced, with a cache that records it or without one (a fresh clone's committed
``feeds/``: its generator is in it)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from feedpub import output

from .conftest import ROOT, run_cli

NOW = "2026-11-01T00:00:00Z"
HOMEPAGE = b"<!doctype html><h1>My own homepage</h1>\n"
OTHER_FEED = b"<rss version='2.0'><channel><title>another tool</title></channel></rss>\n"
SAID = (": a file feedpub did not write is there (no feedpub generator in it): not replaced; "
        "move it out of the output folder, or give site.output a folder of feedpub's own, and "
        "the next build writes it")  # fmt: skip


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def test_a_homepage_and_another_tools_feed_are_kept(site: Path) -> None:
    feeds = site / "feeds"
    feeds.mkdir()
    (feeds / "index.html").write_bytes(HOMEPAGE)
    (feeds / "azure.rss").write_bytes(OTHER_FEED)
    config = str(site / "config.toml")
    code, out, err = run_cli("build", "-c", config, "--now", NOW)
    assert (code, out) == (3, "")
    assert f"{feeds / 'azure.rss'}{SAID}" in err.splitlines()
    # (the page waits for the feed that failed, and is said to be foreign at once)
    assert f"{feeds / 'index.html'}{SAID}" in err.splitlines()
    assert (feeds / "index.html").read_bytes() == HOMEPAGE
    assert (feeds / "azure.rss").read_bytes() == OTHER_FEED
    assert b"<generator>feedpub</generator>" in (feeds / "ai.rss").read_bytes()
    assert (feeds / "azure.atom").is_file()  # (another format of that feed: its own file)
    assert run_cli("build", "-c", config, "--now", NOW, "--check")[0] == 3  # still there
    (feeds / "azure.rss").unlink()
    code, _, err = run_cli("build", "-c", config, "--now", NOW)
    assert code == 3 and err.splitlines()[0] == f"{feeds / 'index.html'}{SAID}", err
    assert (feeds / "index.html").read_bytes() == HOMEPAGE
    (feeds / "index.html").unlink()
    assert run_cli("build", "-c", config, "--now", NOW) == (0, "", "")
    assert b'<meta name="generator" content="feedpub' in (feeds / "index.html").read_bytes()


def test_an_empty_file_is_replaced(site: Path) -> None:
    feeds = site / "feeds"
    feeds.mkdir()
    (feeds / "index.html").write_bytes(b"")  # (nothing in it to lose)
    assert run_cli("build", "-c", str(site / "config.toml"), "--now", NOW) == (0, "", "")
    assert (feeds / "index.html").stat().st_size > 0


def test_feedpubs_own_files_are_replaced_without_a_cache(site: Path) -> None:
    """A fresh clone: the committed feeds, no cache (``.feedpub/`` is not committed),
    and a change that rewrites every file (another site link)."""
    shutil.copytree(ROOT / "feeds", site / "feeds")
    config = site / "config.toml"
    old = 'link = "https://news.example.com/"'
    assert old in config.read_text()
    config.write_text(config.read_text().replace(old, 'link = "https://other.example/"'))
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    for name in ("all.rss", "all.atom", "space.json", "feeds.opml", "index.html"):
        assert b"https://other.example/" in (site / "feeds" / name).read_bytes(), name


def test_an_opml_written_for_another_feeds_url_is_replaced_when_the_cache_records_it(
    site: Path,
) -> None:
    config = site / "config.toml"
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    text = config.read_text()
    assert 'feeds_url = "https://news.example.com/feeds/"' in text
    config.write_text(text.replace("https://news.example.com/feeds/", "https://x.example/f/"))
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    assert b'xmlUrl="https://x.example/f/all.rss"' in (site / "feeds" / "feeds.opml").read_bytes()


#: A channel's head of 300 categories before its generator (a feed of 300 topics).
CATEGORIES = b"".join(b"<category>Topic %d</category>" % n for n in range(300))


@pytest.mark.parametrize(
    ("name", "there", "foreign"),
    [
        ("a.rss", b"<rss><channel><generator>feedpub</generator>", False),
        ("a.rss", b"<rss><channel>" + CATEGORIES + b"<generator>feedpub</generator><item>", False),
        ("a.atom", b'<feed><generator uri="https://pypi.org/project/feedpub/" version="0.1.0">feedpub</generator>', False),
        ("a.atom", b'<feed><generator uri="https://example.org/fork/">feedpub</generator>', False),
        ("a.json", b'{"_feedpub": {"about": "https://example.org/", "generator": "feedpub 0.1.0"', False),
        ("a.rss", b"<rss><channel><generator>Hugo</generator>", True),
        ("a.rss", b"<rss><channel><item><title>&gt;feedpub&lt;/generator&gt;</title>", True),
        ("a.rss", b"<rss><channel><item><generator>feedpub</generator></item>", True),
        ("a.atom", b'<feed><generator uri="https://gohugo.io/">Hugo</generator>', True),
        ("a.json", b'{"version": "https://jsonfeed.org/version/1.1"', True),
        ("a.json", b'{"_x": {"generator": "feedpub-ng 3"}', True),
        ("index.html", b'<head><meta name="generator" content="feedpub 0.1.0"/></head>', False),
        ("index.html", b'<head><meta name="generator" content="feedpublisher 2.0"/></head>', True),
        ("index.html", b"<head><title>feedpub</title></head><body>" + b'content="feedpub ', True),
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://news.example.com/feeds/a.rss"/>', False),
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://blog.example/rss"/>', True),
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://news.example.com/feeds/a.rss"/>'
                       b'<outline xmlUrl="https://friend.example/rss"/>', True),  # (a blogroll)
        ("feeds.opml", b'<opml version="2.0"><body/></opml>', True),
        # "items" in an RSS or Atom title is text, not where the items begin
        ("a.rss", b'<rss><channel><title>News "items"</title><generator>feedpub</generator><item>', False),
        ("a.atom", b'<feed><author><name>"items"</name></author><generator uri="x">feedpub</generator>', False),
        ("a.json", b'{"title": "items", "_feedpub": {"generator": "feedpub 0.1.0"}, "items": [', False),
        ("a.json", b'{"items": [{"_feedpub": {"generator": "feedpub 0.1.0"}}]', True),
        # the list from before site.feeds_url changed: only the config's feeds, one folder
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://old.example/f/all.rss"/>'
                       b'<outline xmlUrl="https://old.example/f/azure.rss"/>', False),
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://old.example/f/all.rss"/>'
                       b'<outline xmlUrl="https://friend.example/f/azure.rss"/>', True),
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://old.example/f/all.rss"/>'
                       b'<outline xmlUrl="https://old.example/f/blog.rss"/>', True),
        # (one name that is also the config's: another site's all.rss, a blogroll's)
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://other.example/f/all.rss"/>', True),
        # (a feed renamed or taken out as feeds_url changed: most names are still the config's)
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://old.example/f/all.rss"/>'
                       b'<outline xmlUrl="https://old.example/f/azure.rss"/>'
                       b'<outline xmlUrl="https://old.example/f/gone.rss"/>', False),
        # a list an older feedpub wrote of site.feeds_url as written (in capitals, with
        # its own port): the same URLs, though none of their feeds is the config's now
        ("feeds.opml", b'<opml version="2.0"><outline xmlUrl="https://News.Example.com:443/feeds/x.rss"/>'
                       b'<outline xmlUrl="https://NEWS.example.com/feeds/y.rss"/>', False),
    ],
)  # fmt: skip
def test_what_tells_feedpubs_files(site: Path, name: str, there: bytes, foreign: bool) -> None:
    from feedpub.config import load_config

    assert output.foreign(load_config(site / "config.toml"), name, there) is foreign


def test_a_list_the_cache_records_is_feedpubs_while_it_is_as_written(site: Path) -> None:
    """The cache's record tells feedpub's list (one from before a rename and a change of
    site.feeds_url) only while the file is as feedpub wrote it: a blogroll put there
    since is not replaced. (A feed's or the page's own mark is in it: no record needed.)"""
    config = site / "config.toml"
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    blogroll = (
        b'<opml version="2.0"><body><outline xmlUrl="https://lwn.net/headlines/rss"/></body></opml>'
    )
    (feeds / "feeds.opml").write_bytes(blogroll)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("https://news.example.com/feeds/", "https://x.example/f/"),
                      encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW)
    assert code == 3 and "feeds.opml: a list that is not this site's is there" in err, err
    assert (feeds / "feeds.opml").read_bytes() == blogroll


def test_a_page_put_where_feedpub_wrote_one_is_kept(site: Path) -> None:
    """The cache records index.html as written; the site's own page put there since is
    not feedpub's all the same (its content says so), and stays."""
    config = site / "config.toml"
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    (feeds / "index.html").write_bytes(HOMEPAGE)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('link = "https://news.example.com/"',
                                   'link = "https://other.example/"'), encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW)
    assert code == 3 and err.splitlines() == [f"{feeds / 'index.html'}{SAID}"], err
    assert (feeds / "index.html").read_bytes() == HOMEPAGE


def test_a_file_with_an_archive_pages_name_is_not_pruned_unless_feedpubs(site: Path) -> None:
    feeds = site / "feeds"
    config = str(site / "config.toml")
    assert run_cli("build", "-c", config, "--now", NOW) == (0, "", "")
    pages = sorted(p.name for p in feeds.glob("all-archive-*.rss"))
    assert pages, "the sample's all feed has archive pages"
    (feeds / "all-archive-9.rss").write_bytes(OTHER_FEED)  # another tool's, past the last page
    ours = (feeds / pages[0]).read_bytes()
    (feeds / "all-archive-8.rss").write_bytes(ours)  # feedpub's, past the last page
    os.mkfifo(feeds / "all-archive-7.rss")  # (opened to be read, it stopped the build)
    assert run_cli("build", "-c", config, "--now", NOW, "--full") == (0, "", "")
    assert (feeds / "all-archive-9.rss").read_bytes() == OTHER_FEED
    assert not (feeds / "all-archive-8.rss").exists()
    assert stat.S_ISFIFO((feeds / "all-archive-7.rss").lstat().st_mode)


def test_feedpubs_list_from_before_feeds_url_changed_is_replaced_without_a_cache(
    site: Path,
) -> None:
    """A fresh clone (no cache) of a site whose site.feeds_url changed since its list
    was committed: the list names the config's feeds under the old folder: feedpub's."""
    shutil.copytree(ROOT / "feeds", site / "feeds")
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("https://news.example.com/feeds/", "https://cdn.example/f/"),
                      encoding="utf-8")  # fmt: skip
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    assert b'xmlUrl="https://cdn.example/f/all.rss"' in (site / "feeds" / "feeds.opml").read_bytes()


def test_a_feed_of_300_topics_taken_out_is_removed(site: Path) -> None:
    """Its generator lies past its first 8 KB (a category each topic): it stayed, and
    build --check was content."""
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    topics = ", ".join(f'"Topic number {n}"' for n in range(300))
    config.write_text(text + f'\n[feeds.t300]\ntitle = "Many"\ntopics = ["Azure", {topics}]\n',
                      encoding="utf-8")  # fmt: skip
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    assert (feeds / "t300.rss").read_bytes().find(b"<generator>") > 8192
    config.write_text(text, encoding="utf-8")
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW, "-v")
    assert code == 0 and f"removed {feeds / 't300.rss'}" in err.splitlines(), err
    assert not (feeds / "t300.rss").exists() and not (feeds / "t300.atom").exists()


def test_a_fifo_at_a_feeds_name_is_said_and_does_not_stop_the_build(site: Path) -> None:
    """A FIFO put at an output's name (a tool's pipe) was opened to be compared: the
    build waited for a writer, for ever. Said now, and left, as a file not feedpub's."""
    feeds = site / "feeds"
    feeds.mkdir()
    os.mkfifo(feeds / "azure.rss")
    code, _, err = run_cli("build", "-c", str(site / "config.toml"), "--now", NOW)
    assert code == 3
    assert err.splitlines()[0] == (
        f"{feeds / 'azure.rss'}: a named pipe (FIFO) is in its place (not a file): remove "
        "it, or rename it, and the next build writes the file"
    )
    assert stat.S_ISFIFO((feeds / "azure.rss").lstat().st_mode)
    assert (feeds / "azure.atom").is_file()


@pytest.mark.parametrize("then", ["an article edited", "the content emptied"])
def test_a_fifo_put_at_a_written_feeds_name_does_not_stop_the_next_build(
    site: Path, then: str
) -> None:
    """A FIFO put at the name of a feed a build wrote: the next build that renders that
    feed again opened it to take the entries it held (``written_bytes``), and one that
    found the content empty opened it to see whether it held items (``has_items``):
    each waited for a writer, for ever, and every cron build after waited for its lock
    (exit 75), no feed updated and nothing said. Run as a process of its own: a build
    that waits so fails the test, not the test run."""
    config = site / "config.toml"
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    (feeds / "azure.rss").unlink()
    os.mkfifo(feeds / "azure.rss")
    if then == "an article edited":  # (an article the azure feed shows: it is rendered again)
        article = next(p for p in (site / "content" / "news").glob("*.txt")
                       if "  - Azure\n" in p.read_text(encoding="utf-8"))  # fmt: skip
        article.write_bytes(article.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
    else:  # (an unmounted folder: the feeds that hold items are kept)
        shutil.rmtree(site / "content" / "news")
        (site / "content" / "news").mkdir()
    build = subprocess.run(
        [sys.executable, "-m", "feedpub", "build", "-c", str(config), "--now", NOW],
        capture_output=True, timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert build.returncode == 3, build.stderr
    assert stat.S_ISFIFO((feeds / "azure.rss").lstat().st_mode)
    if then == "an article edited":
        assert b"Edited: " in (feeds / "azure.atom").read_bytes()  # (the other format)
        assert build.stderr.decode().splitlines()[0] == (
            f"{feeds / 'azure.rss'}: a named pipe (FIFO) is in its place (not a file): "
            "remove it, or rename it, and the next build writes the file"
        )
    else:
        assert b"yielded no articles" in build.stderr and (feeds / "azure.atom").is_file()


@pytest.mark.parametrize("leads_to", ["file", "nothing", "folder"])
def test_a_symlink_at_a_feeds_name_is_said_and_left(site: Path, leads_to: str) -> None:
    """A symbolic link at an output's name (to a feed kept elsewhere, to nothing, to a
    folder) was replaced by the build's rename without a word: the link gone, what it
    led to left behind, stale. Said now, and left, as a file not feedpub's."""
    config = str(site / "config.toml")
    assert run_cli("build", "-c", config, "--now", NOW)[0] == 0
    feeds = site / "feeds"
    elsewhere = site / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "azure.rss"
    if leads_to == "file":  # (moved there, its size and mtime kept: as the cache records)
        shutil.copy2(feeds / "azure.rss", target)
    elif leads_to == "folder":
        target.mkdir()
    (feeds / "azure.rss").unlink()
    (feeds / "azure.rss").symlink_to(target)
    # a build with nothing changed, a --full one, a check: each says it, in one line
    for args in ([], ["--full"], ["--check"]):
        code, _, err = run_cli("build", "-c", config, "--now", NOW, *args)
        assert code == 3
        assert [ln for ln in err.splitlines() if "azure.rss" in ln] == [
            f"{feeds / 'azure.rss'}: a symbolic link is there (to {target}): not replaced (a "
            "build would replace the link, not the file it leads to); remove the link, or "
            "give site.output the folder it leads to"
        ], err
        assert (feeds / "azure.rss").is_symlink()
    assert (feeds / "azure.atom").is_file()
    if leads_to == "file":
        assert b"Example News: Azure<" in target.read_bytes()  # (untouched)
    (feeds / "azure.rss").unlink()
    assert run_cli("build", "-c", config, "--now", NOW) == (0, "", "")
    assert not (feeds / "azure.rss").is_symlink()


def test_a_symlinks_target_is_said_with_its_controls_escaped(site: Path) -> None:
    """Where a link leads is text from the file system: a terminal escape in it is shown
    escaped, as in a file name, never sent to the terminal."""
    feeds = site / "feeds"
    feeds.mkdir()
    (feeds / "azure.rss").symlink_to("gone\x1b[2J.rss")
    code, _, err = run_cli("build", "-c", str(site / "config.toml"), "--now", NOW)
    assert code == 3 and "\x1b" not in err
    assert f"{feeds / 'azure.rss'}: a symbolic link is there (to gone\\x1b[2J.rss)" in err, err


def test_an_output_folder_reached_through_a_symlink_is_written(site: Path) -> None:
    """The link refused is the output's own: a site.output that is a link to a folder
    (``feeds -> /srv/www/feeds``) is written through, as before."""
    real = site / "www"
    real.mkdir()
    (site / "feeds").symlink_to(real)
    config = str(site / "config.toml")
    assert run_cli("build", "-c", config, "--now", NOW) == (0, "", "")
    assert run_cli("build", "-c", config, "--now", NOW, "--full") == (0, "", "")
    assert (real / "azure.rss").is_file() and not (real / "azure.rss").is_symlink()


def test_a_huge_file_at_the_pages_name_is_not_read_whole(site: Path) -> None:
    """Only its head is read to tell whose it is (a 1 GB file was read into memory)."""
    import tracemalloc

    from feedpub.config import load_config

    feeds = site / "feeds"
    feeds.mkdir()
    (feeds / "index.html").write_bytes(b"<html><head></head>" + b"x" * 50_000_000)
    config = load_config(site / "config.toml")
    tracemalloc.start()
    made = output.make(config, "index.html", (b"<html>new</html>", [], []), True, None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert made.status == "failed" and made.problems == [output.FOREIGN]
    assert peak < 5_000_000, peak


def test_a_file_named_as_a_page_with_a_digit_not_ascii_is_left(site: Path) -> None:
    """``all-archive-².rss`` (a digit to str.isdigit, none to int) stopped every build
    with a traceback; ``all-archive-١.rss`` (Arabic-Indic one) was taken for page 1."""
    feeds = site / "feeds"
    config = str(site / "config.toml")
    assert run_cli("build", "-c", config, "--now", NOW) == (0, "", "")
    ours = (feeds / "all-archive-1.rss").read_bytes()
    (feeds / "all-archive-².rss").write_bytes(ours)
    (feeds / "all-archive-١.rss").write_bytes(ours)
    assert run_cli("build", "-c", config, "--now", NOW, "--full") == (0, "", "")
    assert run_cli("build", "-c", config, "--now", NOW, "--check") == (0, "", "")
    assert (feeds / "all-archive-².rss").exists() and (feeds / "all-archive-١.rss").exists()


def test_two_configs_sharing_a_folder_remove_none_of_each_others_feeds(site: Path) -> None:
    """As the README advises (a cache each, one feeds_url, one after the other): a feed
    moved from one config to the other was removed by the first at every build (its
    cache still recorded the name), and written again by the second."""
    text = (site / "config.toml").read_text(encoding="utf-8")
    space = text.index("[feeds.space]")
    end = text.find("\n[", space + 1)
    table = text[space:] if end < 0 else text[space : end + 1]
    a, b = site / "a.toml", site / "b.toml"
    head = text[: text.index("[feeds.")]
    a.write_text(text.replace('output = "feeds"', 'output = "feeds"\ncache = ".a/c.sqlite"'),
                 encoding="utf-8")  # fmt: skip
    b.write_text(head.replace('output = "feeds"', 'output = "feeds"\ncache = ".b/c.sqlite"')
                 + '\n[feeds.other]\ntitle = "Other"\ntopics = ["Azure"]\n', encoding="utf-8")  # fmt: skip
    for config in (a, b):
        assert run_cli("build", "-c", str(config), "--now", NOW)[0] == 0
    # the space feed moves from a to b
    a.write_text(a.read_text(encoding="utf-8").replace(table, ""), encoding="utf-8")
    b.write_text(b.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    feeds = site / "feeds"
    for config in (a, b):  # (a removes the files it wrote, b writes its own)
        assert run_cli("build", "-c", str(config), "--now", NOW)[0] == 0
    for _ in range(2):
        for config in (a, b):
            code, _, err = run_cli("build", "-c", str(config), "--now", NOW, "-v")
            assert code == 0, err
            assert not [ln for ln in err.splitlines() if ln.startswith("removed") and "space" in ln]
        assert (feeds / "space.rss").is_file() and (feeds / "other.rss").is_file()


def test_a_feed_named_as_another_feeds_page_is_not_removed(site: Path) -> None:
    """A feed news-archive-2024 beside a feed news (archives off): news's pruning took it
    for a page past its last, and removed it after every build wrote it."""
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[feeds.azure-archive-2024]\ntitle = "Azure 2024"\n'
                      'topics = ["Azure"]\n', encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW, "-v")
    assert code == 0, err
    assert not [ln for ln in err.splitlines() if ln.startswith("removed")], err
    assert (site / "feeds" / "azure-archive-2024.rss").is_file()
    assert run_cli("build", "-c", str(config), "--now", NOW, "--check") == (0, "", "")


def test_a_feed_taken_out_goes_though_its_files_mtimes_changed(site: Path) -> None:
    """A checkout of the output folder (CI, its cache restored) changes the files'
    mtimes: a feed taken out of the config was then never removed, by no build."""
    config = site / "config.toml"
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    for f in feeds.iterdir():
        os.utime(f, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    text = config.read_text(encoding="utf-8")
    start = text.index("[feeds.climate]")
    end = text.find("\n[", start + 1)
    config.write_text(text[:start] + (text[end + 1 :] if end >= 0 else ""), encoding="utf-8")
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW, "-v")
    assert code == 0 and f"removed {feeds / 'climate.rss'}" in err.splitlines(), err
    assert not (feeds / "climate.atom").exists()


def test_stale_pages_go_when_feeds_url_moved_and_the_cache_is_gone(site: Path) -> None:
    """Fewer pages (archive_size raised) in the build that moves feeds_url, in a fresh
    clone: the stale pages link the old URL as their current document, and stayed."""
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert "archive_size = 4" in text
    small = text.replace("archive_size = 4", "archive_size = 1")
    config.write_text(small, encoding="utf-8")
    assert run_cli("build", "-c", str(config), "--now", NOW) == (0, "", "")
    feeds = site / "feeds"
    before = sorted(p.name for p in feeds.glob("all-archive-*.rss"))
    shutil.rmtree(site / ".feedpub")
    config.write_text(text.replace("https://news.example.com/feeds/", "https://cdn.example/f/"),
                      encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("build", "-c", str(config), "--now", NOW, "-v")
    assert code == 0, err
    after = sorted(p.name for p in feeds.glob("all-archive-*.rss"))
    assert len(after) < len(before) and f"removed {feeds / before[-1]}" in err.splitlines()
    assert run_cli("build", "-c", str(config), "--now", NOW, "--check") == (0, "", "")
