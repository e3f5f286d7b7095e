"""The selection kept between builds (feedpub.kept): brought up to date from the
changed files alone, it is what selecting from every file gives, or the build selects
from every file. Checked on random sites and changes, and on real builds after every
kind of change a site sees, against a build that reads everything."""

from __future__ import annotations

import os
import random
import re
import shutil
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import articles as loading
from feedpub import formats, kept, sources
from feedpub.build import BuildResult, build
from feedpub.config import FeedConfig, load_config, topic_key
from feedpub.errors import ArticleError, UnreadableError
from feedpub.incremental import open_cache
from feedpub.model import Summary
from feedpub.select import Hidden, pick, select_feeds, visible
from feedpub.sources import Found, Stamps

from .conftest import OLD_MTIME_NS
from .test_build import when

NOW = datetime(2024, 6, 1, tzinfo=UTC)
TOPICS = ["Azure", "AI", "Space", "Économie"]

# ---------------------------------------------------------------- on random sites


def _feed(slug: str, topics: tuple[str, ...], limit: int, quality: float | None,
          archive: bool) -> FeedConfig:  # fmt: skip
    keys = None if "*" in topics else frozenset(topic_key(t) for t in topics)
    return FeedConfig(slug, slug, "", topics, keys, limit, quality, ("rss",), archive)


feeds = st.lists(
    st.tuples(
        st.one_of(
            st.just(("*",)), st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2).map(tuple)
        ),
        st.integers(1, 6),
        st.one_of(st.none(), st.integers(0, 100).map(float)),
        st.sampled_from([False, False, False, True]),
    ),
    min_size=1,
    max_size=5,
).map(lambda specs: [_feed(f"f{i}", *spec) for i, spec in enumerate(specs)])

#: what an article file may hold: its URL (now and then one another has), date (some
#: after NOW), whether it is published, its topics and quality
articles = st.tuples(
    st.one_of(st.integers(0, 10), st.integers(11, 10**6)),
    st.integers(-60 * 24, 6),
    st.sampled_from([True, True, True, False]),
    st.lists(st.sampled_from([*TOPICS, "azure"]), max_size=2).map(tuple),
    st.one_of(st.none(), st.integers(0, 120).map(float)),
)


def _summary(path: str, spec: tuple[int, int, bool, tuple[str, ...], float | None]) -> Summary:
    url, hours, published, topics, quality = spec
    when = NOW + timedelta(hours=hours)
    return Summary(path, f"https://example.com/{url}", published, when, topics, quality,
                   f"{path}-{spec}")  # fmt: skip


#: A change: ("edit", i, article), ("remove", i, None), ("add", -, article)
changes = st.lists(
    st.tuples(st.sampled_from(["edit", "edit", "remove", "add"]), st.integers(0, 10**6), articles),
    max_size=4,
)


def _holders(pool: dict[str, Summary]) -> Any:
    return lambda urls: {p for p, s in pool.items() if s.url in urls}


def _kept(
    config: Any, pool: dict[str, Summary], now: datetime, spare: int = kept.SPARE
) -> kept.Kept:
    """What a build at ``now`` keeps, with the files of ``pool`` (stamps left empty)."""
    hidden: list[Hidden] = []
    summaries = list(pool.values())
    picked = select_feeds(config, summaries, now, hidden=hidden, spare=spare)
    upcoming = min((s.published_at for s in summaries if s.published and s.published_at > now),
                   default=None)  # fmt: skip
    stamps = Stamps("", array("q"), array("q"))
    windows = kept.windows(config.feeds, picked, spare)
    return kept.Kept("setup", now, upcoming, stamps, windows, [], hidden)


