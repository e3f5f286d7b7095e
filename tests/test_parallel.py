"""The engine room (feedpub.parallel): whatever executor runs a build, its bytes are
the serial build's; the workers, the forked lister and the page-cache hints."""

from __future__ import annotations

import contextlib
import errno
import gc
import marshal
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from feedpub import incremental, parallel
from feedpub.build import build
from feedpub.config import load_config
from feedpub.model import SourceFile, Summary

from .conftest import AZURE_AI_FEEDS, ROOT, run_cli

NOW = datetime(2026, 11, 1, tzinfo=UTC)
OLD_NS = 1_577_836_800 * 10**9


# ------------------------------------------------------------------ whole builds


def _snapshot(root: Path) -> tuple[dict[str, bytes], list[tuple[object, ...]], list[object]]:
    """Every output file's bytes, every cached row, each output's cached fingerprint."""
    files = {p.name: p.read_bytes() for p in sorted((root / "feeds").iterdir())}
    # (closing: a connection's own ``with`` ends a transaction, it does not close it)
    with contextlib.closing(sqlite3.connect(root / ".feedpub" / "cache.sqlite")) as db:
        rows = db.execute("SELECT * FROM files ORDER BY path").fetchall()
        outputs = db.execute("SELECT name, fingerprint, size FROM outputs ORDER BY name").fetchall()
    return files, rows, outputs


def _same_by_every_executor(
    root: Path, executors: list[parallel.Executor], change: Callable[[int], None]
) -> None:
    """Build ``root`` cold, then warm after ``change``, with each executor in turn: the
    results, the output bytes and the cache are the serial build's."""
    config = load_config(root / "config.toml")
    seen = []
    for ex in executors:
        shutil.rmtree(root / "feeds", ignore_errors=True)
        shutil.rmtree(root / ".feedpub", ignore_errors=True)
        steps = []
        for step in range(2):
            result = build(config, NOW, full=step == 0, executor=ex)
            outcomes = [(o.name, o.status, [str(p) for p in o.problems]) for o in result.outcomes]
            g = result.gathered
            steps.append((outcomes, [str(e) for e in g.errors], g.skipped, g.read, g.cached,
                          result.hidden, _snapshot(root)))  # fmt: skip
            change(step)
        seen.append(steps)
        change(-1)
    for other in seen[1:]:
        assert other == seen[0]


def _edit(folder: Path) -> Callable[[int], None]:
    """A change to make after a build: an edited article (undone by step -1)."""
    victim = sorted(folder.rglob("*.txt"))[-1]
    original = victim.read_bytes()

    def change(step: int) -> None:
        data = original if step == -1 else original.replace(b'title: "', b'title: "Edited: ', 1)
        victim.write_bytes(data)
        when = OLD_NS if step == -1 else OLD_NS + 10**9 * (step + 2)
        os.utime(victim, ns=(when, when))

    return change


def _settle(folder: Path) -> None:
    for path in folder.rglob("*"):
        os.utime(path, ns=(OLD_NS, OLD_NS), follow_symlinks=False)


EXECUTORS = [
    parallel.SERIAL,
    parallel.Workers(2),  # as `--jobs 2` makes it
    parallel.Workers(2, least=1, chunk=3),  # every step in workers, in small chunks
    parallel.Workers(2, inherit=False, least=1, chunk=5),  # the work sent, not inherited
]


