"""WebSub: every feed advertises its hub and itself; a build pings a local hub (an
http.server on 127.0.0.1) once per changed feed, and a hub that is down, hangs or
refuses never fails nor stalls the build."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import click
import feedparser
import pytest
from click.testing import CliRunner

from feedpub import output, websub
from feedpub.cli import cli
from feedpub.config import Config, load_config
from feedpub.errors import ConfigError

from .conftest import SEEDS

NOW = "2021-01-01T00:00:00Z"
FEEDS = """
[feeds.azure]
title = "Azure"
topics = ["Azure"]
formats = ["rss", "atom", "json"]

[feeds.ai]
title = "Microsoft AI"
topics = ["microsoft ai"]

[feeds.all]
title = "All"
topics = ["*"]
max_items = 1
archive = true
"""
ALL_FEEDS = {
    f"https://example.com/feeds/{name}"
    for name in ("azure.rss", "azure.atom", "azure.json", "ai.rss", "ai.atom", "all.rss",
                 "all.atom")
}  # fmt: skip


class Hub:
    """A WebSub hub on 127.0.0.1 that records every publish ping and answers ``status``."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.content_types: list[str] = []
        self.status = 204
        self.drip = False
        self.closing = threading.Event()
        self.gets = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hub.content_types.append(self.headers.get("Content-Type", ""))
                hub.pings.append(parse_qs(body.decode("ascii"), strict_parsing=True))
                self.send_response(hub.status)
                if hub.status in (301, 302, 303, 307, 308):
                    self.send_header("Location", "/elsewhere")
                if hub.drip:  # an answer of 1,000 bytes, sent a byte each 0.1 s
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        for _ in range(1000):
                            if hub.closing.is_set():  # (the test is over: the ping left
                                break  # reading it ends at the short answer)
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.1)
                    return
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # (where a redirect followed would land)
                hub.gets += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def urls(self) -> list[str]:
        return [p["hub.url"][0] for p in self.pings]

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(autouse=True)
def no_ping_left() -> Iterator[None]:
    """A ping abandoned at the budget (its thread ends with the process, by design) is
    gone once its hub is: none is left for the tests after these (those of
    tests/test_parallel.py fork only where this process has no other thread)."""
    yield
    for thread in threading.enumerate():
        if thread.name == "websub ping":
            thread.join(10)
            assert not thread.is_alive(), "a websub ping outlived its test's hub"


@pytest.fixture
def hub() -> Iterator[Hub]:
    h = Hub()
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def make_cfg(write_config, seeds_dir: Path):  # type: ignore[no-untyped-def]
    def make(hub_url: str) -> Path:
        cfg: Path = write_config(["content/*.txt"], FEEDS, extra=f'hub = "{hub_url}"\n')
        return cfg

    return make


def build(cfg: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW, *extra])
    return result.exit_code, result.stderr


def test_one_ping_per_changed_feed_and_none_when_nothing_changed(
    hub: Hub, make_cfg, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    cfg = make_cfg(hub.url)
    code, err = build(cfg)
    assert code == 0, err
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)  # each once; no archive page, no OPML
    assert all(p["hub.mode"] == ["publish"] and len(p) == 2 for p in hub.pings)
    assert set(hub.content_types) == {"application/x-www-form-urlencoded"}
    assert (cfg.parent / "feeds" / "all-archive-1.rss").exists()

    hub.pings.clear()
    assert build(cfg) == (0, "")
    assert hub.pings == []  # nothing changed, nothing announced

    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        (SEEDS / f.name).read_text("utf-8").replace('smarter AI"', 'smarter AI!"', 1), "utf-8"
    )
    assert build(cfg) == (0, "")
    changed = {f"https://example.com/feeds/{n}" for n in ("azure.rss", "azure.atom", "azure.json")}
    assert sorted(hub.urls()) == sorted(changed)  # not ai: that story is not in it


def test_a_feed_whose_ping_failed_is_pinged_by_the_next_builds_until_the_hub_hears(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A hub down during the build that wrote a feed: the next build pings that feed
    again though nothing changed (it was never announced), and names it once in a
    line for all while the hub stays down; once the hub heard, nothing more."""
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    cfg = make_cfg(hub.url)
    hub.status = 503
    code, err = build(cfg)
    assert code == 0
    assert len(err.splitlines()) == len(ALL_FEEDS)  # each written feed named
    assert all(" failed: HTTP 503 " in line for line in err.splitlines())

    hub.pings.clear()  # still down: every feed tried again, one line for them all
    code, err = build(cfg)
    assert code == 0
    assert sorted(set(hub.urls())) == sorted(ALL_FEEDS)
    assert err == (f"feedpub: websub: {len(ALL_FEEDS)} feeds changed by earlier builds still "
                   f"not announced to {hub.url} (HTTP 503 Service Unavailable); the next build "
                   "tries again\n")  # fmt: skip

    hub.status = 200  # up again: nothing changed, but the feeds are announced
    hub.pings.clear()
    assert build(cfg) == (0, "")
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)
    hub.pings.clear()
    assert build(cfg) == (0, "")
    assert hub.pings == []
    waiting = websub.waiting_file(load_config(cfg))
    assert waiting.parent == cfg.parent / ".feedpub" and waiting.read_text("utf-8") == "[]"
    assert [p.name for p in (cfg.parent / "feeds").iterdir() if p.name.startswith(".")] == []


def test_a_feed_taken_out_of_the_config_is_no_longer_waiting(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    cfg = make_cfg(hub.url)
    hub.status = 503
    assert build(cfg)[0] == 0
    cfg.write_text(cfg.read_text("utf-8").replace('formats = ["rss", "atom", "json"]',
                                                  'formats = ["rss"]'), "utf-8")  # fmt: skip
    hub.status = 200
    hub.pings.clear()
    assert build(cfg) == (0, "")
    gone = {"https://example.com/feeds/azure.atom", "https://example.com/feeds/azure.json"}
    assert sorted(set(hub.urls())) == sorted(ALL_FEEDS - gone)


def _hub_config(tmp_path: Path) -> Config:
    """A config of FEEDS with a hub (none listens there) and no article yet."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[site]\ntitle = "t"\nlink = "https://example.com/"\n'
        'feeds_url = "https://example.com/feeds/"\ndescription = "d"\ncontent = ["c/*.txt"]\n'
        'hub = "http://127.0.0.1:9/"\n' + FEEDS, "utf-8")  # fmt: skip
    (tmp_path / "c").mkdir()
    return load_config(cfg)