@settings(max_examples=400, deadline=None)
@given(
    feeds,
    st.lists(articles, max_size=40),
    st.lists(st.tuples(changes, st.integers(0, 3)), min_size=1, max_size=3),
    st.integers(0, 3),
)
def test_windows_brought_up_to_date_are_what_selecting_from_every_file_gives(
    many: list[FeedConfig], specs: list[Any], rounds: list[Any], spare: int
) -> None:
    """For any site, and builds one after another, each after some changes and at a
    later ``now``: when :func:`kept.update` answers, each feed's items are the ones
    selecting from every article gives, and each window is the start of the feed's
    matches (all of them when it says it is complete). When it does not, the build
    selects from every file and keeps that. The kept selection goes through the
    cache's form each time."""
    config = SimpleNamespace(feeds=many)
    pool = {f"a/{i:03}.txt": _summary(f"a/{i:03}.txt", s) for i, s in enumerate(specs)}
    now = NOW
    last = _kept(config, pool, now, spare)
    stored: dict[str, str | bytes] = {}  # the cache's parts
    before = None
    for edits, hours in rounds:
        _store(stored, kept.dump(last, before))
        before = kept.load(stored)
        assert before is not None
        after = dict(pool)
        touched: set[str] = set()
        for what, k, spec in edits:
            paths = sorted(after)
            path = f"a/new{k}.txt" if what == "add" or not paths else paths[k % len(paths)]
            touched.add(path)
            if what == "remove":
                after.pop(path, None)
            else:
                after[path] = _summary(path, spec)
        since = kept.Changed(Found([], [], []), [p for p in touched if p not in after],
                             frozenset(touched))  # fmt: skip
        now += timedelta(hours=hours)
        new = [after[p] for p in sorted(touched) if p in after]
        windows = kept.update(before, many, since, new, now, _holders(pool), spare)
        pool = after
        if windows is None:
            last = _kept(config, pool, now, spare)
            continue
        assert kept.shown(many, windows) == select_feeds(config, list(pool.values()), now)
        ordered = visible(list(pool.values()), now)
        for f in many:
            matching = pick(ordered, f.topic_keys, f.min_quality, 10**6)
            w = windows[f.slug]
            assert w.articles == matching[: len(w.articles)]
            if w.complete:
                assert w.articles == matching
        upcoming = kept.upcoming(before, new, now)
        last = before._replace(now=now, upcoming=upcoming, windows=windows)


def _store(stored: dict[str, str | bytes], parts: Any) -> None:
    """What the cache does with a kept selection's parts (see Cache.commit)."""
    stored.update(parts.write)
    for name in [n for n in stored if n not in parts.names]:
        del stored[name]


def test_an_edit_that_leaves_an_article_in_place_is_brought_up_to_date() -> None:
    """Not every answer is "select from every file": an edited title, a new article,
    one removed from a full feed are all told from the windows alone."""
    many = [_feed("all", ("*",), 3, None, False), _feed("az", ("Azure",), 2, None, True)]
    config = SimpleNamespace(feeds=many)
    pool = {f"a/{i}.txt": _summary(f"a/{i}.txt", (i, -i, True, ("Azure",), None))
            for i in range(8)}  # fmt: skip
    before = _kept(config, pool, NOW)
    for touched, after in [
        ({"a/0.txt"}, {**pool, "a/0.txt": pool["a/0.txt"]._replace(digest="edited")}),
        ({"a/9.txt"}, {**pool, "a/9.txt": _summary("a/9.txt", (9, 1, False, ("AI",), None))}),
        ({"a/1.txt"}, {p: s for p, s in pool.items() if p != "a/1.txt"}),
    ]:
        since = kept.Changed(Found([], [], []), [p for p in touched if p not in after],
                             frozenset(touched))  # fmt: skip
        new = [after[p] for p in touched if p in after]
        windows = kept.update(before, many, since, new, NOW, _holders(pool))
        assert windows is not None
        assert kept.shown(many, windows) == select_feeds(config, list(after.values()), NOW)