def test_the_sample_is_built_the_same_by_every_executor(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    _settle(tmp_path)
    _same_by_every_executor(tmp_path, EXECUTORS, _edit(tmp_path / "content"))


def test_a_generated_corpus_is_built_the_same_by_every_executor(tmp_path: Path) -> None:
    """A few thousand files (bench/corpus.py), many of them read and rendered in
    workers with the default thresholds."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generate(tmp_path, 2500)
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    feeds = text.split("\n[feeds.")
    # 40 feeds: 80 outputs, rendered in workers too; one of them with archive pages
    (tmp_path / "config.toml").write_text(
        "\n[feeds.".join(feeds[:41]).replace(
            'topics = ["*"]', 'topics = ["*"]\nformats = ["rss", "atom", "json"]\narchive = true', 1
        ),
        encoding="utf-8",
    )
    _settle(tmp_path)
    _same_by_every_executor(
        tmp_path, [parallel.SERIAL, parallel.Workers(2)], _edit(tmp_path / "content")
    )


@pytest.mark.parametrize("ex", [parallel.SERIAL, parallel.Workers(2, least=1)])
def test_the_order_a_folder_lists_its_files_in_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ex: parallel.Executor
) -> None:
    """A listing keeps the folder's order (it is not sorted): the same files listed in
    another order build the same bytes and cache, and after a build, only make the
    next one look at the listing again, to find nothing changed."""
    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    news = tmp_path / "content" / "news"
    first = sorted(news.iterdir())[0]
    shutil.copy(first, news / "zz_same_url.txt")  # one of the two is hidden by the other
    (tmp_path / "outside.txt").write_bytes(first.read_bytes())
    for name in ("aa_out.txt", "zz_out.txt"):  # two notes: links out of the content folder
        (news / name).symlink_to(tmp_path / "outside.txt")
    _settle(tmp_path)
    config = load_config(tmp_path / "config.toml")
    listdir = os.listdir
    seen = []
    for order in (sorted, lambda names: sorted(names, reverse=True)):
        monkeypatch.setattr(os, "listdir", lambda path, order=order: order(listdir(path)))
        shutil.rmtree(tmp_path / "feeds", ignore_errors=True)
        shutil.rmtree(tmp_path / ".feedpub", ignore_errors=True)
        result = build(config, NOW, executor=ex)
        seen.append(([(o.name, o.status) for o in result.outcomes], result.gathered.skipped,
                     [str(e) for e in result.gathered.errors], _snapshot(tmp_path)))  # fmt: skip
    assert seen[0] == seen[1]
    assert len(seen[0][1]) == 2 and build(config, NOW, executor=ex).hidden
    monkeypatch.setattr(os, "listdir", listdir)  # the next build lists them in another order
    again = build(config, NOW, executor=ex)
    assert again.gathered.read == 0
    assert {o.status for o in again.outcomes} == {"unchanged"}
    assert _snapshot(tmp_path)[0] == seen[0][3][0]


@pytest.mark.parametrize("inherit", [True, False])
def test_parallel_reading_and_rendering_give_the_same_bytes_as_serial(  # type: ignore[no-untyped-def]
    write_config, seeds_dir: Path, inherit: bool
) -> None:
    """Workers read and render what they inherited when forked, or what they were sent:
    the feeds, the rejections and the cache are the same either way."""
    for k in range(40):  # copies of the seeds, some of them bad
        for seed in sorted(seeds_dir.glob("0*.txt")):
            data = seed.read_bytes().replace(b"/news/", f"/news{k}/".encode())
            if k % 13 == 0:
                data = data.replace(b"publishedDateTime:", b"publishedDateTime: [", 1)
            (seeds_dir / f"c{k:02}-{seed.name}").write_bytes(data)
    many = "".join(
        f'\n[feeds.f{i:02}]\ntitle = "Feed {i}"\ntopics = ["{t}"]\nformats = ["rss", "atom", "json"]\n'
        for i, t in enumerate(["*", "Azure", "Microsoft AI", "AI"] * 6)
    )
    cfg = write_config(["content/*.txt"], many)
    config = load_config(cfg)
    results = []
    for ex in (parallel.SERIAL, parallel.Workers(2, inherit=inherit, least=50, chunk=7)):
        shutil.rmtree(cfg.parent / "feeds", ignore_errors=True)
        result = build(config, NOW, full=True, executor=ex)
        errors = [str(e) for e in result.gathered.errors]
        assert len(errors) == 4 * 5 and all("YAML error" in e for e in errors)  # the bad copies
        files, rows, _ = _snapshot(cfg.parent)
        assert len([n for n in files if n.endswith((".rss", ".atom", ".json"))]) == 72
        assert len(rows) == 5 + 40 * 5
        results.append((files, rows, errors))
    assert results[0] == results[1]


def test_jobs_one_and_two_write_the_same_bytes(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], '[feeds.all]\ntitle = "All"\ntopics = ["*"]\n')
    seen = []
    for jobs in ("1", "2"):
        shutil.rmtree(cfg.parent / "feeds", ignore_errors=True)
        code, _, err = run_cli("build", "-c", str(cfg), "--now", "2026-11-01T00:00:00Z",
                               "--full", "--jobs", jobs)  # fmt: skip
        assert code == 0, err
        seen.append(_snapshot(cfg.parent)[:2])
    assert seen[0] == seen[1]


# ------------------------------------------------------------------ the executors


def _square_all(chunk: list[int]) -> list[int]:
    return [x * x for x in chunk]


def _freeze_count(chunk: list[int]) -> list[int]:
    return [gc.get_freeze_count() for _ in chunk]


def _pid(chunk: list[int]) -> list[int]:
    return [os.getpid() for _ in chunk]


@pytest.mark.parametrize("inherit", [True, False])
def test_workers_give_each_result_in_order(inherit: bool) -> None:
    items = list(range(1000))
    shape = parallel.Shape(10, 7)
    assert list(parallel.Workers(2, inherit=inherit).map(_square_all, items, shape)) == [
        x * x for x in items
    ]
    assert set(parallel.Workers(2, inherit=inherit).map(_pid, items, shape)) - {os.getpid()}
    # fewer items than the shape's least: in this process
    assert set(parallel.Workers(2).map(_pid, items[:5], shape)) == {os.getpid()}
    assert list(parallel.SERIAL.map(_square_all, items, shape)) == [x * x for x in items]


def _chunk_lengths(chunk: list[int]) -> list[int]:
    return [len(chunk)] * len(chunk)


@pytest.mark.parametrize(("count", "size"), [(4177, 130), (10_000, 256), (602, 18), (1000, 7)])
def test_the_last_chunks_shrink_so_the_workers_end_together(count: int, size: int) -> None:
    parts = parallel.parts_of(count, size, 2)
    assert [i for part in parts for i in part] == list(range(count))  # each once, in order
    lengths = [len(p) for p in parts]
    assert max(lengths) == size == lengths[0]
    # the last full-size part is followed by smaller ones: at most a fourth of what is
    # left, never under a fourth of the size (but the very last, what remains)
    tail = lengths[lengths.index(size, len(lengths) - lengths[::-1].index(size) - 1) + 1 :]
    assert tail and all(n < size for n in tail)
    assert all(n >= size // 4 for n in tail[:-1])
    assert parallel.parts_of(count, size, 0) == [
        range(i, min(i + size, count)) for i in range(0, count, size)
    ]
    # a map's chunks are these (the workers see them)
    got = list(parallel.Workers(2).map(_chunk_lengths, list(range(count)), parallel.Shape(1, size)))
    assert got == [n for n in lengths for _ in range(n)]


def _fails_at_five(chunk: list[int]) -> list[int]:
    if 5 in chunk:
        raise ValueError("five")
    return chunk


def _dies_at_five(chunk: list[int]) -> list[int]:
    if 5 in chunk:
        os._exit(3)
    return chunk


def _killed_at_five(chunk: list[int]) -> list[int]:
    if 5 in chunk:
        os.kill(os.getpid(), signal.SIGKILL)  # (as the out-of-memory killer does)
    return chunk


def _unpicklable_at_five(chunk: list[int]) -> list[Any]:
    return [threading.Lock() if x == 5 else x for x in chunk]


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize(
    ("fn", "error", "message"),
    [(_fails_at_five, ValueError, "five"),
     (_dies_at_five, parallel.WorkerLost, "stopped before its work was done"),
     (_killed_at_five, parallel.WorkerLost, "ended by SIGKILL .the system's out-of-memory"),
     (_unpicklable_at_five, RuntimeError, "could not send its result")],
)  # fmt: skip
def test_a_failing_worker_fails_the_map_and_leaves_no_process_behind(
    fn: Callable[[list[int]], list[Any]], error: type[Exception], message: str
) -> None:
    """An error in a worker is raised here, at its part's place (the parts before it
    are given first); a worker that dies, or cannot send its result, is an error too.
    Either way every worker is gone when the error reaches the caller."""
    got: list[Any] = []
    with pytest.raises(error, match=message):
        for x in parallel.Workers(2, least=1, chunk=1).map(fn, list(range(20)), parallel.READING):
            got.append(x)
    assert got == [0, 1, 2, 3, 4]  # (a worker sends each part before it takes the next)
    assert _no_children_left()


@pytest.mark.parametrize("forks", [0, 1])
def test_a_map_whose_workers_cannot_all_be_forked_is_done_by_those_that_can(
    monkeypatch: pytest.MonkeyPatch, forks: int
) -> None:
    """A limit on processes (or no memory) leaves fewer workers, or none: then this
    process does the work, and what the build would do meanwhile waits for later."""
    real = os.fork
    made: list[int] = []

    def fork() -> int:
        if len(made) >= forks:
            raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        made.append(1)
        return real()

    monkeypatch.setattr(os, "fork", fork)
    meanwhile: list[int] = []
    items = list(range(40))
    got = list(parallel.Workers(2, least=1, chunk=3).map(
        _pid, items, parallel.READING, meanwhile=lambda: meanwhile.append(1)
    ))  # fmt: skip
    assert len(got) == len(items)
    assert set(got) == ({os.getpid()} if forks == 0 else set(got) - {os.getpid()})
    assert len(set(got)) == 1 and meanwhile == ([] if forks == 0 else [1])
    squares = parallel.Workers(2, least=1, chunk=3).map(_square_all, items, parallel.READING)
    assert list(squares) == [x * x for x in items]
    assert _no_children_left()


def _stuck_after_two(chunk: list[int]) -> list[int]:
    if chunk[0] >= 2:
        threading.Event().wait()  # for ever
    return [os.getpid() for _ in chunk]


@pytest.mark.skipif(not hasattr(signal, "alarm"), reason="POSIX")
def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def test_a_build_whose_worker_is_killed_says_so_and_exits_3(tmp_path: Path) -> None:
    """A reading or rendering worker killed (the out-of-memory killer) ended the build
    with a traceback and exit 1, which says "articles rejected" to cron. Now one line
    and exit 3, and nothing is published: the feeds are as they were."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generate(tmp_path, 3000)
    config = tmp_path / "config.toml"
    command = [
        sys.executable,
        "-m",
        "feedpub",
        "build",
        "-c",
        str(config),
        "--now",
        NOW.isoformat(),
    ]
    subprocess.run(command, check=True, capture_output=True)
    before = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title = "Benchmark"', 'title = "Benchmark 2"', 1), encoding="utf-8")  # fmt: skip
    build = subprocess.Popen([*command, "--full"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = False
    while build.poll() is None:  # (every child: one that lists files is made up for)
        for child in _children(build.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
                killed = True
        time.sleep(0.002)
    _, err = build.communicate(timeout=120)
    assert killed, "the build ended before a worker was seen"
    assert build.returncode == 3, err
    assert err.decode().splitlines() == [
        "feedpub: a worker process was ended by SIGKILL (the system's out-of-memory killer, "
        "or a kill) before its work was done: no file was changed; the next build does the "
        "work again (with less memory: --jobs 1)"
    ]
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == before
    assert subprocess.run(command, capture_output=True).returncode == 0


def test_a_map_left_unfinished_stops_its_workers() -> None:
    """A build stopped while its workers work (an error, an interrupt) does not wait for
    their work: they are stopped, and none is left behind."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError("the map waited for its workers' work")

    previous = signal.signal(signal.SIGALRM, hung)
    try:
        results = parallel.Workers(2, least=1, chunk=1).map(
            _stuck_after_two, list(range(50)), parallel.READING
        )
        assert next(results) != os.getpid()
        signal.alarm(20)
        results.close()
        signal.alarm(0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _no_children_left()


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_GETPIPE_SZ"), reason="Linux")
def test_each_worker_writes_its_results_to_a_pipe_that_holds_a_chunks_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pipe holds 64 KB at first: a worker whose result is bigger would wait for this
    process to read it before it could go on."""
    import fcntl

    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    read_end, write_end = os.pipe()
    try:
        parallel.widen_pipe(write_end)
        assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == min(parallel.PIPE_BYTES, limit)
    finally:
        os.close(read_end)
        os.close(write_end)
    widened: list[int] = []
    real = parallel.widen_pipe

    def widen(fd: int) -> None:
        real(fd)
        widened.append(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))

    monkeypatch.setattr(parallel, "widen_pipe", widen)
    assert list(
        parallel.Workers(2, least=1, chunk=1).map(_square_all, [1, 2, 3], parallel.READING)
    ) == [1, 4, 9]
    assert widened == [min(parallel.PIPE_BYTES, limit)] * 2 and widened[0] > 1 << 16


def _big(chunk: list[int]) -> list[bytes]:
    return [bytes([x % 256]) * (3 << 20) for x in chunk]  # three times what a pipe holds


def test_results_bigger_than_a_pipe_come_whole_and_in_order() -> None:
    got = list(parallel.Workers(2, least=1, chunk=1).map(_big, list(range(6)), parallel.READING))
    assert got == _big(list(range(6)))


def _summaries(chunk: list[int]) -> list[tuple[Summary, SourceFile]]:
    return [
        (Summary(f"p{i}", "u", True, NOW, ("a",), None, "d"), SourceFile(f"p{i}", "/p", i, i))
        for i in chunk
    ]


def test_named_tuples_cross_as_themselves() -> None:
    got = list(
        parallel.Workers(2, least=1, chunk=3).map(_summaries, list(range(10)), parallel.READING)
    )
    assert got == _summaries(list(range(10)))
    assert all(type(s) is Summary and type(f) is SourceFile for s, f in got)


def test_pool_workers_leave_the_objects_they_were_forked_with_to_refcounting() -> None:
    held = [object() for _ in range(1000)]  # what a build holds when it forks its workers
    frozen = list(parallel.Workers(2, least=1).map(_freeze_count, [0, 1], parallel.READING))
    assert min(frozen) >= len(held)
    assert gc.get_freeze_count() == 0  # the build's own collector is untouched


def _counted(chunk: list[int]) -> tuple[list[int], int]:
    return chunk, os.getpid()


def test_halves_one_in_a_forked_child() -> None:
    items = list(range(100))
    parts = parallel.Workers(2, least=1).halves(_counted, items, parallel.LISTING, lambda x: 1)
    assert [x for part, _ in parts for x in part] == items
    assert len(parts) == 2 and parts[0][1] != os.getpid() and parts[1][1] == os.getpid()
    assert parallel.SERIAL.halves(_counted, items, parallel.LISTING, lambda x: 1) == [
        (items, os.getpid())
    ]


def _flatten(chunk: list[list[int]]) -> tuple[list[int], int]:
    return [x for item in chunk for x in item], os.getpid()


@pytest.mark.parametrize("sizes", [[100_000], [3, 99_990, 7], [60_000, 40_000], [1, 1]])
def test_halves_are_halves_even_when_one_item_weighs_nearly_all(sizes: list[int]) -> None:
    """One flat folder of a hundred thousand files: the child stats half of its
    entries, not all of them while this process waits."""
    start = 0
    items = []
    for n in sizes:
        items.append(list(range(start, start + n)))
        start += n

    def cut(item: list[int], k: int) -> tuple[list[int], list[int]]:
        return item[:k], item[k:]

    parts = parallel.Workers(2, least=1).halves(_flatten, items, parallel.LISTING, len, cut)
    assert [x for part, _ in parts for x in part] == list(range(start))  # all, in order
    assert len(parts) == 2 and parts[0][1] != os.getpid() and parts[1][1] == os.getpid()
    assert abs(len(parts[0][0]) - len(parts[1][0])) <= 1  # the work is split in two halves


def test_a_flat_folder_is_listed_alike_by_one_process_and_two(tmp_path: Path) -> None:
    from feedpub.sources import find

    folder = tmp_path / "content"
    folder.mkdir()
    for i in range(301):
        (folder / f"{i:04}.txt").write_text("x")
    (folder / "loop.txt").symlink_to("loop.txt")  # a problem, reported the same by both
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        '[site]\ntitle = "T"\nlink = "https://e.example/"\nfeeds_url = "https://e.example/f/"\n'
        'content = ["content/*.txt"]\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\n'
    )
    config = load_config(config_path)
    alone = find(config)
    assert len(alone.sources) == 301 and len(alone.unusable) == 1
    shared = find(config, parallel.Workers(2, least=1))
    assert (shared.sources, shared.skipped) == (alone.sources, alone.skipped)
    assert [str(e) for e in shared.unusable] == [str(e) for e in alone.unusable]
    # the folder was cut in two pieces, and the listing's state is the same
    assert len(shared.files) == 2 and len(alone.files) == 1
    assert incremental.state(config, shared, None, False) == incremental.state(
        config, alone, None, False
    )


def _flat_config(tmp_path: Path, count: int) -> tuple[Any, Path]:
    folder = tmp_path / "content"
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:04}.txt").write_text("x" * i)
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        '[site]\ntitle = "T"\nlink = "https://e.example/"\nfeeds_url = "https://e.example/f/"\n'
        'content = ["content/*.txt"]\n[feeds.all]\ntitle = "All"\ntopics = ["*"]\n'
    )
    return load_config(config_path), folder