def test_what_waits_is_merged_with_what_another_build_left(tmp_path: Path) -> None:
    """Two builds whose pings end together: each takes out only what it pinged and
    adds what failed for it."""
    config = _hub_config(tmp_path)
    websub.waiting_file(config).parent.mkdir()  # (the cache's folder: a build makes it)
    a, b, c = (f"https://example.com/feeds/{n}" for n in ("azure.rss", "ai.rss", "all.atom"))
    websub.settle(config, [websub.PingResult(a, "down"), websub.PingResult(b, "down")])
    assert websub.waiting(config) == [a, b]
    websub.settle(config, [websub.PingResult(a, None), websub.PingResult(c, "down")])
    assert websub.waiting(config) == [b, c]
    websub.waiting_file(config).write_text('["https://elsewhere.example/x.rss", 7, "' + b + '"',
                                           "utf-8")  # fmt: skip
    # (cut short, a disk's damage: which waited is lost, so every feed, never an error)
    assert sorted(websub.waiting(config)) == sorted(ALL_FEEDS)
    websub.waiting_file(config).write_text(f'["https://elsewhere.example/x.rss", "{b}"]',
                                           "utf-8")  # fmt: skip
    assert websub.waiting(config) == [b]  # only this config's feeds
    websub.waiting_file(config).write_text(f'["https://elsewhere.example/x.rss", 7, "{b}"]',
                                           "utf-8")  # fmt: skip
    # (a number in it, an editor's damage: which waited is not known, so every feed)
    assert sorted(websub.waiting(config)) == sorted(ALL_FEEDS)


def test_a_waiting_list_followed_by_bytes_not_utf8_is_read(tmp_path: Path) -> None:
    """What follows the list (the tail of a longer one, a kill as it was rewritten) is
    read past, but bytes there that are not UTF-8 (a disk's, another program's) made
    the whole file unreadable: every feed waiting dropped, unannounced."""
    config = _hub_config(tmp_path)
    websub.waiting_file(config).parent.mkdir()
    a, b = (f"https://example.com/feeds/{n}" for n in ("azure.rss", "ai.rss"))
    websub.waiting_file(config).write_bytes(json.dumps([a, b]).encode() + b' "\xff\xfe"]')
    assert websub.waiting(config) == [a, b]
    assert websub.unreadable(config) is None  # (a killed write's tail: no damage to tell)
    websub.settle(config, [websub.PingResult(a, None)])
    assert websub.waiting(config) == [b]


@pytest.mark.parametrize(
    ("damaged", "why"),
    [
        (b'["https://example.com/feeds/a', "not JSON"),
        (b"\x00" * 64, "not JSON"),
        (b"{}", "not a list"),
        (b'{"a": 1}', "not a list"),
        # (JSON, a list, but of no URLs: read as empty, without a word, the feeds that
        # waited never announced)
        (b"[1, 2, 3]", "not a list of URLs"),
        (b'[null, "https://example.com/feeds/azure.rss"]', "not a list of URLs"),
        (b'["azure.rss"]', "not a list of URLs"),
        (b'[["https://example.com/feeds/azure.rss", 7]]', "not a list of URLs"),
        (b"[" * 100_000, "not JSON"),  # (a RecursionError's traceback stopped the build)
    ],
)
def test_a_waiting_list_that_cannot_be_read_is_told_and_every_feed_announced(
    hub: Hub, make_cfg, damaged: bytes, why: str
) -> None:  # type: ignore[no-untyped-def]
    """A damaged list (a disk's, an editor's) was read as empty without a word: the
    feeds waiting in it were never announced. The build says so, naming the file, and
    announces every feed, since which ones waited is lost; then the list reads again."""
    cfg = make_cfg(hub.url)
    assert build(cfg) == (0, "")
    waiting = websub.waiting_file(load_config(cfg))
    waiting.write_bytes(damaged)
    hub.pings.clear()
    code, err = build(cfg)
    assert code == 0 and err == (
        f"feedpub: {waiting}: the list of feeds waiting for the hub cannot be read ({why}): "
        "which of them waited is lost, so every feed is taken as waiting and announced to "
        "the hub once more (a ping of a feed that did not change tells it nothing new)\n"
    )
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)
    hub.pings.clear()
    assert build(cfg) == (0, "") and hub.pings == []
    waiting.write_bytes(damaged)  # (feedpub ping alike)
    code, err = ping(cfg)
    assert code == 0 and err.startswith(f"feedpub: {waiting}: the list of feeds waiting")
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)