def test_what_cannot_be_told_from_the_windows_is_selected_from_every_file() -> None:
    """None (select from every file): an article published since, a URL a changed file
    shares with another, a hidden copy changed, more items gone than spares."""
    many = [_feed("all", ("*",), 2, None, False)]
    config = SimpleNamespace(feeds=many)
    pool = {f"a/{i:02}.txt": _summary(f"a/{i:02}.txt", (i, -i, True, ("AI",), None))
            for i in range(20)}  # fmt: skip
    pool["a/future.txt"] = _summary("a/future.txt", (99, 5, True, (), None))
    before = _kept(config, pool, NOW)

    def update(touched: set[str], after: dict[str, Summary], now: datetime = NOW) -> Any:
        since = kept.Changed(Found([], [], []), [p for p in touched if p not in after],
                             frozenset(touched))  # fmt: skip
        new = [after[p] for p in touched if p in after]
        return kept.update(before, many, since, new, now, _holders(pool))

    edited = {**pool, "a/00.txt": pool["a/00.txt"]._replace(digest="x")}
    assert update({"a/00.txt"}, edited) is not None
    assert update({"a/00.txt"}, edited, NOW + timedelta(hours=5)) is None  # future.txt is out
    assert update({"a/00.txt"}, edited, NOW - timedelta(seconds=1)) is None  # time went back
    shared = {**pool, "a/00.txt": pool["a/00.txt"]._replace(url=pool["a/05.txt"].url)}
    assert update({"a/00.txt"}, shared) is None
    two = {**pool, "a/x.txt": pool["a/00.txt"]._replace(path="a/x.txt", url="https://x/"),
           "a/y.txt": pool["a/00.txt"]._replace(path="a/y.txt", url="https://x/")}  # fmt: skip
    assert update({"a/x.txt", "a/y.txt"}, two) is None
    gone = [f"a/{i:02}.txt" for i in range(kept.SPARE + 1)]
    assert update(set(gone), {p: s for p, s in pool.items() if p not in gone}) is None
    # a changed copy that another hid, or that hid another
    hiding = _kept(config, {**pool, "a/dup.txt": pool["a/03.txt"]._replace(path="a/dup.txt")}, NOW)
    assert hiding.hidden
    since = kept.Changed(Found([], [], []), [], frozenset({"a/dup.txt"}))
    dup = pool["a/03.txt"]._replace(path="a/dup.txt", digest="y")
    assert kept.update(hiding, many, since, [dup], NOW, lambda urls: set()) is None


def test_the_cache_form_keeps_every_field_and_any_name() -> None:
    odd = "a/caf\udce9.txt"  # a name that is not UTF-8, as the file system gave it
    s = Summary(odd, "https://example.com/é", True, NOW, ("Économie", "AI"), 1.5, "d1")
    stamps = Stamps(f"{odd}\0b.txt\0", array("q", [1, 2]), array("q", [3, 4]))
    k = kept.Kept("setup", NOW, NOW + timedelta(days=1), stamps,
                  {"f": kept.Window([s], False), "g": kept.Window([], True)},
                  [ArticleError("b.txt", 3, "bad")], [Hidden("x", "y", "https://u/", True)])  # fmt: skip
    parts = kept.dump(k).write
    assert set(parts) == {"selection", "paths", "sizes", "mtimes", "feed:f", "feed:g"}
    back = kept.load(parts)
    assert back is not None
    assert back._replace(errors=[]) == k._replace(errors=[])
    assert [(e.path, e.line, e.message) for e in back.errors] == [("b.txt", 3, "bad")]
    # damaged, or a part missing: not used
    assert kept.load({**parts, "sizes": parts["sizes"][:-1]}) is None
    assert kept.load({**parts, "selection": parts["selection"][:-1]}) is None
    assert kept.load({**parts, "feed:f": parts["feed:f"][:-1]}) is None
    assert kept.load({**parts, "paths": "not bytes"}) is None
    assert kept.load({n: v for n, v in parts.items() if n != "feed:g"}) is None
    assert kept.load(None) is None


def test_a_build_writes_again_only_the_parts_that_changed() -> None:
    """Given the selection it loaded, a build writes again the windows that are not
    that selection's own and the paths when they changed; the parts of feeds gone are
    named no more (the cache removes them)."""
    stamps = Stamps("a.txt\0", array("q", [1]), array("q", [3]))
    s = Summary("a.txt", "https://example.com/a", True, NOW, ("AI",), None, "d1")
    windows = {"f": kept.Window([s], True), "g": kept.Window([], True), "h": kept.Window([], True)}
    k = kept.Kept("setup", NOW, None, stamps, windows, [], [])
    stored: dict[str, str | bytes] = {}
    _store(stored, kept.dump(k))
    loaded = kept.load(stored)
    assert loaded is not None
    later = loaded._replace(
        stamps=loaded.stamps._replace(sizes=array("q", [2])),
        windows={"f": loaded.windows["f"], "g": kept.Window([s], True)},
    )
    parts = kept.dump(later, loaded)
    assert set(parts.write) == {"selection", "sizes", "mtimes", "feed:g"}
    _store(stored, parts)
    assert "feed:h" not in stored
    again = kept.load(stored)
    assert again is not None and again.windows == later.windows and list(again.stamps.sizes) == [2]
    moved = later._replace(stamps=Stamps("b.txt\0", array("q", [1]), array("q", [3])))
    assert "paths" in kept.dump(moved, again).write