FAR_FUTURE_NS = 10**19  # an mtime past 64 bits (year 2286): a strange file system's


@pytest.mark.parametrize("far", [None, "0001.txt", "0299.txt"])
def test_a_listing_is_the_same_whatever_the_child_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, far: str | None
) -> None:
    """The child's half of a flat folder comes back whole when it leaves entries out (a
    folder and a dangling link that the glob matches), and when a file's mtime does
    not fit in 64 bits, in either half."""
    from feedpub.sources import find

    listdir = os.listdir  # in name order: the child takes the first half of the names
    monkeypatch.setattr(os, "listdir", lambda path: sorted(listdir(path)))
    config, folder = _flat_config(tmp_path, 300)
    (folder / "0000a.txt").mkdir()  # in the child's half: matched, not a file
    (folder / "0002a.txt").symlink_to("nowhere")  # in the child's half: unusable
    if far:
        os.utime(folder / far, ns=(FAR_FUTURE_NS, FAR_FUTURE_NS))
    alone = find(config)
    shared = find(config, parallel.Workers(2, least=1))
    assert len(shared.files) == 2 and len(alone.files) == 1  # the folder was cut in two
    # (the folder is named too: a folder where content/*.txt looks for article files)
    assert len(alone.sources) == 300 and len(alone.unusable) == 2
    assert (shared.sources, shared.skipped) == (alone.sources, alone.skipped)
    assert [str(e) for e in shared.unusable] == [str(e) for e in alone.unusable]
    assert [s.size for s in shared.sources] == list(range(300))
    assert (shared.stamps() is None) == (alone.stamps() is None) == (far is not None)
    assert incremental.state(config, shared, None, False) == incremental.state(
        config, alone, None, False
    )
    if far:
        assert FAR_FUTURE_NS in [s.mtime_ns for s in shared.sources]