def test_a_damaged_waiting_list_is_said_once_by_builds_that_ping_nothing(
    hub: Hub, make_cfg
) -> None:  # type: ignore[no-untyped-def]
    """``build --no-ping`` said the damage at every build (the list stayed as it was
    until a ping rewrote it); it says it once, the list written again with every feed
    waiting, which ``feedpub ping`` then announces."""
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping")[0] == 0
    waiting = websub.waiting_file(load_config(cfg))
    waiting.write_bytes(b"null")
    code, err = build(cfg, "--no-ping")
    assert code == 0 and err.startswith(f"feedpub: {waiting}: the list of feeds waiting")
    assert build(cfg, "--no-ping") == (0, "")
    hub.pings.clear()
    assert ping(cfg)[0] == 0 and sorted(hub.urls()) == sorted(ALL_FEEDS)


def test_an_earlier_feedpub_reads_the_list_this_one_leaves(tmp_path: Path) -> None:
    """A downgrade (stop 62's feedpub run again after this one) reads the waiting list as
    it reads its own, a list of URLs: a list of [url, mark] pairs stopped its every build
    that wrote no feed with a traceback (TypeError: unhashable type: 'list'), exit 1,
    until the file was deleted. And what it leaves is read again here, marks and all."""
    config = _hub_config(tmp_path)
    websub.waiting_file(config).parent.mkdir()
    a, b, c = (f"https://example.com/feeds/{n}" for n in ("azure.rss", "ai.rss", "all.atom"))
    websub.enlist(config, [a, b])
    websub.settle(config, [websub.PingResult(c, "down")])
    marks = websub.pending(config)
    assert list(marks) == [a, b, c] and marks[a] == marks[b] != "" and marks[c] == ""

    def earlier_waiting() -> list[str]:  # (2dc1a0e's websub.waiting, as it reads the file)
        urls = json.loads(websub.waiting_file(config).read_bytes() or b"[]")
        return [u for u in dict.fromkeys(urls) if isinstance(u, str) and u in ALL_FEEDS]

    assert earlier_waiting() == [a, b, c]
    # (2dc1a0e's settle after a ping of a: what it read, strings, less a)
    before = json.loads(websub.waiting_file(config).read_bytes())
    websub.waiting_file(config).write_text(
        json.dumps([u for u in before if isinstance(u, str) and u != a]), "utf-8"
    )
    assert websub.pending(config) == {b: marks[b], c: ""}
    websub.settle(config, [websub.PingResult(b, None)], seen={b: marks[b]})
    assert websub.waiting(config) == [c] == earlier_waiting()


def test_check_mode_never_pings(hub: Hub, make_cfg) -> None:  # type: ignore[no-untyped-def]
    cfg = make_cfg(hub.url)
    code, _ = build(cfg, "--check")
    assert code == 3  # nothing built yet
    assert hub.pings == []


def ping(cfg: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["ping", "-c", str(cfg), *extra])
    return result.exit_code, result.stderr


def test_no_ping_leaves_the_feeds_written_to_feedpub_ping_after_the_deploy(
    hub: Hub, make_cfg, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """``build --no-ping`` pings nothing (the hub would fetch the old files before the
    deploy copies the new): the feeds it wrote wait, and ``feedpub ping`` announces
    each once; a build after it without the flag pings only what it writes."""
    cfg = make_cfg(hub.url)
    code, err = build(cfg, "--no-ping", "-v")
    assert code == 0 and err.endswith(f"\nwebsub: {len(ALL_FEEDS)} feeds wait for `feedpub ping`\n")
    assert hub.pings == []
    assert sorted(websub.waiting(load_config(cfg))) == sorted(ALL_FEEDS)
    assert ping(cfg) == (0, "")
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)
    hub.pings.clear()
    assert ping(cfg) == (0, "")  # all heard: nothing waits
    assert hub.pings == []
    code, err = ping(cfg, "-v")
    assert (code, err) == (0, "websub: no feed waits to be announced\n")

    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        (SEEDS / f.name).read_text("utf-8").replace('smarter AI"', 'smarter AI!"', 1), "utf-8"
    )
    assert build(cfg, "--no-ping") == (0, "")
    assert hub.pings == []
    code, err = ping(cfg, "-v")
    changed = sorted(f"https://example.com/feeds/azure.{fmt}" for fmt in ("rss", "atom", "json"))
    assert code == 0 and sorted(hub.urls()) == changed
    assert sorted(err.splitlines()) == [f"websub: pinged {hub.url} for {u}" for u in changed]


def test_ping_with_the_hub_down_exits_75_and_the_feeds_wait_for_the_next(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping") == (0, "")
    hub.status = 503
    code, err = ping(cfg)
    assert code == 75
    assert err == (f"feedpub: websub: {len(ALL_FEEDS)} feeds changed by earlier builds still "
                   f"not announced to {hub.url} (HTTP 503 Service Unavailable); the next "
                   "`feedpub ping` tries again\n")  # fmt: skip
    assert sorted(websub.waiting(load_config(cfg))) == sorted(ALL_FEEDS)
    hub.status = 204
    hub.pings.clear()
    assert ping(cfg) == (0, "")
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)
    assert websub.waiting(load_config(cfg)) == []


def test_ping_without_a_hub_is_a_usage_error(write_config) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], FEEDS)
    code, err = ping(cfg)
    assert code == 2 and f"no site.hub in {cfg}: there is no hub to ping" in err
    assert not websub.waiting_file(load_config(cfg)).exists()