# ---------------------------------------------------------------- the listing


def _found(files: dict[str, tuple[int, int]]) -> Found:
    names = sorted(files)
    return Found([("c/", "/r/c/", names, [files[n][0] for n in names],
                   [files[n][1] for n in names])], [], [])  # fmt: skip


def test_changed_names_the_files_new_gone_edited_or_too_recent() -> None:
    many = {f"{i:05}.txt": (100 + i, 10**9 + i) for i in range(9000)}
    stamps = _found(many).stamps()
    assert stamps is not None
    last = kept.Kept("s", NOW, None, stamps, {}, [], [])
    racy = 2 * 10**9
    same = kept.changed(last, _found(many), racy)
    assert same is not None and same.paths == frozenset() and same.found.count() == 0
    edited = {**many, "04500.txt": (1, 10**9 + 4500), "08999.txt": (100 + 8999, 7)}
    got = kept.changed(last, _found(edited), racy)
    assert got is not None
    assert got.paths == {"c/04500.txt", "c/08999.txt"} and got.gone == []
    assert [(s.path, s.abspath, s.size, s.mtime_ns) for s in got.found.sources] == [
        ("c/04500.txt", "/r/c/04500.txt", 1, 10**9 + 4500),
        ("c/08999.txt", "/r/c/08999.txt", 100 + 8999, 7),
    ]
    moved = {k: v for k, v in many.items() if k != "00007.txt"} | {"new.txt": (5, 5)}
    got = kept.changed(last, _found(moved), racy)
    assert got is not None
    assert got.gone == ["c/00007.txt"] and got.paths == {"c/00007.txt", "c/new.txt"}
    # a file modified after the racy moment is looked at, unchanged as it seems
    got = kept.changed(last, _found(many), 10**9 + 8000)
    assert got is not None and len(got.paths) == 1000
    too_many = {k: (v[0] + 1, v[1]) for k, v in many.items()}
    assert kept.changed(last, _found(too_many), racy) is None


def test_changed_finds_its_files_in_every_folder_of_a_nested_listing() -> None:
    """In a listing of several folders (``content/**/*.txt``), each changed file is
    named with its own folder, and its place is found across the folders."""

    def listing(folders: dict[str, dict[str, tuple[int, int]]]) -> Found:
        return Found([(f"c/{d}/", f"/r/c/{d}/", sorted(files), [files[n][0] for n in sorted(files)],
                       [files[n][1] for n in sorted(files)]) for d, files in folders.items()],
                     [], [])  # fmt: skip

    folders = {d: {f"{i:03}.txt": (10 + i, 10**9 + i) for i in range(300)} for d in "abc"}
    stamps = listing(folders).stamps()
    assert stamps is not None
    last = kept.Kept("s", NOW, None, stamps, {}, [], [])
    edited = {d: dict(files) for d, files in folders.items()}
    edited["b"]["150.txt"] = (1, 2)
    edited["c"]["299.txt"] = (3, 4)
    got = kept.changed(last, listing(edited), 2 * 10**9)
    assert got is not None and got.gone == []
    assert [(s.path, s.abspath, s.size, s.mtime_ns) for s in got.found.sources] == [
        ("c/b/150.txt", "/r/c/b/150.txt", 1, 2),
        ("c/c/299.txt", "/r/c/c/299.txt", 3, 4),
    ]
    del edited["a"]["000.txt"]
    edited["c"]["new.txt"] = (5, 6)
    got = kept.changed(last, listing(edited), 2 * 10**9)
    assert got is not None
    assert got.gone == ["c/a/000.txt"]
    assert [s.abspath for s in got.found.sources] == [
        "/r/c/b/150.txt", "/r/c/c/299.txt", "/r/c/c/new.txt"]  # fmt: skip


