"""Articles that share a URL: the newest is published (select.visible), and each one it
hides is named by ``build -v`` with both paths, on a cold build and on a warm one that
reads no file (from the summaries selection works on, not from reading)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from feedpub.build import build
from feedpub.config import load_config
from feedpub.select import Hidden

from .conftest import OLD_MTIME_NS, ROOT, run_cli

NOW = "2026-11-01T00:00:00Z"
#: The sample's two versions of one story (content/README.md): 012 is the newer.
OLDER = "content/news/011_85858c611b39767c.txt"
NEWER = "content/news/012_7d0b11d596ce60ed.txt"
URL = "https://news.example/2025/06/azure-storage-incident-review"
LINE = f"{OLDER}: hidden by {NEWER} (same URL {URL}; the newer one is published)"

run = run_cli


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The bundled config and content, settled (old mtimes, so a cache may trust them)."""
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    for f in (tmp_path / "content" / "news").iterdir():
        os.utime(f, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return tmp_path / "config.toml"


def test_build_v_names_the_hidden_article_and_the_one_that_hides_it(sample: Path) -> None:
    code, _, err = run("build", "-c", str(sample), "--now", NOW, "-v")
    assert code == 0, err  # not an error: the exit code is unchanged
    lines = err.splitlines()
    assert lines.count(LINE) == 1
    assert [ln for ln in lines if "hidden by" in ln] == [LINE]
    summary = next(ln for ln in lines if ln.startswith("files "))
    assert "skipped 0; rejected 0, hidden 1;" in summary
    # only the newer one is published
    titles = [e.title for e in feedparser.parse(sample.parent / "feeds" / "azure.rss").entries]
    assert "Azure storage incident review: root cause published" in titles
    assert "Azure storage incident review: what we know so far" not in titles
    # quiet without -v (cron mails output)
    assert run("build", "-c", str(sample), "--now", NOW, "--full") == (0, "", "")


def test_a_warm_build_that_reads_nothing_still_names_it(sample: Path) -> None:
    assert run("build", "-c", str(sample), "--now", NOW)[0] == 0
    config, now = load_config(sample), datetime.fromisoformat(NOW)
    hidden = [Hidden(OLDER, NEWER, URL, False)]
    stages: list[tuple[str, list[str]]] = []

    def observe(stage: str, paths: list[str]) -> None:
        stages.append((stage, paths))

    result = build(config, now, observe=observe)  # nothing changed: one stat a file
    assert [stage for stage, _ in stages] == ["listed"]  # nothing read, selected or parsed
    assert result.hidden == hidden and result.gathered.cached == 20
    code, _, err = run("build", "-c", str(sample), "--now", NOW, "-v")
    assert code == 0, err
    assert LINE in err.splitlines()
    assert "read 0, from cache 20" in err and "hidden 1;" in err

    # another article changes: only it is read; the two copies come from the cache
    other = sample.parent / "content" / "news" / "000_f490b32a68049365.txt"
    other.write_text(other.read_text("utf-8").replace("liquid", "Liquid", 1), "utf-8")
    stages.clear()
    result = build(config, now, observe=observe)
    assert dict(stages)["read"] == ["content/news/000_f490b32a68049365.txt"]
    assert (result.gathered.read, result.gathered.cached) == (1, 19)
    assert result.hidden == hidden


def test_copies_of_the_same_date_are_decided_by_path(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    seed = next(seeds_dir.glob("002_*.txt"))
    shutil.copy(seed, seeds_dir / "zz_copy.txt")  # same URL, same date
    cfg = write_config(["content/*.txt"], '[feeds.all]\ntitle = "All"\ntopics = ["*"]\n')
    code, _, err = run("build", "-c", str(cfg), "--now", "2021-01-01T00:00:00Z", "-v")
    assert code == 0, err
    hidden = [ln for ln in err.splitlines() if "hidden by" in ln]
    assert hidden == [
        f"content/zz_copy.txt: hidden by content/{seed.name} (same URL "
        "https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/; "
        "same date: the first by path is published)"
    ]
    assert "hidden 1;" in err


def test_an_unpublished_or_future_copy_hides_nothing(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    seed = next(seeds_dir.glob("002_*.txt"))
    text = seed.read_text("utf-8")
    (seeds_dir / "zz_draft.txt").write_text(
        text.replace("published: true", "published: false"), "utf-8"
    )
    (seeds_dir / "zz_later.txt").write_text(
        text.replace("2020-05-19T21:00:00Z", "2030-01-01T00:00:00Z"), "utf-8"
    )
    cfg = write_config(["content/*.txt"], '[feeds.all]\ntitle = "All"\ntopics = ["*"]\n')
    code, _, err = run("build", "-c", str(cfg), "--now", "2021-01-01T00:00:00Z", "-v")
    assert code == 0, err
    assert "hidden by" not in err and "hidden 0;" in err


def test_a_copy_with_the_same_url_and_date_but_other_content_is_a_notice(sample: Path) -> None:
    """A file copied to move it, then edited: the first of the two by path is published,
    so the edits reach no feed. Said once, by the build that reads it (exit 0, the
    article as it stood), again by --full; an identical copy (nothing lost) is not."""
    news = sample.parent / "content" / "news"
    assert run("build", "-c", str(sample), "--now", NOW) == (0, "", "")
    original = news / "002_20e0629c5e067ce4.txt"
    text = original.read_text(encoding="utf-8")
    (news / "zzz_same.txt").write_text(text, encoding="utf-8")  # an identical copy
    assert run("build", "-c", str(sample), "--now", NOW) == (0, "", "")
    edited = text.replace("Microsoft AI team publishes", "Microsoft AI team published", 1)
    assert edited != text
    (news / "zzz_moved.txt").write_text(edited, encoding="utf-8")
    code, out, err = run("build", "-c", str(sample), "--now", NOW)
    line = text[: text.index("publishedDateTime:")].count("\n") + 1
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"content/news/zzz_moved.txt:{line}: hidden by content/news/002_20e0629c5e067ce4.txt: "
        "the same URL and the same publishedDateTime, other content: this file is not "
        "published (of the two, the first by path is); delete the one out of date, or date "
        "the newer one later"
    ]
    assert run("build", "-c", str(sample), "--now", NOW) == (0, "", "")  # said once
    assert run("build", "-c", str(sample), "--now", NOW, "--full")[2] == err
    # other bytes, the same article (Windows line breaks, the URL's default port): nothing lost
    crlf = text.replace("\n", "\r\n").replace(".org/research", ".org:443/research", 1)
    assert ".org:443/research" in crlf
    (news / "zzz_moved.txt").write_text(crlf, encoding="utf-8", newline="")
    assert run("build", "-c", str(sample), "--now", NOW) == (0, "", "")
    # dated later, the edited copy is the one published: nothing to say
    later = edited.replace("publishedDateTime: 2025-03-05 08:00:00",
                           "publishedDateTime: 2025-03-05 09:00:00")  # fmt: skip
    assert later != edited
    (news / "zzz_moved.txt").write_text(later, encoding="utf-8")
    assert run("build", "-c", str(sample), "--now", NOW) == (0, "", "")