def test_a_tree_is_listed_alike_by_one_process_and_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``**`` the subfolders of the tree are shared out whole (a forked child
    scans its half of them): the same listing, problems and state as one process."""
    from feedpub.sources import find

    config, content = _flat_config(tmp_path, 3)  # three files at the top
    config_path = tmp_path / "config.toml"
    config_path.write_text(config_path.read_text().replace("content/*.txt", "content/**/*.txt"))
    config = load_config(config_path)
    for k, name in enumerate(["a", "b", "c", "d", "e", "f", ".hidden"]):
        for i in range(40 + k):
            (content / name).mkdir(exist_ok=True)
            (content / name / f"{i:03}.txt").write_text("y" * i)
        (content / name / os.fsdecode(b"caf\xe9.txt")).write_text("z")  # not UTF-8
    (content / "b" / "deeper" / "still").mkdir(parents=True)
    (content / "b" / "deeper" / "still" / "x.txt").write_text("x")
    (content / "c" / "loop").symlink_to("..")  # a loop: followed once, never round
    (content / "d" / "gone.txt").symlink_to("nowhere")  # unusable
    (content / "e" / "sub.txt").mkdir()  # matched, not a file
    scanned: list[str] = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: scanned.append(str(path)) or scandir(path))
    alone = find(config)
    everywhere = set(scanned)
    scanned.clear()
    shared = find(config, parallel.Workers(2, least=1))
    assert (shared.sources, shared.skipped) == (alone.sources, alone.skipped)
    assert [str(e) for e in shared.unusable] == [str(e) for e in alone.unusable]
    assert len(alone.sources) == 3 + sum(range(40, 46)) + 6 + 1 and len(alone.unusable) == 1
    assert incremental.state(config, shared, None, False) == incremental.state(
        config, alone, None, False
    )
    # this process scanned the top and some of the subfolders; the child, the others
    subfolders = {str(content / name) for name in "abcdef"}
    assert subfolders <= everywhere and str(content) in scanned
    assert subfolders & set(scanned) and subfolders - set(scanned)


def test_a_childs_half_is_sent_without_what_the_parent_has(tmp_path: Path) -> None:
    """A folder whose entries are all files travels without its names, its sizes and
    mtimes as bytes; one that left an entry out, with its names."""
    from feedpub import sources

    _, folder = _flat_config(tmp_path, 4)
    (folder / "0002a.txt").mkdir()
    entries = sorted(os.listdir(folder))  # 0000 0001 | 0002 0002a | 0003
    listed = [(part, "content/", True, str(folder), f"{folder}/")
              for part in (entries[:2], entries[2:4], entries[4:])]  # fmt: skip
    found = sources._list_and_stat(listed)
    packed = parallel.FILES_SENT.pack(listed, found)
    (_, _, first, sizes, _), (_, _, names, _, _), (_, _, last, _, _) = packed[0]
    assert (first, last) == (0, 2) and isinstance(sizes, bytes)  # listed[0] and [2]'s names
    assert names == "0002.txt"  # "0002a.txt" is left out
    assert parallel.FILES_SENT.unpack(listed, marshal.loads(marshal.dumps(packed))) == found


def test_when_the_child_fails_this_process_does_its_half_too() -> None:
    parent = os.getpid()

    def failing_in_child(chunk: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise MemoryError
        return chunk

    items = list(range(100))
    parts = parallel.Workers(2, least=1).halves(
        failing_in_child, items, parallel.LISTING, lambda x: 1
    )
    assert [x for part in parts for x in part] == items


def test_a_half_sent_packed_is_unpacked_or_done_again() -> None:
    """The child's half travels as ``send.pack`` makes it and comes back as
    ``send.unpack`` makes it again; when that fails, this process does the half too."""
    items = list(range(100))
    # the child sends how many items it did and its pid; the items are this process's
    send = parallel.Send(lambda mine, r: (len(r[0]), r[1]), lambda mine, p: (mine[: p[0]], p[1]))
    parts = parallel.Workers(2, least=1).halves(_counted, items, parallel.LISTING,
                                                lambda x: 1, send=send)  # fmt: skip
    assert [x for part, _ in parts for x in part] == items
    assert parts[0][1] != os.getpid()  # done by the child, sent packed

    def refused(mine: list[int], packed: Any) -> Any:
        raise ValueError("cannot be unpacked")

    parts = parallel.Workers(2, least=1).halves(
        _counted, items, parallel.LISTING, lambda x: 1, send=parallel.Send(send.pack, refused)
    )
    assert [x for part, _ in parts for x in part] == items
    assert parts[0][1] == parts[1][1] == os.getpid()  # both halves done here


def test_the_collector_is_paused_then_frozen_and_restored() -> None:
    assert gc.isenabled()
    with parallel.collector_paused() as hold:
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]  # what a build makes, then holds to the end
        hold()
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with parallel.collector_paused():  # a query: never held
        assert not gc.isenabled()
    assert gc.isenabled()


def test_every_feedpub_error_survives_the_trip_from_a_worker_process() -> None:
    import pickle

    from feedpub import errors

    sent = [
        errors.ArticleError("content/a.txt", 7, "YAML error: found a tab"),
        errors.ConfigError("config.toml", ["3: feeds.a.title: must be a string"]),
        errors.UnknownTopicError("azur", [("feed", "azure")]),
        errors.UnknownTopicError("*", [], ': in a feed\'s topics, "*" stands for every topic'),
        errors.LockError("another build holds the lock"),
    ]
    for error in sent:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert vars(back) == vars(error)


def _written(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.skipif(not hasattr(os, "RWF_NOWAIT"), reason="RWF_NOWAIT is Linux's")
def test_a_file_out_of_the_page_cache_is_told_from_one_in_it(tmp_path: Path) -> None:
    path = _written(tmp_path / "a.txt", b"x" * 10_000)
    assert parallel.in_page_cache(path)
    assert _dropped(path)
    assert Path(path).read_bytes() == b"x" * 10_000
    assert parallel.in_page_cache(path)


def _dropped(path: str) -> bool:
    """Take the file out of the page cache (the kernel may keep a busy page a moment);
    whether a probe then found it out. (A probe that misses makes the kernel read the
    page in: probe once.)"""
    for _ in range(20):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # clean pages, which the kernel may then drop
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        if not parallel.in_page_cache(path):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise")
@pytest.mark.parametrize("cached", [True, False])
def test_files_out_of_the_page_cache_are_asked_for_all_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    chunk = [_written(tmp_path / f"{i}.txt", b"x") for i in range(3)]
    after = [_written(tmp_path / f"{i}.txt", b"y") for i in range(3, 5)]
    # (a probe that misses makes the kernel read the page in: the first test's case)
    monkeypatch.setattr(parallel, "in_page_cache", lambda path: cached)
    asked: list[int] = []
    advise = os.posix_fadvise

    def recording(fd: int, offset: int, length: int, advice: int) -> None:
        asked.append(os.fstat(fd).st_size)
        advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", recording)
    parallel.read_ahead(chunk, after)
    assert asked == ([] if cached else [1] * 5)


# ------------------------------------------------------------------ blocking calls


def _call(x: int) -> int:
    if x % 7 == 3:
        raise OSError((errno.EIO, errno.ENOSPC)[x % 2], f"no {x}", f"file{x}")
    if x % 11 == 5:
        raise ValueError(x)
    return x


def _shown(errors: list[Exception | None]) -> list[object]:
    return [None if e is None else (type(e), e.args, getattr(e, "filename", None)) for e in errors]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 100])
@pytest.mark.parametrize("threads", [1, 2, 16])
def test_each_blocking_gives_what_a_plain_loop_gives(count: int, threads: int) -> None:
    items = list(range(count))
    expected: list[Exception | None] = []
    for x in items:
        try:
            _call(x)
        except Exception as e:
            expected.append(e)
        else:
            expected.append(None)
    got = parallel.each_blocking(_call, items, threads)
    assert _shown(got) == _shown(expected)
    if count == 100:  # errors of both kinds, among calls that return
        assert {OSError, ValueError, type(None)} <= {type(e) for e in got}


def test_each_blocking_makes_its_calls_together_in_threads() -> None:
    """Eight calls that each wait for three others: they finish only if they run at
    the same time (one by one, each would give up waiting)."""
    together = threading.Barrier(4, timeout=5)
    assert parallel.each_blocking(lambda _: together.wait(), range(8)) == [None] * 8
    one: list[int] = []
    assert parallel.each_blocking(lambda _: one.append(threading.get_ident()), [0]) == [None]
    assert one == [threading.get_ident()]  # one call: here


@pytest.mark.parametrize("threads", [1, 16])
def test_each_blocking_lets_an_interrupt_through(threads: int) -> None:
    def interrupted(x: int) -> None:
        if x == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parallel.each_blocking(interrupted, list(range(10)), threads)


# ------------------------------------------------------------------ making files durable


class _Syncs:
    """A stand-in for the C library's syncfs: records the folder of each descriptor it
    is given, then syncs it for real or fails as told."""

    def __init__(self, fails: bool = False) -> None:
        self.folders: list[str] = []
        self.fails = fails

    def __call__(self, fd: int) -> int:
        self.folders.append(os.readlink(f"/proc/self/fd/{fd}"))
        if self.fails:
            return -1
        os.sync()
        return 0


def _files(folder: Path, count: int) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = [str(folder / f"f{i}") for i in range(count)]
    for p in paths:
        Path(p).write_bytes(b"x")
    return paths


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every file fsync'd (through the real fsync)."""
    synced: list[str] = []
    real = os.fsync
    lock = threading.Lock()

    def fsync(fd: int) -> None:
        with lock:
            synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_many_files_in_watched_folders_are_synced_by_one_syncfs_each_folder(
    tmp_path: Path, fsyncs: list[str]
) -> None:
    syncs = _Syncs()
    a, b = tmp_path / "a", tmp_path / "b"
    durable = parallel.Durable(syncs)
    durable.watch(a.parent)  # (a folder watched twice is opened once)
    for folder in (a, b):
        folder.mkdir()
        durable.watch(folder)
        durable.watch(folder)
    paths = _files(a, parallel.SYNC_TOGETHER - 1) + _files(b, 1)
    assert durable.sync(paths) == [None] * len(paths)
    assert sorted(syncs.folders) == sorted(map(str, [tmp_path, a, b]))
    assert fsyncs == []
    durable.close()
    assert durable.sync(paths) == [None] * len(paths)  # nothing watched now: an fsync each
    assert sorted(fsyncs) == sorted(paths) and len(syncs.folders) == 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
