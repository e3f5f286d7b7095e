"""The bundled sample content and the committed ``feeds/``: rebuilt byte for byte,
and read back as a feed reader would."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from feedpub.cli import cli

from .conftest import ROOT, SEEDS

NOW = "2026-11-01T00:00:00Z"
CONTENT = ROOT / "content" / "news"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """config.toml and content/ copied beside each other, built with the documented command."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copy(ROOT / "config.toml", root / "config.toml")
    shutil.copytree(ROOT / "content", root / "content")
    result = CliRunner().invoke(
        cli, ["build", "-c", str(root / "config.toml"), "--full", "--now", NOW]
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    return root / "feeds"


def _feed_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_committed_feeds_match_a_fresh_build_byte_for_byte(rebuilt: Path) -> None:
    committed = _feed_files(ROOT / "feeds")
    fresh = _feed_files(rebuilt)
    assert committed.keys() == fresh.keys(), "run: .venv/bin/feedpub build --full --now " + NOW
    for name, data in fresh.items():
        assert committed[name] == data, (
            f"feeds/{name} is stale; run: .venv/bin/feedpub build --full --now {NOW}"
        )


def test_committed_feeds_validate(rebuilt: Path) -> None:
    files = [str(p) for p in sorted(rebuilt.iterdir()) if p.suffix in (".rss", ".atom", ".json")]
    result = CliRunner().invoke(cli, ["validate", "--now", NOW, *files])
    assert result.exit_code == 0, result.output


def _front(path: Path, key: str) -> str:
    m = re.search(rf'^{key}: "?(.*?)"?$', path.read_text(encoding="utf-8"), re.M)
    assert m, (path, key)
    return m.group(1)


def test_no_unpublished_future_or_secured_text_in_any_output(rebuilt: Path) -> None:
    blob = b"".join(_feed_files(rebuilt).values())
    assert b"SECRETBLOB" not in blob and b"secured" not in blob
    for name in ("014", "015", "016", "013"):  # three unpublished, one dated 2027
        path = next(CONTENT.glob(f"{name}_*.txt"))
        assert _front(path, "webUrl").encode() not in blob, path.name


def test_feed_readers_see_clean_titles_links_dates_and_pictures(rebuilt: Path) -> None:
    # the "all" feed keeps 10 items; the rest are in its archive pages, newest page first
    chain = ["all.atom", "all-archive-2.atom", "all-archive-1.atom"]
    entries = [e for name in chain for e in feedparser.parse((rebuilt / name).read_bytes()).entries]
    titles = [e.title for e in entries]
    assert len(titles) == 15  # 17 published, one in the future, one older duplicate
    assert any(t.startswith("It’s official") and "Zürich" in t for t in titles)  # mojibake repaired
    assert "Why 3 < 5 matters for chips" in titles
    assert not [t for t in titles if "â€" in t or "Ã" in t]
    dates = [e.published_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse((rebuilt / f"azure.{fmt}").read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        for e in parsed.entries:
            assert e.link.startswith("https://")
            for enc in e.enclosures:
                assert enc.href.startswith("https://") and enc.type.startswith("image/")
                assert "&#038;" not in enc.href and "&amp;" not in enc.href


def test_the_video_links_its_watch_page_and_names_its_embed_player(rebuilt: Path) -> None:
    video = next(CONTENT.glob("010_*.txt"))
    watch = _front(video, "originalUrl")
    embed = "https://video.example/embed/abc"  # its featuredContent's iframe src
    assert embed in video.read_text(encoding="utf-8")
    for name in ("space.rss", "space.atom"):
        entry = next(e for e in feedparser.parse((rebuilt / name).read_bytes()).entries
                     if e.link == watch)  # fmt: skip
        assert entry.media_player == {"url": embed, "width": "560", "height": "315", "content": ""}
        assert f'<a href="{watch}" rel="noopener noreferrer">Watch the video</a>' in (
            entry.content[0].value
        )
        assert f'href="{embed}"' not in entry.content[0].value
    item = next(i for i in json.loads((rebuilt / "space.json").read_bytes())["items"]
                if i["url"] == watch)  # fmt: skip
    assert item["_feedpub"]["video_url"] == watch and item["_feedpub"]["player_url"] == embed
    assert f'<a href="{watch}"' in item["content_html"] and f'"{embed}"' not in item["content_html"]


def test_the_real_seeds_azure_gives_002_then_003_and_ai_gives_004(write_config) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(
        [str(SEEDS / "*.txt")],
        """
[feeds.azure]
title = "Azure"
topics = ["Azure"]

[feeds.ai]
title = "AI"
topics = ["Microsoft AI"]
""",
    )
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    feeds = cfg.parent / "feeds"
    seed = {p.name[:3]: _front(p, "webUrl") for p in SEEDS.glob("*.txt")}
    for fmt in ("rss", "atom"):
        azure = feedparser.parse((feeds / f"azure.{fmt}").read_bytes())
        assert [e.link for e in azure.entries] == [seed["002"], seed["003"]]
        ai = feedparser.parse((feeds / f"ai.{fmt}").read_bytes())
        assert [e.link for e in ai.entries] == [seed["004"]]
    everything = b"".join(p.read_bytes() for p in feeds.iterdir() if p.is_file())
    secrets = [_front(p, "secured").encode() for p in SEEDS.glob("*.txt")]
    assert not [s for s in secrets if s[:40] in everything]