def test_every_feed_advertises_hub_and_self(hub: Hub, make_cfg) -> None:  # type: ignore[no-untyped-def]
    folder = make_cfg(hub.url).parent / "feeds"
    assert build(folder.parent / "config.toml")[0] == 0
    for name in ("azure.rss", "azure.atom", "all.rss", "all.atom"):
        links = {
            link.rel: link.href
            for link in feedparser.parse((folder / name).read_bytes()).feed.links
        }
        assert links["hub"] == hub.url, name
        assert links["self"] == f"https://example.com/feeds/{name}", name
    doc = json.loads((folder / "azure.json").read_text("utf-8"))
    assert doc["hubs"] == [{"type": "WebSub", "url": hub.url}]
    assert doc["feed_url"] == "https://example.com/feeds/azure.json"
    # archive pages never change: no hub to subscribe to
    assert b'rel="hub"' not in (folder / "all-archive-1.atom").read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_hub_that_is_down_is_reported_but_never_fails_the_build(
    make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    down = f"http://127.0.0.1:{_free_port()}/"
    cfg = make_cfg(down)
    code, err = build(cfg)
    assert code == 0
    lines = [ln for ln in err.splitlines() if ln]
    assert len(lines) == len(ALL_FEEDS)
    for line in lines:
        assert line.startswith(f"feedpub: websub ping to {down} for https://example.com/feeds/")
        assert "failed: " in line and "refused" in line.lower()
    assert (cfg.parent / "feeds" / "azure.atom").exists()


def test_a_hub_that_hangs_costs_the_budget_and_no_more(
    make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(websub, "BUDGET", 1.0)
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        cfg = make_cfg(f"http://127.0.0.1:{silent.getsockname()[1]}/")
        started = time.monotonic()
        code, err = build(cfg)
        elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed < 6, elapsed  # the build itself plus a 1 s budget
    assert "timed out" in err
    assert err.count("feedpub: websub ping to") == len(ALL_FEEDS)


def test_a_hub_that_answers_a_byte_at_a_time_costs_the_budget_and_no_more(hub: Hub) -> None:
    """Each byte within urllib's timeout, the answer never whole: the ping fails when
    the budget is spent (it ran for ever before: the timeout is a read's)."""
    hub.status, hub.drip = 200, True
    started = time.monotonic()
    results = websub.publish(hub.url, ["https://e.com/a.rss", "https://e.com/b.rss"], budget=1.0)
    assert time.monotonic() - started < 2
    first, second = (r.error or "" for r in results)
    assert first.startswith("timed out: no whole answer within the WebSub budget"), first
    assert second == "no time left in the WebSub budget"


@pytest.mark.parametrize("status", [302, 307])
def test_a_hub_that_redirects_is_a_failed_ping_not_a_ping_sent_elsewhere(
    hub: Hub, status: int
) -> None:
    hub.status = status
    (result,) = websub.publish(hub.url, ["https://e.com/a.rss"], budget=5, backoff=0.01)
    assert (len(hub.pings), hub.gets, result.attempts) == (1, 0, 1)  # no retry, no GET
    assert result.error is not None and result.error.startswith(f"HTTP {status} ")
    assert "a redirect (to '/elsewhere'); set site.hub to where it leads" in result.error


def _stopped_by(signum: int) -> Callable[..., list[websub.PingResult]]:
    """A ``websub.publish`` during which the build gets ``signum`` (Ctrl-C, a timeout's
    SIGTERM)."""

    def stopped(*args: object, **kwargs: object) -> list[websub.PingResult]:
        os.kill(os.getpid(), signum)
        time.sleep(1)  # (the signal arrives before)
        return []

    return stopped


def test_ctrl_c_while_the_hub_is_pinged_is_a_stop_not_a_rejection(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The feeds are written; the exit code is Ctrl-C's (130), not 1 ("articles
    rejected"), with one line that says what was left undone."""

    monkeypatch.setattr(websub, "publish", _stopped_by(signal.SIGINT))
    cfg = make_cfg(hub.url)
    code, err = build(cfg)
    assert (code, err.splitlines()) == (130, [
        "feedpub: stopped by SIGINT: the feeds are written; the hub was not told of every "
        "one that changed: the next build tells it"])  # fmt: skip
    assert (cfg.parent / "feeds" / "azure.rss").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_ping_stopped_by_a_signal_exits_as_the_signal_and_the_feeds_still_wait(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:  # type: ignore[no-untyped-def]
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping") == (0, "")
    monkeypatch.setattr(websub, "publish", _stopped_by(signum))
    code, err = ping(cfg)
    assert (code, err.splitlines()) == (128 + signum, [
        f"feedpub: stopped by {signal.Signals(signum).name}: the feeds the hub has not heard "
        "of wait for the next `feedpub ping`"])  # fmt: skip
    assert sorted(websub.waiting(load_config(cfg))) == sorted(ALL_FEEDS)


def test_ctrl_c_while_the_report_is_said_leaves_the_changed_feeds_to_the_next_build(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C as a build said what it found (a rejected file) stopped it before the hub
    was pinged, and nothing was left for the next build to announce (its feeds were
    written already): the hub never heard of them. Now the next build pings them."""
    (seeds_dir / "broken.txt").write_text("no front matter\n", encoding="utf-8")
    echo = click.echo

    def interrupted(message: object = None, *args: object, **kwargs: object) -> None:
        if "broken.txt" in str(message):
            os.kill(os.getpid(), signal.SIGINT)  # (Python raises it here, in the main thread)
        echo(message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(click, "echo", interrupted)
    cfg = make_cfg(hub.url)
    code, err = build(cfg)
    assert (code, err.splitlines()[-1]) == (130, (
        "feedpub: stopped by SIGINT: its report cut short; the build itself was done, its "
        "files published; the next build tells the hub of the feeds that changed"))  # fmt: skip
    assert hub.pings == []
    monkeypatch.undo()
    assert build(cfg)[0] == 1  # (the rejected file, said again)
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)


def test_a_build_stopped_while_pinging_leaves_the_feeds_for_the_next_build(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A cron job's `timeout` (SIGTERM), Ctrl-C or a kill while the hub is pinged: the
    feeds written are announced by the next build, though it changes nothing (the
    changes were lost to the hub for good: the next build wrote nothing, so pinged
    nothing)."""
    real = websub.publish
    monkeypatch.setattr(websub, "publish", _stopped_by(signal.SIGTERM))
    cfg = make_cfg(hub.url)
    code, err = build(cfg)
    assert code == 143, err
    assert "the next build tells it" in err
    monkeypatch.setattr(websub, "publish", real)
    assert build(cfg) == (0, "")
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)
    hub.pings.clear()
    assert build(cfg) == (0, "")
    assert hub.pings == []


def test_a_build_stopped_while_it_reports_leaves_the_feeds_for_the_next_build(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C while the build says what it rejected (before the hub is pinged): its
    files are published, and the next build, which writes nothing, announces them."""
    (seeds_dir / "broken.txt").write_text("no front matter\n", encoding="utf-8")
    echo = click.echo
    said: list[str] = []

    def interrupted(message: object = None, *args: Any, **kwargs: Any) -> None:
        if not said:
            said.append(str(message))
            os.kill(os.getpid(), signal.SIGINT)
        echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", interrupted)
    cfg = make_cfg(hub.url)
    code, err = build(cfg)
    assert code == 130 and "its report cut short" in err, err
    assert hub.pings == []
    monkeypatch.undo()
    assert build(cfg)[0] == 1  # (broken.txt, said again)
    assert sorted(hub.urls()) == sorted(ALL_FEEDS)


def test_every_feed_is_pinged_once_before_any_is_retried(hub: Hub) -> None:
    """A hub in trouble: each feed has its first ping before the budget goes on
    retries (they came first: with a hub down, only the first few feeds were tried)."""
    hub.status = 503
    urls = [f"https://e.com/{n}.rss" for n in range(8)]
    results = websub.publish(hub.url, urls, budget=5, retries=2, backoff=0.01)
    assert hub.urls()[:8] == urls and hub.urls()[8:16] == urls
    assert [r.attempts for r in results] == [3] * 8
    assert all(r.error == "HTTP 503 Service Unavailable" for r in results)


def test_server_errors_are_retried_refusals_are_not(hub: Hub) -> None:
    hub.status = 503
    results = websub.publish(hub.url, ["https://e.com/a.rss"], budget=5, retries=2, backoff=0.01)
    assert len(hub.pings) == 3 and results[0].attempts == 3
    assert results[0].error == "HTTP 503 Service Unavailable"
    hub.pings.clear()
    hub.status = 400
    results = websub.publish(hub.url, ["https://e.com/a.rss"], budget=5, retries=2, backoff=0.01)
    assert len(hub.pings) == 1 and results[0].error == "HTTP 400 Bad Request"
    hub.pings.clear()
    hub.status = 202
    results = websub.publish(hub.url, ["https://e.com/a.rss", "https://e.com/b.atom"])
    assert [r.error for r in results] == [None, None]
    assert hub.urls() == ["https://e.com/a.rss", "https://e.com/b.atom"]
    assert websub.failures(hub.url, results) == []


def test_a_hub_that_answers_garbage_is_a_failed_ping() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(10)

        def answer() -> None:
            for _ in range(3):  # the ping and its two retries
                conn, _ = listener.accept()
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

        thread = threading.Thread(target=answer)
        thread.start()
        hub = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        results = websub.publish(hub, ["https://e.com/a.rss"], budget=5, backoff=0.01)
        thread.join()
    assert results[0].error and results[0].attempts == 3
    assert websub.failures(hub, results)[0].startswith(f"feedpub: websub ping to {hub} for ")


def test_hub_must_be_https(write_config) -> None:  # type: ignore[no-untyped-def]
    for good in ("https://hub.example.com/", "http://127.0.0.1:8080/", "http://localhost/",
                 "http://[::1]:8080/", "http://127.1.2.3/"):  # fmt: skip
        cfg = write_config(["*.txt"], '[feeds.a]\ntitle = "A"\ntopics = ["x"]\n',
                           extra=f'hub = "{good}"\n')  # fmt: skip
        assert load_config(cfg).hub == good
    for bad in ("http://hub.example.com/", "hub.example.com", "ftp://hub.example.com/",
                # not this machine, whatever they begin with; broken; with a password
                "http://127.evil.example/", "http://127.0.0.1.nip.io/", "https://hub example.com/",
                "https://user:pw@hub.example.com/", "https://hub.example.com:abc/", "https://:443/"):  # fmt: skip
        cfg = write_config(["*.txt"], '[feeds.a]\ntitle = "A"\ntopics = ["x"]\n',
                           extra=f'hub = "{bad}"\n')  # fmt: skip
        with pytest.raises(ConfigError, match=r"site\.hub: must be an absolute https URL"):
            load_config(cfg)


@pytest.mark.parametrize("command", ["ping", "build"])
def test_a_feed_a_build_writes_while_another_command_pings_it_still_waits(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:  # type: ignore[no-untyped-def]
    """A cron run's ``build --no-ping`` (or a build by hand) that writes a feed while
    another run's ``feedpub ping`` (or build) pings the hub for it, before the deploy
    copies the new file: the hub fetched the old one. The feed was taken off the list
    as heard when that ping ended, and the next ``feedpub ping`` announced nothing: the
    change was never announced. It waits for the next ping now."""
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping") == (0, "")
    publish = websub.publish
    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"

    def meanwhile(*args: Any, **kwargs: Any) -> list[websub.PingResult]:
        results = publish(*args, **kwargs)  # (the hub heard: it fetched the old file)
        f.write_text(f.read_text("utf-8").replace('smarter AI"', 'smarter AI!"', 1), "utf-8")
        monkeypatch.setattr(websub, "publish", publish)
        assert build(cfg, "--no-ping") == (0, "")  # another run's, as this one pings
        return results

    monkeypatch.setattr(websub, "publish", meanwhile)
    if command == "ping":
        assert ping(cfg) == (0, "")
    else:
        assert build(cfg, "--feed", "azure")[0] == 0
    hub.pings.clear()
    assert ping(cfg) == (0, "")  # the other run's, after its deploy
    assert sorted(hub.urls()) == sorted(
        f"https://example.com/feeds/azure.{fmt}" for fmt in ("rss", "atom", "json")
    )


class _Wrapped:
    """The waiting file ``f``, open, as websub's ``open`` gives it: what a test does at
    one of its operations is a subclass's."""

    def __init__(self, f: Any) -> None:
        self.f = f

    def __enter__(self) -> _Wrapped:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)


class _SignalledAsEmptied(_Wrapped):
    """The waiting file, open: ``signum`` arrives the moment it is emptied to be written
    again (Ctrl-C, a cron ``timeout``'s SIGTERM, as a ping ends)."""

    def __init__(self, f: Any, signum: int) -> None:
        super().__init__(f)
        self.signum = signum

    def truncate(self, *size: int) -> int:
        n: int = self.f.truncate(*size)
        os.kill(os.getpid(), self.signum)
        return n


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_ping_stopped_as_it_rewrites_the_waiting_list_loses_no_feed(
    hub: Hub, make_cfg, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:  # type: ignore[no-untyped-def]
    """Stopped between emptying the list of feeds waiting and writing it again, a ping
    left it empty: every feed waiting (a hub down for a day: all of them) was never
    announced. The list is written whole first."""
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping") == (0, "")
    hub.status = 503
    monkeypatch.setattr(websub, "BACKOFF", 0.01)
    monkeypatch.setattr(
        websub,
        "open",
        lambda *a: _SignalledAsEmptied(open(*a), signum),  # noqa: SIM115
        raising=False,
    )
    code, _ = ping(cfg)
    monkeypatch.delattr(websub, "open")
    assert code == 128 + signum
    assert sorted(websub.waiting(load_config(cfg))) == sorted(ALL_FEEDS)


class _Killed(BaseException):
    """A SIGKILL (the out-of-memory killer, ``kill -9``): the process ends where it is."""


class _KilledAfter(_Wrapped):
    """A file that ends the process (:class:`_Killed`) once ``step`` is done."""

    def __init__(self, f: Any, step: str) -> None:
        super().__init__(f)
        self.step = step

    def __getattr__(self, name: str) -> Any:
        done = getattr(self.f, name)
        if name != self.step:
            return done

        def then(*args: Any) -> Any:
            done(*args)
            raise _Killed

        return then


def _killed_as_it_settles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> tuple[Config, tuple[str, str, str]]:
    """Three feeds waiting; then the hub heard of the first, and the process was killed
    just after the file operation ``step`` of rewriting the list."""
    config = _hub_config(tmp_path)
    websub.waiting_file(config).parent.mkdir()
    urls = a, b, c = tuple(
        f"https://example.com/feeds/{n}" for n in ("azure.rss", "ai.rss", "all.atom")
    )
    websub.enlist(config, [a, b, c])
    monkeypatch.setattr(
        websub,
        "open",
        lambda *args: _KilledAfter(open(*args), step),  # noqa: SIM115
        raising=False,
    )
    with pytest.raises(_Killed):
        websub.settle(config, [websub.PingResult(a, None)])  # (the hub heard of a)
    monkeypatch.delattr(websub, "open")
    return config, urls


@pytest.mark.parametrize("step", ["write", "flush", "truncate"])
def test_a_kill_as_the_waiting_list_is_rewritten_loses_no_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """A SIGKILL (no handler runs) as a ping or a build rewrites the list of feeds
    waiting: the list was emptied before it was written again, and a kill between left
    it empty, every feed waiting never announced. Each file operation of the rewrite
    leaves the old list or the new one."""
    config, (a, b, c) = _killed_as_it_settles(tmp_path, monkeypatch, step)
    assert websub.waiting(config) in ([a, b, c], [b, c])


@pytest.mark.parametrize("step", ["write", "flush"])
def test_an_earlier_feedpub_reads_what_a_kill_as_the_list_is_rewritten_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """A kill after the new, shorter list is written over the old one, before the file
    is cut: stop 62's feedpub (json.loads) read the old list's tail as "Extra data",
    as no list, and so dropped every feed waiting (its next update wrote only its own)."""
    config, (_, b, c) = _killed_as_it_settles(tmp_path, monkeypatch, step)
    urls = json.loads(websub.waiting_file(config).read_bytes())  # (2dc1a0e's read)
    assert [u for u in urls if " " not in u] == [b, c] == websub.waiting(config)


@pytest.mark.parametrize("renamed", [True, False])
def test_a_build_stopped_as_it_renames_its_feeds_leaves_none_unannounced(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, renamed: bool
) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM (a cron job's ``timeout``) or a kill as a build renames its feeds into
    place: a feed renamed waits for the hub (the next build finds it unchanged, writes it
    no more: it was never announced); SIGTERM waits until every rename is done; one not
    renamed does not wait (it did not change; the next build writes it, and so lists it)."""
    cfg = make_cfg(hub.url)
    assert build(cfg, "--no-ping") == (0, "")
    assert ping(cfg) == (0, "")
    hub.pings.clear()
    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        (SEEDS / f.name).read_text("utf-8").replace('smarter AI"', 'smarter AI!"', 1), "utf-8"
    )
    real = os.replace

    def replace(src: Any, dst: Any) -> None:  # (the signal waits for the rename)
        real(src, dst)
        if Path(dst).name.startswith("azure."):
            os.kill(os.getpid(), signal.SIGTERM)

    def commit(self: output.Stage, hold: Any = ()) -> dict[str, str]:
        os.kill(os.getpid(), signal.SIGTERM)  # (before the renames: none published)
        raise AssertionError("not stopped")

    if renamed:
        monkeypatch.setattr(os, "replace", replace)
    else:
        monkeypatch.setattr(output.Stage, "commit", commit)
    code, err = build(cfg, "--no-ping")
    assert code == 143, err
    monkeypatch.undo()
    waits = websub.waiting(load_config(cfg))
    assert len(waits) == (3 if renamed else 0), waits  # (azure's rss, atom and json)
    assert build(cfg, "--no-ping") == (0, "")
    assert ping(cfg) == (0, "")
    assert sorted(hub.urls()) == sorted(
        f"https://example.com/feeds/azure.{fmt}" for fmt in ("rss", "atom", "json")
    )


class _SignalledOnce(_SignalledAsEmptied):
    """:class:`_SignalledAsEmptied`, the first time the waiting file is cut only."""

    sent = False

    def truncate(self, *size: int) -> int:
        if _SignalledOnce.sent:
            n: int = self.f.truncate(*size)
            return n
        _SignalledOnce.sent = True
        return super().truncate(*size)


def _built_then_stopped(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, wrap: type[_SignalledAsEmptied]
) -> Path:
    """``cfg`` built and its feeds announced; then an Azure article edited, and a build
    ``--no-ping`` whose file operations on the waiting list go through ``wrap`` (sending
    SIGTERM): stopped, exit 143."""
    assert build(cfg, "--no-ping") == (0, "")
    assert ping(cfg) == (0, "")
    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        (SEEDS / f.name).read_text("utf-8").replace('smarter AI"', 'smarter AI!"', 1), "utf-8"
    )
    monkeypatch.setattr(
        websub,
        "open",
        lambda *a: wrap(open(*a), signal.SIGTERM),  # noqa: SIM115
        raising=False,
    )
    code, _ = build(cfg, "--no-ping")
    monkeypatch.delattr(websub, "open")
    assert code == 143
    return cfg


def test_a_build_stopped_as_it_lists_its_feeds_for_the_hub_leaves_none_listed(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM as a build lists the feeds it is to rename (held until the list is
    written, then raised): the build stopped before its first rename, and yet the feeds
    it had listed were left waiting, though none changed (withdraw was never told)."""
    monkeypatch.setattr(_SignalledOnce, "sent", False)
    cfg = _built_then_stopped(make_cfg(hub.url), seeds_dir, monkeypatch, _SignalledOnce)
    assert websub.waiting(load_config(cfg)) == []


def test_a_second_stop_as_a_stopped_build_takes_its_feeds_off_the_list_still_closes_the_cache(
    hub: Hub, make_cfg, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM again (a second Ctrl-C, systemd after a cron ``timeout``) as a stopped
    build takes the feeds it did not rename off the list for the hub: raised there, it
    skipped what the build does last, its cache neither written nor closed."""
    cfg = _built_then_stopped(make_cfg(hub.url), seeds_dir, monkeypatch, _SignalledAsEmptied)
    assert websub.waiting(load_config(cfg)) == []


def test_a_waiting_list_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    """An editor (Notepad) saves the list it was given with a BOM: the feeds in it are
    read, not every feed taken as waiting with the list said to be damaged."""
    config = _hub_config(tmp_path)
    a = "https://example.com/feeds/azure.rss"
    websub.waiting_file(config).parent.mkdir()
    websub.waiting_file(config).write_bytes(b"\xef\xbb\xbf" + json.dumps([a]).encode())
    assert websub.unreadable(config) is None
    assert websub.waiting(config) == [a]


def test_a_waiting_list_that_is_a_fifo_is_not_waited_on(tmp_path: Path) -> None:
    """A waiting list that is a FIFO (or a symlink to /dev/zero) was read to its end:
    build and ping hung (or a MemoryError traceback); it is taken as a folder is, as no
    list, not read. (The writer's end is closed after 5 s only so that the code before
    the fix reads the FIFO's bytes and fails, not hangs.)"""
    config = _hub_config(tmp_path)
    path = websub.waiting_file(config)
    path.parent.mkdir()
    os.mkfifo(path)
    writer = os.open(path, os.O_RDWR | os.O_NONBLOCK)  # (opening the FIFO waits for none)
    os.write(writer, json.dumps(["https://example.com/feeds/azure.rss"]).encode())
    closed: list[bool] = []

    def close() -> None:
        os.close(writer)
        closed.append(True)

    closer = threading.Timer(5, close)
    closer.start()
    try:
        assert websub.waiting(config) == []
        websub.mend(config)  # (said: see test_a_waiting_list_that_is_no_file_is_said)
        websub.enlist(config, ["https://example.com/feeds/ai.rss"])  # (not written)
    finally:
        closer.cancel()
        closer.join()
        if not closed:
            os.close(writer)
    assert path.is_fifo()


@pytest.mark.parametrize("kind", ["folder", "FIFO", "device"])
def test_a_waiting_list_that_is_no_file_is_said(hub: Hub, make_cfg, kind: str) -> None:  # type: ignore[no-untyped-def]
    """A waiting list that is a folder, a FIFO or a device (a symlink to /dev/zero) was
    taken as none without a word: the feeds of ``build --no-ping``, or whose ping
    failed, could wait in it for no later ping, and nobody was told. Each command says
    so once, naming the file; nothing is read from it (no hang), nothing written."""
    cfg = make_cfg(hub.url)
    assert build(cfg) == (0, "")
    waiting = websub.waiting_file(load_config(cfg))
    waiting.unlink()
    if kind == "folder":
        waiting.mkdir()
    elif kind == "FIFO":
        os.mkfifo(waiting)  # (no writer: a read of it would wait for ever)
    else:
        waiting.symlink_to("/dev/zero")
    said = (f"feedpub: {waiting}: the list of feeds waiting for the hub cannot be read "
            f"(a {kind}, not a file): no feed can wait in it, so none whose ping fails, or "
            "that `build --no-ping` wrote, is announced later; remove it, and the next "
            "build starts the list afresh\n")  # fmt: skip
    hub.pings.clear()
    assert build(cfg, "--no-ping") == (0, said)
    assert ping(cfg) == (0, said) and hub.pings == []
    assert os.path.lexists(waiting) and not waiting.is_file()  # (left as it is)
    if kind == "folder":
        waiting.rmdir()
    else:
        waiting.unlink()
    assert ping(cfg) == (0, "")


def test_a_waiting_list_that_is_a_symlink_to_a_folder_not_there_is_said(  # type: ignore[no-untyped-def]
    hub: Hub, make_cfg, tmp_path: Path
) -> None:
    """A waiting list that is a symlink to a file in a folder not there (moved, an
    unmounted disk): taken as none, and nothing could be written there, so the feeds of
    ``build --no-ping`` waited nowhere, without a word. Said, as for a folder; a symlink
    to a file that can be made there is the list, made at the first write."""
    cfg = make_cfg(hub.url)
    assert build(cfg) == (0, "")
    waiting = websub.waiting_file(load_config(cfg))
    waiting.unlink()
    waiting.symlink_to(tmp_path / "gone" / "list")
    said = (f"feedpub: {waiting}: the list of feeds waiting for the hub cannot be read "
            f"(a symbolic link to {tmp_path}/gone/list, whose folder is not there): no feed "
            "can wait in it, so none whose ping fails, or that `build --no-ping` wrote, is "
            "announced later; remove it, and the next build starts the list afresh\n")  # fmt: skip
    assert build(cfg, "--no-ping") == (0, said)
    (tmp_path / "gone").mkdir()
    assert build(cfg, "--no-ping") == (0, "")
    websub.enlist(load_config(cfg), ["https://example.com/feeds/azure.rss"])
    assert (tmp_path / "gone" / "list").is_file()  # (made through the link)


def test_serve_watch_says_a_waiting_list_that_is_no_file_once(make_cfg) -> None:  # type: ignore[no-untyped-def]
    """serve --watch says a waiting list that is a folder at its first rebuild, not at
    every rebuild (it stays one); once it is gone, and the list damaged, that is said."""
    from feedpub.serve import Watcher

    cfg = make_cfg("http://127.0.0.1:9/")
    assert build(cfg, "--no-ping")[0] == 0
    waiting = websub.waiting_file(load_config(cfg))
    waiting.unlink()
    waiting.mkdir()
    warned: list[str] = []
    watcher = Watcher(cfg, lambda: datetime.fromisoformat(NOW), lambda *_: None, warned.append)
    assert watcher.rebuild() and watcher.rebuild()
    assert [w.split(" (")[0] for w in warned] == [
        f"feedpub: {waiting}: the list of feeds waiting for the hub cannot be read"
    ] and "(a folder, not a file)" in warned[0]
    waiting.rmdir()
    waiting.write_bytes(b"\x00junk")
    assert watcher.rebuild() and watcher.rebuild()
    assert len(warned) == 2 and "(not JSON)" in warned[1]


def test_serve_watch_says_a_damaged_waiting_list_once(make_cfg) -> None:  # type: ignore[no-untyped-def]
    """serve --watch's rebuilds took every feed as waiting without a word (its build
    enlists what it writes): the list is said once, as a build says it."""
    from feedpub.serve import Watcher

    cfg = make_cfg("http://127.0.0.1:9/")
    assert build(cfg, "--no-ping")[0] == 0
    waiting = websub.waiting_file(load_config(cfg))
    waiting.write_bytes(b"\x00junk")
    warned: list[str] = []
    watcher = Watcher(cfg, lambda: datetime.fromisoformat(NOW), lambda *_: None, warned.append)
    assert watcher.rebuild() and watcher.rebuild()
    assert [w.split(": the list")[0] for w in warned] == [f"feedpub: {waiting}"]
    assert sorted(websub.waiting(load_config(cfg))) == sorted(ALL_FEEDS)