@pytest.mark.parametrize("why", ["few files", "a folder not watched", "syncfs fails", "no syncfs"])
def test_files_are_fsynced_one_by_one_when_syncfs_cannot_answer_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsyncs: list[str], why: str
) -> None:
    """Fewer files than SYNC_TOGETHER, one outside the folders watched, a syncfs that
    fails (then each file's fsync says which failed), or none at all."""
    syncs = _Syncs(fails=why == "syncfs fails")
    durable = parallel.Durable(None if why == "no syncfs" else syncs)
    durable.watch(tmp_path / "a")  # (not there yet: not watched)
    paths = _files(tmp_path / "a", parallel.SYNC_TOGETHER)
    durable.watch(tmp_path / "a")
    if why == "few files":
        paths = paths[:-1]
    elif why == "a folder not watched":
        paths += _files(tmp_path / "b", 1)
    if why == "syncfs fails":
        bad = paths[3]
        real = os.fsync

        def failing(fd: int) -> None:
            if os.readlink(f"/proc/self/fd/{fd}") == bad:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            real(fd)

        monkeypatch.setattr(os, "fsync", failing)
        errors = durable.sync(paths)
        assert syncs.folders == [str(tmp_path / "a")]
        assert [i for i, e in enumerate(errors) if e is not None] == [3]
        assert isinstance(errors[3], OSError) and errors[3].errno == errno.EIO
        return
    assert durable.sync(paths) == [None] * len(paths)
    assert sorted(fsyncs) == sorted(paths)
    assert syncs.folders == []
    durable.close()


@pytest.mark.parametrize(
    ("system", "release", "found"),
    [("linux", "6.18.44-fc", True), ("linux", "5.8.0", True), ("linux", "5.7.19", False),
     ("linux", "4.19.0-amd64", False), ("linux", "weird", False), ("darwin", "24.1.0", False)],
)  # fmt: skip
def test_syncfs_is_used_only_where_it_reports_write_back_errors(
    monkeypatch: pytest.MonkeyPatch, system: str, release: str, found: bool
) -> None:
    """Before Linux 5.8, syncfs said 0 whatever was lost; and other systems have none.
    (Where these tests run on another system, its C library has no syncfs to find.)"""
    found = found and sys.platform.startswith("linux")
    real = os.uname()
    fake = os.uname_result((real.sysname, real.nodename, release, real.version, real.machine))
    monkeypatch.setattr(sys, "platform", system)
    monkeypatch.setattr(os, "uname", lambda: fake)
    parallel.libc_syncfs.cache_clear()
    try:
        got = parallel.libc_syncfs()
        assert (got is not None) == found
        if got is not None:
            fd = os.open(".", os.O_RDONLY)
            try:
                assert got(fd) == 0  # the real one
            finally:
                os.close(fd)
    finally:
        parallel.libc_syncfs.cache_clear()


# ------------------------------------------------------------------ what a worker keeps


def test_kept_holds_at_most_its_limit_the_oldest_dropped_first() -> None:
    kept: parallel.Kept[str, int] = parallel.Kept(3)
    for i, key in enumerate("abcd"):
        kept[key] = i
    assert list(kept.items()) == [("b", 1), ("c", 2), ("d", 3)]
    kept["c"] = 9  # a key it holds: replaced, nothing dropped
    assert list(kept.items()) == [("b", 1), ("c", 9), ("d", 3)]
    sent = pickle.loads(pickle.dumps(kept))  # a chunk sent to a worker gets an empty one
    assert type(sent) is parallel.Kept and sent == {} and sent.limit == 3


def _split(value: tuple[bytes, str]) -> tuple[list[bytes], str]:
    return [value[0][:3], value[0][3:]], value[1]


def _join(parts: list[bytes], rest: str) -> tuple[bytes, str]:
    return parts[0] + parts[1], rest


def _spilled(after: int) -> parallel.Spilled[str, tuple[bytes, str]]:
    return parallel.Spilled(_split, _join, after=after)


def test_spilled_keeps_what_fits_and_writes_the_rest_to_a_file() -> None:
    spilled = _spilled(10)
    values = {"a": (b"12345", "x"), "b": (b"6789", "y"), "c": (b"z" * 100_000, "w"),
              "d": (b"", ""), "e": (b"yz", "v")}  # fmt: skip
    spilled.update(values)
    assert dict(spilled) == values and len(spilled) == 5 and "c" in spilled and "z" not in spilled
    assert list(spilled) == list(values)  # a and b kept; from c on, past the budget, spilled
    spilled["a"] = (b"new", "n")  # replaced: past the budget now, so spilled
    del spilled["b"]
    assert dict(spilled) == {"a": (b"new", "n"), "c": values["c"], "d": (b"", ""),
                             "e": (b"yz", "v")}  # fmt: skip
    spilled.close()
    with pytest.raises(OSError):  # its file closed
        spilled["c"]
    spilled.close()  # (twice: nothing more)


def test_spilled_keeps_what_it_cannot_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """No folder to write to (or no room in it): every value stays in memory."""
    monkeypatch.setattr(parallel, "SPILL_FOLDERS", ("/nonexistent/feedpub",))
    spilled = _spilled(1)
    spilled.update({"a": (b"xyz", "1"), "b": (b"w" * 5000, "2")})
    spilled.close()
    assert dict(spilled) == {"a": (b"xyz", "1"), "b": (b"w" * 5000, "2")}


def _spilled_values(spilled: dict[int, tuple[bytes, str]], chunk: list[int]) -> list[bytes]:
    return [spilled[k][0] for k in chunk]


@pytest.mark.parametrize("inherit", [True, False])
def test_workers_read_what_was_spilled_before_they_were_made(inherit: bool) -> None:
    """Forked workers read the spill file through the descriptor they inherit; work
    sent to a worker carries the values themselves."""
    spilled: parallel.Spilled[int, tuple[bytes, str]] = parallel.Spilled(_split, _join, after=1000)
    values = {k: bytes([k % 251]) * (k * 37) for k in range(200)}
    spilled.update({k: (v, str(k)) for k, v in values.items()})
    ex = parallel.Workers(2, inherit=inherit, least=1, chunk=7)
    try:
        got = list(ex.map(partial(_spilled_values, spilled), list(values), parallel.RENDERING))
    finally:
        spilled.close()
    assert got == list(values.values())


def _remember(kept: dict[int, int], chunk: list[int]) -> list[tuple[int, bool]]:
    """Each item, and whether this process had kept it from an earlier chunk."""
    out = [(x, x in kept) for x in chunk]
    for x in chunk:
        kept[x] = os.getpid()
    return out


class _Counted:
    """A function of a chunk that notes each time it is pickled (sent to a process)."""

    def __init__(self, log: str) -> None:
        self.log = log

    def __call__(self, chunk: list[int]) -> list[int]:
        return [x * 2 for x in chunk]

    def __reduce__(self) -> Any:
        with open(self.log, "a", encoding="utf-8") as f:
            f.write("sent\n")
        return _Counted, (self.log,)


def test_work_sent_to_workers_is_sent_once_a_worker_not_once_a_chunk(tmp_path: Path) -> None:
    """What the function holds (a build's entries, say) goes to each worker as it starts
    (or not at all, where the pool forks them), never with each of its 40 chunks."""
    log = tmp_path / "sent"
    log.touch()
    items = list(range(200))
    ex = parallel.Workers(2, inherit=False, least=1, chunk=5)
    assert list(ex.map(_Counted(str(log)), items, parallel.RENDERING)) == [x * 2 for x in items]
    assert len(log.read_text(encoding="utf-8").splitlines()) <= 2