# ---------------------------------------------------------------- real builds

ARTICLE = """---
title: "{title}"
excerpt: "About {title}."
publishedDateTime: {when}
webUrl: "{url}"
type: article
quality: 50
published: {published}

topics:
{topics}
---
"""


def _write(content: Path, name: str, rng: random.Random, **fields: Any) -> None:
    values = {
        "title": f"Story {rng.randrange(10**6)}",
        "when": (NOW - timedelta(hours=rng.randrange(24 * 60))).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"https://news.example/{name}",
        "published": "true" if rng.random() < 0.8 else "false",
        "topics": rng.sample(TOPICS, rng.randrange(1, 3)),
    }
    values.update(fields)
    values["topics"] = "\n".join(f"  - {t}" for t in values["topics"])
    (content / name).write_text(ARTICLE.format(**values), encoding="utf-8")


FEEDS = """
[feeds.all]
title = "Everything"
topics = ["*"]
max_items = 6

[feeds.azure]
title = "Azure"
topics = ["Azure"]
max_items = 4

[feeds.space]
title = "Space"
topics = ["space"]
max_items = 3
formats = ["rss", "atom", "json"]

[feeds.ai]
title = "AI"
topics = ["AI"]
max_items = 2
archive = true
"""


def _answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of :func:`kept.update` answered (a spy on the module's function)."""
    answers: list[bool] = []
    update = kept.update

    def spy(*args: Any, **kwargs: Any) -> Any:
        windows = update(*args, **kwargs)
        answers.append(windows is not None)
        return windows

    monkeypatch.setattr(kept, "update", spy)
    return answers


def _same_as_full(cfg: Path, content: Path, copy: Path, now: datetime) -> BuildResult:
    """Check that the feeds of ``cfg`` are what a ``--full`` build of a copy of it (made
    in ``copy``, then removed) writes; that build's result."""
    shutil.copytree(content, copy / "content")
    shutil.copy(cfg, copy / "config.toml")
    full = build(load_config(copy / "config.toml"), now, full=True)
    assert full.failed == []
    assert _tree(load_config(cfg).output) == _tree(copy / "feeds")
    shutil.rmtree(copy)
    return full


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_after_every_kind_of_change_a_build_writes_what_one_reading_every_file_writes(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty builds, each after a random change of the kinds a site sees (an edit, a file
    added, removed or renamed, one unpublished or published, given other topics or a
    later date, a date to come, a URL another has, a broken file, many files at once).
    Each writes the bytes a ``--full`` build of a copy writes; most were told from the
    kept windows, and the ones that were not still were right."""
    content = tmp_path / "content"
    content.mkdir()
    rng = random.Random(16)
    for i in range(60):
        _write(content, f"{i:03}.txt", rng)
        os.utime(content / f"{i:03}.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    cfg = write_config(["content/*.txt"], FEEDS)
    config = load_config(cfg)
    answers = _answers(monkeypatch)
    now = NOW
    assert build(config, now).failed == []
    for step in range(40):
        names = sorted(p.name for p in content.iterdir())
        name = rng.choice(names)
        kind = rng.choice(["title", "title", "add", "remove", "rename", "publish", "topics",
                           "later", "future", "shared", "broken", "many"])  # fmt: skip
        if kind == "title":
            _write(content, name, rng, url=f"https://news.example/{name}")
        elif kind == "add":
            _write(content, f"n{step}.txt", rng, published="true",
                   when=(now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))  # fmt: skip
        elif kind == "remove":
            (content / name).unlink()
        elif kind == "rename":
            (content / name).rename(content / f"r{step}.txt")
        elif kind == "publish":
            text = (content / name).read_text(encoding="utf-8")
            flipped = text.replace("published: true", "published: x").replace(
                "published: false", "published: true").replace("published: x", "published: false")  # fmt: skip
            (content / name).write_text(flipped, encoding="utf-8")
        elif kind == "topics":
            _write(content, name, rng, url=f"https://news.example/{name}", topics=["Space"])
        elif kind == "later":
            _write(content, name, rng, url=f"https://news.example/{name}",
                   when=now.strftime("%Y-%m-%dT%H:%M:%SZ"))  # fmt: skip
        elif kind == "future":
            _write(
                content,
                name,
                rng,
                when=(now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        elif kind == "shared":
            _write(content, name, rng, url=f"https://news.example/{rng.choice(names)}")
        elif kind == "broken":
            (content / name).write_text("---\ntitle: [unclosed\n", encoding="utf-8")
        else:
            for other in rng.sample(names, 12):
                (content / other).unlink(missing_ok=True)
        if step % 4:  # settled, as an editor's save long before the build; else as new
            for k, p in enumerate(sorted(content.iterdir())):
                if p.stat().st_mtime_ns > OLD_MTIME_NS + 10**15:  # (written now)
                    os.utime(p, ns=(OLD_MTIME_NS + 10**9 * (100 * step + k),) * 2)
        now += timedelta(minutes=rng.choice([0, 1, 20]))
        result = build(config, now)
        assert result.failed == [], (step, kind)
        full = _same_as_full(cfg, content, tmp_path / f"copy{step}", now)
        assert [str(e) for e in result.gathered.errors] == [str(e) for e in full.gathered.errors]
        assert result.hidden == full.hidden, (step, kind)
    assert answers.count(True) >= 25, answers
    assert answers.count(False) >= 3, answers


def _site(write_config: Any, tmp_path: Path, n: int = 20) -> tuple[Path, Path]:
    """A site of ``n`` settled articles with FEEDS; its config and content folder."""
    content = tmp_path / "content"
    content.mkdir()
    rng = random.Random(7)
    for i in range(n):
        _write(content, f"{i:03}.txt", rng, published="true")
        os.utime(content / f"{i:03}.txt", ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return write_config(["content/*.txt"], FEEDS), content


def _edit(path: Path, step: int) -> None:
    path.write_bytes(path.read_bytes().replace(b'title: "', b'title: "Edited ', 1))
    os.utime(path, ns=(OLD_MTIME_NS + step * 10**9,) * 2)


def _kept_now(config: Any) -> kept.Kept | None:
    cache = open_cache(config, readonly=True)
    try:
        return kept.load(cache.kept())
    finally:
        cache.close()


def test_a_build_that_is_not_complete_keeps_no_selection(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with a feed kept for the next build (an article changed while it ran),
    or with a feed that failed, keeps no selection: the next build selects from every
    file (and is right), then keeps one again."""
    cfg, content = _site(write_config, tmp_path)
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    assert _kept_now(config) is not None
    # an article the "all" feed shows (its link names its file)
    shown = re.search(
        rb"https://news\.example/([0-9]+\.txt)", (config.output / "all.rss").read_bytes()
    )
    assert shown is not None
    newest = content / shown.group(1).decode()
    _edit(content / "000.txt", 1)

    def change_again() -> None:  # once summarised, before the shown articles are parsed
        for p in content.iterdir():
            _edit(p, 2)

    deferred = build(config, NOW, observe=when("parse", change_again)).deferred
    assert deferred
    assert _kept_now(config) is None
    answers = _answers(monkeypatch)
    assert build(config, NOW).outcomes and answers == []  # from every file
    assert _kept_now(config) is not None
    _same_as_full(cfg, content, tmp_path / "full", NOW)
    # a feed that fails: the same
    _edit(newest, 3)
    real = formats.assemble

    def broken(config, feed, entries, fmts, doc):  # type: ignore[no-untyped-def]
        data: dict[str, bytes] = real(config, feed, entries, fmts, doc)
        return {fmt: b.replace(b"https://news.example/", b"/") for fmt, b in data.items()}

    monkeypatch.setattr(formats, "assemble", broken)
    assert build(config, NOW).failed
    assert answers == [True] and _kept_now(config) is None


def test_a_name_that_is_not_utf8_is_looked_at_alone_when_it_changes(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose name is not UTF-8 (kept in the cache as its bytes): edited, it is the
    one file looked at, and the feeds are what a full build writes."""
    cfg, content = _site(write_config, tmp_path)
    odd = os.fsdecode(bytes(content) + b"/caf\xe9.txt")
    os.rename(content / "005.txt", odd)  # the newest article: every feed of its topics shows it
    when = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    Path(odd).write_bytes(
        re.sub(
            rb"publishedDateTime: \S+",
            b"publishedDateTime: " + when.encode(),
            Path(odd).read_bytes(),
        )
    )
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    seen: list[list[str]] = []
    _edit(Path(odd), 1)
    result = build(
        config, NOW, observe=lambda stage, paths: seen.append(paths) if stage == "read" else None
    )
    assert result.failed == [] and seen == [["content/caf\udce9.txt"]]
    assert b"Edited" in (config.output / "all.rss").read_bytes()
    _same_as_full(cfg, content, tmp_path / "full", NOW)


#: The feeds of FEEDS that are in RSS and Atom alone, without archive pages.
PLAIN_FEEDS = FEEDS.split("[feeds.space]")[0]


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the article files each build parses whole (a spy on
    :func:`feedpub.articles.load_article`)."""
    paths: list[str] = []
    real = loading.load_article

    def spy(path: str, *args: Any) -> Any:
        paths.append(path)
        return real(path, *args)

    monkeypatch.setattr(loading, "load_article", spy)
    return paths


def test_the_articles_a_feed_shows_again_are_taken_from_the_feed_written_before(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When one article changes, its feeds are written again, but only it is parsed: the
    other articles' entries are taken out of the feeds the last build wrote (their files
    still read and hashed, the entries checked again), and the bytes are those of a
    build that reads every file. An entry taken out of a feed edited behind the cache's
    back (its size and mtime put back) that no longer passes the checks, and the
    entries of a feed whose file is not as it was written, are not taken: their
    articles are parsed again."""
    cfg, content = _site(write_config, tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").split("[feeds.")[0] + PLAIN_FEEDS)
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    parsed = _parsed(monkeypatch)
    newest = content / _shown(config, "all")[0].decode()
    _edit(newest, 1)
    assert build(config, NOW).failed == []
    assert parsed == [f"content/{newest.name}"]
    _same_as_full(cfg, content, tmp_path / "full1", NOW)

    # an entry of all.rss made invalid, with the file's size and mtime kept (one of an
    # article azure.rss does not show: the entry is not to be had from there either)
    rss = config.output / "all.rss"
    st = rss.stat()
    azure = set(_shown(config, "azure"))
    other = next(n for n in _shown(config, "all")[1:] if n not in azure)
    rss.write_bytes(rss.read_bytes().replace(b"<link>https://news.example/" + other,
                                             b"<link>ftp:////news.example/" + other))  # fmt: skip
    os.utime(rss, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert rss.stat().st_size == st.st_size
    parsed.clear()
    _edit(newest, 2)
    assert build(config, NOW).failed == []
    assert sorted(parsed) == sorted([f"content/{newest.name}", f"content/{other.decode()}"])
    _same_as_full(cfg, content, tmp_path / "full2", NOW)

    # all.atom touched since it was written: no entry is taken from all's feeds (only
    # from azure's, when they are written again too)
    atom = config.output / "all.atom"
    os.utime(atom, ns=(st.st_atime_ns, atom.stat().st_mtime_ns + 10**9))
    azure = set(_shown(config, "azure"))
    parsed.clear()
    _edit(newest, 3)
    result = build(config, NOW)
    assert result.failed == []
    written = ("azure.rss", "written") in [(o.name, o.status) for o in result.outcomes]
    taken = azure if written else set()
    again = [n for n in _shown(config, "all") if n not in taken or n == newest.name.encode()]
    assert sorted(parsed) == sorted(f"content/{n.decode()}" for n in again)
    _same_as_full(cfg, content, tmp_path / "full3", NOW)


def _shown(config: Any, feed: str) -> list[bytes]:
    """The file names of the articles ``feed`` shows, newest first (their links name them)."""
    return re.findall(rb"<link>https://news\.example/([0-9]+\.txt)</link>",
                      (config.output / f"{feed}.rss").read_bytes())  # fmt: skip


def test_a_feed_with_archive_pages_takes_the_entries_of_its_subscription_document(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed with archive pages whose newest article changes: its subscription document
    is written again from the entries its last one holds, and only that article is
    parsed; the pages, which did not change, are left as they are."""
    cfg, content = _site(write_config, tmp_path)
    archived = '[feeds.all]\ntitle = "Everything"\ntopics = ["*"]\nmax_items = 4\narchive = true\n'
    cfg.write_text(cfg.read_text(encoding="utf-8").split("[feeds.")[0] + archived)
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    assert (config.output / "all-archive-1.rss").exists()
    parsed = _parsed(monkeypatch)
    newest = content / _shown(config, "all")[0].decode()
    _edit(newest, 1)
    result = build(config, NOW)
    assert result.failed == []
    assert parsed == [f"content/{newest.name}"]
    written = sorted(o.name for o in result.outcomes if o.status == "written")
    assert written == ["all.atom", "all.rss", "index.html"]
    _same_as_full(cfg, content, tmp_path / "full", NOW)


@pytest.mark.parametrize("held", [None, 1])
def test_what_the_changed_files_tell_is_told_when_the_windows_cannot_tell(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int | None
) -> None:
    """A build looks at the changed files first; when the windows cannot be brought up
    to date from them (here, a feed's items unpublished past its spares, at once), it
    reads every file: the changed ones are read again there, and what they tell (their
    notices, said once, by the build that reads them) is told, however many rows a
    build holds before it writes them (``held``: ROWS_HELD)."""
    from feedpub import build as build_module

    if held is not None:
        monkeypatch.setattr(build_module, "ROWS_HELD", held)
    cfg, content = _site(write_config, tmp_path)
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    answers = _answers(monkeypatch)
    names = sorted(p.name for p in content.iterdir())
    for name in names[3:16]:  # the newest of "all" and its spares, most of them
        path = content / name
        path.write_bytes(path.read_bytes().replace(b"published: true", b"published: false"))
    text = {n: (content / n).read_bytes() for n in names[:3]}
    (content / names[0]).write_bytes(text[names[0]].replace(b"excerpt:", b"titel: x\nexcerpt:"))
    (content / names[1]).write_bytes(text[names[1]].replace(b"published: true\n", b""))
    (content / names[2]).write_bytes(
        re.sub(rb"publishedDateTime: \d{4}", b"publishedDateTime: 1985", text[names[2]])
    )
    for k, p in enumerate(sorted(content.iterdir())):
        os.utime(p, ns=(OLD_MTIME_NS + 10**9 * (k + 1),) * 2)  # settled, each changed
    result = build(config, NOW)
    assert answers == [False]  # (selected from every file)
    assert result.failed == []
    told = [str(n) for n in result.gathered.notices]
    a, b, c = (f"content/{n}" for n in names[:3])
    assert f"{a}:3: titel is not a key feedpub reads: title, at line 2, is the one read: " \
           "remove one of them" in told  # fmt: skip
    assert any(n.startswith(f"{b}:1: no published key: left out of the feeds") for n in told)
    assert any(n.startswith(f"{c}:4: publishedDateTime 1985-") for n in told), told
    assert result.gathered.read == 16
    assert [str(n) for n in build(config, NOW).gathered.notices] == []  # (said once)


def test_a_file_that_cannot_be_read_keeps_the_selection_of_the_others(
    write_config: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the system will not let be read is read again by every build (made
    readable, its size and mtime are the same), but only it: the selection of the
    others is kept and brought up to date from it, not made again from every file's
    row at every build (each warm build of a site of 100,000 files with one such file
    loaded every row). Once readable, the next build publishes it."""
    cfg, content = _site(write_config, tmp_path)
    config = load_config(cfg)
    assert build(config, NOW).failed == []
    odd = content / "007.txt"
    _edit(odd, 1)
    real = sources.read_source

    def denied(src: Any, *args: Any) -> Any:
        if src.path == "content/007.txt":
            raise UnreadableError(src.path, 1, "cannot read: Permission denied")
        return real(src, *args)

    monkeypatch.setattr(sources, "read_source", denied)
    answers = _answers(monkeypatch)
    for _ in range(3):
        result = build(config, NOW)
        assert [e.path for e in result.gathered.errors] == ["content/007.txt"]
        assert result.gathered.read == 1
    assert answers == [True, True, True]  # (each from the selection kept)
    monkeypatch.setattr(sources, "read_source", real)
    result = build(config, NOW)
    assert (result.gathered.errors, result.gathered.read, answers[-1]) == ([], 1, True)
    _same_as_full(cfg, content, tmp_path / "full", NOW)