@pytest.mark.parametrize("inherit", [True, False])
def test_each_worker_keeps_its_own_between_chunks(inherit: bool) -> None:
    items = [i % 10 for i in range(200)]  # each item again and again
    shape = parallel.Shape(1, 5)
    kept: parallel.Kept[int, int] = parallel.Kept(100)
    serial = list(parallel.SERIAL.map(partial(_remember, kept), items, shape))
    assert [seen for _, seen in serial] == [i >= 10 for i in range(200)]  # one dict for all
    got = list(parallel.Workers(2, inherit=inherit).map(
        partial(_remember, parallel.Kept(100)), items, shape))  # fmt: skip
    assert [x for x, _ in got] == items
    # forked or sent its work (once, as it starts), each of two workers met each item at
    # most once unseen
    assert sum(s for _, s in got) >= len(items) - 2 * 10
    assert kept == {i: os.getpid() for i in range(10)}  # the parent's is the serial run's


def test_meanwhile_runs_here_while_workers_work_and_never_without_them() -> None:
    calls: list[int] = []
    items = list(range(100))
    shape = parallel.Shape(10, 7)
    got = list(parallel.Workers(2).map(_square_all, items, shape,
                                       meanwhile=lambda: calls.append(os.getpid())))  # fmt: skip
    assert got == [x * x for x in items] and calls == [os.getpid()]
    for ex in (parallel.SERIAL, parallel.Workers(2)):  # no workers: never called
        list(ex.map(_square_all, items[:5], shape, meanwhile=lambda: calls.append(0)))
    assert calls == [os.getpid()]


#: What ``ahead`` did in this process (the workers of the test below see their copy).
_ahead_calls: list[int] = []


def _ahead_seen(items: list[int]) -> list[int]:
    return [len(_ahead_calls) for _ in items]


def test_ahead_runs_here_before_the_workers_are_made_and_never_without_them() -> None:
    _ahead_calls.clear()
    shape = parallel.Shape(10, 7)
    got = list(parallel.Workers(2).map(_ahead_seen, list(range(50)), shape,
                                       ahead=lambda: _ahead_calls.append(os.getpid())))  # fmt: skip
    assert _ahead_calls == [os.getpid()]
    assert got == [1] * 50  # each worker was made after it: it found it done
    for ex in (parallel.SERIAL, parallel.Workers(2)):  # no workers: never called
        got = list(ex.map(_ahead_seen, [1, 2], shape, ahead=lambda: _ahead_calls.append(0)))
        assert got == [1, 1]
    assert _ahead_calls == [os.getpid()]


def test_the_workers_parse_an_article_once_however_many_feeds_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thirty feeds show every published article of the sample: the workers together
    parse each once (before, each worker once; and before that, once a chunk of two
    feeds); the bytes are the serial build's."""
    from feedpub import articles

    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    site = (ROOT / "config.toml").read_text(encoding="utf-8").split("\n[feeds.")[0]
    feeds = "".join(f'\n[feeds.f{k}]\ntitle = "F{k}"\ntopics = ["*"]\n' for k in range(30))
    (tmp_path / "config.toml").write_text(site + feeds, encoding="utf-8")
    _settle(tmp_path)
    log = tmp_path / "parses"
    real = articles.load_article

    def counting(path: str, *args: object, **kwargs: object) -> object:
        with open(log, "a", encoding="utf-8") as f:  # one line a parse, from any process
            f.write(f"{os.getpid()} {path}\n")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(articles, "load_article", counting)
    config = load_config(tmp_path / "config.toml")
    outputs, parsed = [], []
    for ex in (parallel.SERIAL, parallel.Workers(2, least=1, chunk=4)):
        log.write_text("", encoding="utf-8")
        shutil.rmtree(tmp_path / "feeds", ignore_errors=True)
        result = build(config, NOW, full=True, executor=ex)
        assert not result.failed
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()})
        per_process: dict[str, list[str]] = {}
        for line in log.read_text(encoding="utf-8").splitlines():
            pid, path = line.split(" ", 1)
            per_process.setdefault(pid, []).append(path)
        rendering = [path for pid, paths in per_process.items() if pid != str(os.getpid())
                     for path in paths]  # fmt: skip
        assert bool(rendering) == (ex is not parallel.SERIAL)
        parsed.append(sorted(rendering or per_process[str(os.getpid())]))
    assert len(parsed[0]) == len(set(parsed[0])) >= 10  # the sample's published articles
    assert parsed[1] == parsed[0]
    assert outputs[0] == outputs[1]


def test_the_files_rows_are_written_while_workers_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers rendering, the build writes its files' rows meanwhile, then the
    headlines of the feeds page, and the end's commit only the rest; serial, all at
    the end. The cache is the same, and a cold build again writes it all again."""
    from feedpub.cache import Cache

    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    _settle(tmp_path)
    config = load_config(tmp_path / "config.toml")
    real_commit, real_files = Cache.commit, Cache.commit_files
    real_headlines = Cache.commit_headlines
    seen: list[tuple[str, int, int]] = []

    def commit(self: Cache, changes: Any) -> bool:
        seen.append(("end", len(changes.stored), len(changes.headlines)))
        return real_commit(self, changes)

    def commit_files(self: Cache, changes: Any) -> bool:
        seen.append(("rows", len(changes.stored), len(changes.headlines)))
        return real_files(self, changes)

    def commit_headlines(self: Cache, changes: Any) -> bool:
        headlines = len(changes.headlines)
        done = real_headlines(self, changes)
        seen.append(("headlines", headlines, len(changes.headlines) if done else -1))
        return done

    monkeypatch.setattr(Cache, "commit", commit)
    monkeypatch.setattr(Cache, "commit_files", commit_files)
    monkeypatch.setattr(Cache, "commit_headlines", commit_headlines)
    snapshots, runs = [], []
    files = len(list((tmp_path / "content").rglob("*.txt")))
    for ex in (parallel.SERIAL, parallel.Workers(2, least=1, chunk=2)):
        seen.clear()
        shutil.rmtree(tmp_path / "feeds", ignore_errors=True)
        assert not build(config, NOW, full=True, executor=ex).failed
        runs.append(list(seen))
        snapshots.append(_snapshot(tmp_path))
    headlined = sum(row[-1] is not None for row in snapshots[0][1])  # (the feeds page's)
    assert headlined >= 5
    assert runs[0] == [("end", files, headlined)]
    # (asked before the feeds page is made too: none to write then)
    assert runs[1] == [("rows", files, 0), ("headlines", 0, -1), ("headlines", headlined, 0),
                       ("end", 0, 0)]  # fmt: skip
    assert snapshots[0] == snapshots[1]


def test_headlines_wait_for_the_rows_they_go_in(tmp_path: Path) -> None:
    """A headline is written into its file's row: while rows are still to be written,
    commit_headlines writes none (its UPDATE would find no row) and keeps them; once
    the rows are in, it writes them and takes them out of the changes."""
    from feedpub.cache import Changes

    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    config = load_config(tmp_path / "config.toml")
    assert not build(config, NOW, full=True, executor=parallel.SERIAL).failed
    cache = incremental.open_cache(config, readonly=False)
    try:
        assert cache.db is not None
        path, size, mtime, digest = cache.db.execute(
            "SELECT path, size, mtime_ns, digest FROM files WHERE headline IS NOT NULL"
        ).fetchone()
        changes = Changes(touched=[(path, size + 1, mtime)],
                          headlines=[(path, digest, '"new"')])  # fmt: skip
        assert not cache.commit_headlines(changes)
        assert changes.headlines == [(path, digest, '"new"')]
        assert cache.commit_files(changes) and not changes.touched
        assert cache.commit_headlines(changes)
        assert changes.headlines == []
        assert not cache.commit_headlines(changes)  # (none left)
        assert cache.db.execute("SELECT size, headline FROM files WHERE path=?",
                                (path,)).fetchone() == (size + 1, '"new"')  # fmt: skip
    finally:
        cache.close()


def test_the_files_rows_are_written_while_the_build_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build holds at most ROWS_HELD rows of the files it read: each time it holds
    that many, it writes them to the cache and reads on, serial or with workers; the
    cache and the feeds are those of a build that held every row to the end. A cache
    that refuses them is asked once, and gets them all at the end."""
    from feedpub import build as build_module
    from feedpub.cache import Cache

    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    _settle(tmp_path)
    config = load_config(tmp_path / "config.toml")
    files = len(list((tmp_path / "content").rglob("*.txt")))
    assert files >= 10
    real_files = Cache.commit_files
    written: list[int] = []

    def commit_files(self: Cache, changes: Any) -> bool:
        written.append(len(changes.stored))
        return real_files(self, changes)

    def refusing(self: Cache, changes: Any) -> bool:
        written.append(len(changes.stored))
        return False

    snapshots = []
    for held, ex, fn, expected in (
        (10**9, parallel.SERIAL, commit_files, []),
        (3, parallel.SERIAL, commit_files, [3] * (files // 3)),
        (3, parallel.Workers(2, least=1, chunk=2), commit_files,
         [3] * (files // 3) + [files % 3]),  # (then the rest while workers render)
        (3, parallel.SERIAL, refusing, [3]),
    ):  # fmt: skip
        monkeypatch.setattr(build_module, "ROWS_HELD", held)
        monkeypatch.setattr(Cache, "commit_files", fn)
        written.clear()
        shutil.rmtree(tmp_path / "feeds", ignore_errors=True)
        shutil.rmtree(tmp_path / ".feedpub", ignore_errors=True)
        assert not build(config, NOW, full=True, executor=ex).failed
        assert written == expected
        snapshots.append(_snapshot(tmp_path))
    assert len(snapshots[0][1]) == files
    assert snapshots[1:] == [snapshots[0]] * 3


# ------------------------------------------------------------------ where new files go


def _flags(folder: Path) -> int | None:
    """The folder's inode flags (``lsattr``), or None where they cannot be read."""
    import fcntl
    import struct

    fd = os.open(folder, os.O_RDONLY)
    try:
        return int(struct.unpack("i", fcntl.ioctl(fd, parallel.FS_IOC_GETFLAGS, bytes(4)))[0])
    except OSError:
        return None
    finally:
        os.close(fd)


@pytest.mark.parametrize("marked_before", [False, True])
def test_a_fresh_folder_is_made_in_its_parent_whose_flags_are_put_back(
    tmp_path: Path, marked_before: bool
) -> None:
    """The folder is new, empty and in ``parent``; the parent is marked as a top of a
    hierarchy only for the mkdir (its flags afterwards are those it had: a folder the
    user marked stays marked)."""
    parent = tmp_path / "feeds"
    parent.mkdir()
    before = _flags(parent)
    assert before is not None or not sys.platform.startswith("linux"), "ext4 reads flags"
    if marked_before and before is not None:
        import fcntl
        import struct

        fd = os.open(parent, os.O_RDONLY)
        try:
            fcntl.ioctl(
                fd, parallel.FS_IOC_SETFLAGS, struct.pack("i", before | parallel.FS_TOPDIR_FL)
            )
        finally:
            os.close(fd)
        before = _flags(parent)
        assert before is not None and before & parallel.FS_TOPDIR_FL
    made = [parallel.fresh_folder(parent, ".stage.") for _ in range(3)]
    assert len(set(made)) == 3
    for folder in made:
        assert folder.parent == parent and folder.name.startswith(".stage.")
        assert folder.is_dir() and not list(folder.iterdir())
    assert _flags(parent) == before


def test_the_parent_is_marked_for_the_mkdir_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calls, in order: read the flags, mark, make the folder, put the flags back."""
    import fcntl
    import struct
    import tempfile

    calls: list[tuple[str, int]] = []
    real_mkdtemp = tempfile.mkdtemp

    def ioctl(fd: int, request: int, arg: bytes) -> bytes:
        if request == parallel.FS_IOC_GETFLAGS:
            calls.append(("get", 0))
            return struct.pack("i", 0x80000)
        calls.append(("set", struct.unpack("i", arg)[0]))
        return arg

    def mkdtemp(**kwargs: Any) -> str:
        calls.append(("mkdir", 0))
        return real_mkdtemp(**kwargs)

    monkeypatch.setattr(fcntl, "ioctl", ioctl)
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(os, "uname", lambda: os.uname_result(("Linux", "h", "6", "#1", "x86_64")))
    monkeypatch.setattr(sys, "platform", "linux")
    parallel.fresh_folder(tmp_path, ".s.")
    assert calls == [("get", 0), ("set", 0x80000 | parallel.FS_TOPDIR_FL), ("mkdir", 0),
                     ("set", 0x80000)]  # fmt: skip


@pytest.mark.parametrize("fails", ["get", "set"])
def test_a_folder_whose_flags_cannot_be_read_or_set_still_gets_its_fresh_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    """Another file system, or a folder of another owner: the folder is made plainly."""
    import fcntl

    real_ioctl = fcntl.ioctl

    def ioctl(fd: int, request: int, arg: bytes) -> bytes:
        if (request == parallel.FS_IOC_GETFLAGS) == (fails == "get"):
            raise OSError(errno.ENOTTY if fails == "get" else errno.EPERM, "no")
        return real_ioctl(fd, request, arg)  # type: ignore[no-any-return]

    before = _flags(tmp_path)
    monkeypatch.setattr(fcntl, "ioctl", ioctl)
    folder = parallel.fresh_folder(tmp_path, ".s.")
    assert folder.is_dir() and folder.parent == tmp_path
    monkeypatch.undo()
    assert _flags(tmp_path) == before


class _Clock:
    """A clock by which making a file takes ``costs[i]`` seconds, the i-th file (cycling)."""

    def __init__(self, costs: list[float]) -> None:
        self.costs, self.now, self.calls = costs, 0.0, 0

    def __call__(self) -> float:
        if self.calls % 2:  # the reading after a file was made
            self.now += self.costs[(self.calls // 2) % len(self.costs)]
        self.calls += 1
        return self.now


def _made(new: parallel.NewFiles, n: int) -> list[str]:
    paths = []
    for i in range(n):
        fd, path = new.make(f"f{i}.rss")
        os.write(fd, b"x")
        os.close(fd)
        paths.append(path)
    return paths


def test_new_files_move_to_a_fresh_folder_when_making_them_is_slow(tmp_path: Path) -> None:
    watched: list[Path] = []
    new = parallel.NewFiles(tmp_path, ".s.", watched.append, _Clock([parallel.SLOW_FILE * 3]))
    window = parallel.SLOW_WINDOW
    paths = _made(new, window * (parallel.MOVES + 3))
    assert len(new.folders) == parallel.MOVES + 1  # and no more
    assert watched == new.folders
    assert len(set(paths)) == len(paths)
    for k, folder in enumerate(new.folders):
        assert folder.parent == tmp_path and folder.name.startswith(".s.")
        mine = paths[k * window : (k + 1) * window] if k < parallel.MOVES else paths[k * window :]
        assert sorted(str(p) for p in folder.iterdir()) == sorted(mine)
    assert all(os.path.basename(p).startswith(".f") and p.endswith(".tmp") for p in paths)
    assert all(os.stat(p).st_mode & 0o777 == 0o600 for p in paths)


@pytest.mark.parametrize(
    "costs",
    [[0.0], [parallel.SLOW_FILE / 2], [1.0] + [0.0] * (parallel.SLOW_WINDOW - 1)],
    ids=["quick", "under", "one-preempted"],
)
def test_new_files_stay_in_one_folder_while_making_them_is_quick(
    tmp_path: Path, costs: list[float]
) -> None:
    new = parallel.NewFiles(tmp_path, ".s.", lambda folder: None, _Clock(costs))
    paths = _made(new, parallel.SLOW_WINDOW * 10)
    assert len(new.folders) == 1
    assert len(list(new.folders[0].iterdir())) == len(paths)


def test_new_files_stay_where_they_are_when_no_other_folder_can_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move that cannot make its folder (a full disk, a limit) is no error: the files
    go on being made in the folder they were made in."""
    import tempfile

    new = parallel.NewFiles(tmp_path, ".s.", lambda folder: None, _Clock([1.0]))
    _made(new, 1)
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(**kwargs: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    paths = _made(new, parallel.SLOW_WINDOW * 3)
    monkeypatch.setattr(tempfile, "mkdtemp", real_mkdtemp)
    assert len(new.folders) == 1
    assert all(os.path.dirname(p) == str(new.folders[0]) for p in paths)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
@pytest.mark.parametrize("first_fails", [False, True])
def test_a_write_back_begun_early_is_waited_for_and_its_failure_not_forgotten(
    tmp_path: Path, fsyncs: list[str], first_fails: bool
) -> None:
    """start() writes back in a thread; sync() waits for it and syncs again. A failed
    early syncfs has reported its error: then every file gets its fsync, even though a
    second syncfs would say 0."""
    syncs = _Syncs()
    calls: list[int] = []

    def syncfs(fd: int) -> int:  # fails the first time only, when told to
        calls.append(fd)
        return -1 if first_fails and len(calls) == 1 else syncs(fd)

    durable = parallel.Durable(syncfs)
    folder = tmp_path / "stage"
    paths = _files(folder, parallel.SYNC_TOGETHER)
    durable.watch(folder)
    durable.start()
    durable.start()  # (once is enough: a second start waits for nothing new)
    assert durable.sync(paths) == [None] * len(paths)
    if first_fails:
        assert len(calls) == 1 and syncs.folders == []
        assert sorted(fsyncs) == sorted(paths)
    else:
        assert len(calls) == 2 and syncs.folders == [str(folder)] * 2
        assert fsyncs == []
    durable.close()


def test_a_write_back_begun_is_waited_for_by_close(tmp_path: Path) -> None:
    """A build stopped before its commit closes the descriptors only once the thread
    that writes back through them is done."""
    release = threading.Event()
    calls: list[int] = []

    def slow_syncfs(fd: int) -> int:
        release.wait(5)
        calls.append(os.fstat(fd).st_ino)  # (the descriptor is still open)
        return 0

    durable = parallel.Durable(slow_syncfs)
    durable.watch(tmp_path)
    durable.start()
    threading.Timer(0.05, release.set).start()
    durable.close()
    assert calls == [tmp_path.stat().st_ino]


def test_workers_gone_before_they_are_given_work_are_a_worker_lost() -> None:
    """Every worker killed before this process handed out the work (the out-of-memory
    killer, at once): the write of the parts' numbers met a pipe with no reader, and the
    build ended with "feeds: Broken pipe" instead of saying what happened. (Run in a
    process of its own: each child it forks exits at once, and the parent waits before
    it writes.)"""
    script = (
        "import os, time\n"
        "from feedpub import parallel\n"
        "os.register_at_fork(after_in_child=lambda: os._exit(1),\n"
        "                    after_in_parent=lambda: time.sleep(0.3))\n"
        "try:\n"
        "    list(parallel.Workers(2).map(lambda c: c, list(range(100)), parallel.Shape(1, 10)))\n"
        "except parallel.WorkerLost as e:\n"
        "    print('lost:', e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "lost: a worker process stopped before its work was done\n"


# ------------------------------------------------------------------ compiled patterns kept


def _python(script: str, cache: Path, **env: str) -> str:
    """``script`` run by a new Python whose user's cache folder is ``cache`` (where
    feedpub keeps its compiled patterns); its output."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120,
                          env={**os.environ, "XDG_CACHE_HOME": str(cache), **env})  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


#: What a run compiles: every pattern of feedpub's modules and of those they import
#: (PyYAML's, ftfy's, lxml's), and one with a named group, inline flags and flags given.
_COMPILE = """
import re
from feedpub import parallel
parallel.load_patterns()
import feedpub.cli, feedpub.articles, feedpub.notices, feedpub.site
import feedpub.formats.xmlcheck, feedpub.formats.xmlparts, feedpub.fasthtml
from feedpub.sanitize import load_text_tools
load_text_tools()
re.compile(r"(?P<word>[a-z]+)(?i:X)\\Z", re.M)
re.compile(rb"[\\x80-\\xff]{2}")
parallel.save_patterns()
"""

#: What a later run finds: each pattern put in re's cache from the file, with the one
#: that compiling it again gives (``==`` compares their flags, pattern and code).
_CHECK = """
import re
from feedpub import parallel
before = set(re._cache)
parallel.load_patterns()
found = [k for k in parallel._KEPT if k not in before]
for key in found:
    loaded = re._cache[key]
    again = re._compiler.compile(key[1], key[2])
    assert loaded == again and loaded.groupindex == again.groupindex, key
    assert loaded.groups == again.groups and re.compile(key[1], key[2]) is loaded, key
print(len(found), (str, r"(?P<word>[a-z]+)(?i:X)\\Z", re.M.value) in found,
      (bytes, rb"[\\x80-\\xff]{2}", 0) in found)
"""


def _kept_file(cache: Path) -> Path:
    found = list(cache.rglob("patterns-*.marshal"))
    assert len(found) == 1, found
    return found[0]


def test_the_patterns_a_run_keeps_are_those_compiling_gives(tmp_path: Path) -> None:
    _python(_COMPILE, tmp_path)
    kept = _kept_file(tmp_path)
    assert kept.parent == tmp_path / "feedpub" and kept.parent.stat().st_mode & 0o777 == 0o700
    count, mine, bytes_too = _python(_CHECK, tmp_path).split()
    assert int(count) > 200 and mine == bytes_too == "True"
    # and a run that compiles nothing new leaves the file as it is
    stat = kept.stat()
    _python(_COMPILE, tmp_path)
    assert kept.stat().st_mtime_ns == stat.st_mtime_ns and kept.stat().st_ino == stat.st_ino


#: A run that compiles patterns, then cannot compile any: what it keeps, it learnt as it
#: compiled them (all but the few compiled before feedpub.parallel was imported).
_NOT_AGAIN = """
import re
from feedpub import parallel
parallel.load_patterns()
import feedpub.cli
re.compile(r"(?P<word>[a-z]+)(?i:X)\\Z", re.M)
re.compile(rb"[\\x80-\\xff]{2}")
def refuse(*args):
    raise AssertionError("compiled again")
re._parser.parse = refuse
parallel.save_patterns()
print(len(parallel._KEPT))
"""


def test_a_run_keeps_its_patterns_without_compiling_them_again(tmp_path: Path) -> None:
    assert int(_python(_NOT_AGAIN, tmp_path)) > 40  # (feedpub.cli compiles some 50)
    count, mine, bytes_too = _python(_CHECK, tmp_path).split()
    assert int(count) > 40 and mine == bytes_too == "True"


def test_patterns_of_another_python_or_damaged_are_not_used(tmp_path: Path) -> None:
    _python(_COMPILE, tmp_path)
    kept = _kept_file(tmp_path)
    tag, entries = marshal.loads(kept.read_bytes())
    kept.write_bytes(marshal.dumps((("3.0.1", *tag[1:]), entries)))
    assert _python(_CHECK, tmp_path).split() == ["0", "False", "False"]
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short
    assert _python(_CHECK, tmp_path).split() == ["0", "False", "False"]
    _python(_COMPILE, tmp_path)  # written again, whole
    assert _python(_CHECK, tmp_path).split()[1:] == ["True", "True"]


def test_where_no_cache_folder_can_be_made_patterns_are_compiled_as_usual(tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_bytes(b"")
    _python(_COMPILE, blocked)  # (its "feedpub" folder cannot be made)
    _python(_COMPILE, Path("relative"), XDG_CACHE_HOME="relative")  # ignored, as XDG says
    home = tmp_path / "home"
    _python(_COMPILE, home, XDG_CACHE_HOME="", HOME=str(home))  # then ~/.cache
    assert not (ROOT / "relative").exists() and _kept_file(home / ".cache")
    assert blocked.read_bytes() == b""


def test_saving_the_patterns_never_stops_the_program(tmp_path: Path) -> None:
    script = """
import re
from feedpub import parallel
parallel.load_patterns()
re.compile("[a-z]+x")
parallel._pattern_entry = lambda key, args: (object(),)  # (what marshal cannot write)
parallel.save_patterns()
print("went on")
"""
    assert _python(script, tmp_path) == "went on\n"
    assert not list(tmp_path.rglob("patterns-*"))


def test_a_build_keeps_its_patterns_for_the_next(  # type: ignore[no-untyped-def]
    tmp_path: Path, write_config, seeds_dir: Path
) -> None:
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS)
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "feedpub", "build", "-c", str(cfg),
               "--now", "2026-11-01T00:00:00Z"]  # fmt: skip
    outputs = []
    for full in (["--full"], ["--full"]):
        done = subprocess.run([*command, *full], capture_output=True, timeout=120,
                              env={**os.environ, "XDG_CACHE_HOME": str(cache)})  # fmt: skip
        assert done.returncode == 0 and done.stderr == b"", done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted((tmp_path / "feeds").iterdir())})
        if len(outputs) == 1:
            kept = _kept_file(cache)
            stat = kept.stat()
    # the second build found every pattern it compiles kept (else it writes them), and
    # wrote the same bytes
    assert kept.stat().st_mtime_ns == stat.st_mtime_ns and kept.stat().st_ino == stat.st_ino
    assert outputs[0] == outputs[1]
