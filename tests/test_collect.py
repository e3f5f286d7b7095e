"""discover(): the files glob would find (scanned faster), never outside the content root;
read_source(): a file read whole, never past the size limit."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

import pytest

from feedpub import collect
from feedpub.collect import discover
from feedpub.config import load_config
from feedpub.errors import ArticleError

from .conftest import SITE

TREE = ["a.txt", ".hidden.txt", "b.md", "sub/b.txt", "sub/.h/c.txt", "sub/deeper/d.txt",
        "sub/deeper/e.TXT", "sub/.f.txt", "other/g.txt", "x[1]/h.txt"]  # fmt: skip


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in TREE:
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    return tmp_path


def _config(root: Path, patterns: list[str]) -> Path:
    globs = "[" + ", ".join(f'"{p}"' for p in patterns) + "]"
    cfg = root / "config.toml"
    cfg.write_text(
        SITE.format(content=globs) + '\n[feeds.a]\ntitle = "A"\ntopics = ["*"]\n', encoding="utf-8"
    )
    return cfg


@pytest.mark.parametrize(
    "pattern",
    [
        "content/*.txt",
        "content/**/*.txt",
        "content/**",
        "content/sub/*/*.txt",
        "content/.*.txt",
        "content/sub/deeper/d.txt",
        "content/**/deeper/*",
        "content/*/*.txt",
        "content/sub/**/*.txt",
    ],
)
def test_finds_what_glob_finds(tree: Path, pattern: str) -> None:
    config = load_config(_config(tree, [pattern]))
    expected = sorted(
        Path(os.path.relpath(p, tree)).as_posix()
        for p in glob.glob(str(tree / pattern), recursive=True)
        if os.path.isfile(p)
    )
    assert [s.path for s in discover(config)] == expected


def test_a_symlink_loop_ends_and_links_out_of_the_root_are_skipped(tree: Path) -> None:
    outside = tree / "secret.txt"
    outside.write_text("x", encoding="utf-8")
    (tree / "content" / "sub" / "loop").symlink_to(tree / "content")
    (tree / "content" / "leak.txt").symlink_to(outside)
    (tree / "content" / "inside.txt").symlink_to(tree / "content" / "a.txt")
    config = load_config(_config(tree, ["content/**/*.txt"]))
    skipped: list[str] = []
    paths = [s.path for s in discover(config, skipped)]
    assert "content/leak.txt" not in paths and any("leak.txt" in n for n in skipped)
    assert "content/inside.txt" in paths and "content/a.txt" in paths
    assert len(paths) == len(set(paths)) and len(paths) < 40


@pytest.mark.parametrize(("real", "limit", "ok"), [(5000, 10_000, True), (50_000, 10_000, False)])
def test_a_file_that_grows_after_its_size_was_taken_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real: int, limit: int, ok: bool
) -> None:
    """read_source reads the size fstat gave plus one byte; a file that grew since is
    read on, never past the limit."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * real)
    real_fstat = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        st = list(real_fstat(fd))
        st[6] = 100  # st_size as it was "before the file grew"
        return os.stat_result(st)

    monkeypatch.setattr(collect.os, "fstat", shrunk)
    src = collect.SourceFile("a.txt", str(path), 100, 0)
    if ok:
        assert collect.read_source(src, limit) == b"x" * real
    else:
        with pytest.raises(ArticleError, match="grew over the limit of 10000 bytes"):
            collect.read_source(src, limit)


@pytest.mark.parametrize(("listed", "real"), [(4000, 4000), (4000, 100), (100, 4000), (0, 50)])
def test_a_file_is_read_whole_whether_its_size_changed_since_it_was_listed_or_not(
    tmp_path: Path, listed: int, real: int
) -> None:
    """One read of the listed size (plus a byte) when the file still has it; the
    careful way (fstat, then read on) when it shrank or grew."""
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(range(256)) * (real // 256) + b"y" * (real % 256))
    src = collect.SourceFile("a.txt", str(path), listed, 0)
    assert collect.read_source(src, 10_000) == path.read_bytes()
    limit = real - 1  # and one byte too many is refused, either way
    with pytest.raises(ArticleError, match=f"over the limit of {limit}"):
        collect.read_source(src, limit)


def test_pool_workers_leave_the_objects_they_were_forked_with_to_refcounting() -> None:
    import gc

    held = [object() for _ in range(1000)]  # what a build holds when it forks its workers
    with collect.worker_pool(1) as pool:
        frozen = pool.submit(gc.get_freeze_count).result()
    assert frozen >= len(held)
    assert gc.get_freeze_count() == 0  # the build's own collector is untouched


@pytest.fixture
def wide_tree(tree: Path) -> Path:
    """The tree, plus folders enough to share out, a link inside and one leading out."""
    for k in range(6):
        for name in ("a.txt", "b.txt", "c.md"):
            path = tree / "content" / f"f{k}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(k) * k, encoding="utf-8")
    (tree / "secret.txt").write_text("x", encoding="utf-8")
    (tree / "content" / "f1" / "leak.txt").symlink_to(tree / "secret.txt")
    (tree / "content" / "f4" / "in.txt").symlink_to(tree / "content" / "f0" / "a.txt")
    return tree


def _listing(config_path: Path, jobs: int) -> tuple[list[collect.SourceFile], list[str]]:
    skipped: list[str] = []
    return discover(load_config(config_path), skipped, jobs), skipped


def test_a_forked_child_stats_half_the_folders_and_the_listing_is_the_same(
    wide_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _config(wide_tree, ["content/**/*.txt", "content/f2/*"])
    alone = _listing(cfg, 1)
    forks: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(collect, "PARALLEL_STAT", 1)
    monkeypatch.setattr(os, "fork", counted_fork)
    shared = _listing(cfg, 2)
    assert len(forks) == 1
    assert shared == alone
    paths = [s.path for s in shared[0]]
    assert paths == sorted(set(paths)) and "content/f4/in.txt" in paths
    assert "content/f2/c.md" in paths and "content/f1/leak.txt" not in paths
    assert any("leak.txt" in note for note in shared[1])


@pytest.mark.parametrize("trouble", ["no fork", "child fails"])
def test_when_the_child_cannot_help_this_process_stats_everything(
    wide_tree: Path, monkeypatch: pytest.MonkeyPatch, trouble: str
) -> None:
    cfg = _config(wide_tree, ["content/**/*.txt"])
    alone = _listing(cfg, 1)
    monkeypatch.setattr(collect, "PARALLEL_STAT", 1)
    if trouble == "no fork":

        def no_fork() -> int:
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(os, "fork", no_fork)
    else:
        parent, files_of = os.getpid(), collect._files_of

        def failing_in_child(*args: object) -> object:
            if os.getpid() != parent:
                raise MemoryError
            return files_of(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(collect, "_files_of", failing_in_child)
    assert _listing(cfg, 2) == alone


def test_every_feedpub_error_survives_the_trip_from_a_worker_process() -> None:
    import pickle

    from feedpub import errors

    sent = [
        errors.ArticleError("content/a.txt", 7, "YAML error: found a tab"),
        errors.ConfigError("config.toml", ["3: feeds.a.title: must be a string"]),
        errors.UnknownTopicError("azur", ["azure"]),
        errors.LockError("another build holds the lock"),
    ]
    for error in sent:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert vars(back) == vars(error)


def _written(path: Path, data: bytes) -> collect.SourceFile:
    path.write_bytes(data)
    return collect.SourceFile(path.name, str(path), len(data), 0)


@pytest.mark.skipif(not hasattr(os, "RWF_NOWAIT"), reason="RWF_NOWAIT is Linux's")
def test_a_file_out_of_the_page_cache_is_told_from_one_in_it(tmp_path: Path) -> None:
    src = _written(tmp_path / "a.txt", b"x" * 10_000)
    assert collect._cached(src)
    for _ in range(20):  # the kernel may keep a page that is busy for a moment
        fd = os.open(src.abspath, os.O_RDONLY)
        try:
            os.fsync(fd)  # clean pages, which the kernel may then drop
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        if not collect._cached(src):
            break
        time.sleep(0.05)
    assert not collect._cached(src)
    assert collect.read_source(src, 1 << 20) == b"x" * 10_000
    assert collect._cached(src)


@pytest.mark.parametrize("cached", [True, False])
def test_files_out_of_the_page_cache_are_asked_for_all_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    chunk = [(_written(tmp_path / f"{i}.txt", b"x"), None) for i in range(3)]
    after = [(_written(tmp_path / f"{i}.txt", b"y"), None) for i in range(3, 5)]
    asked: list[int] = []
    monkeypatch.setattr(collect, "_cached", lambda src: cached)
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, *a: asked.append(os.fstat(fd).st_size))
    collect.read_ahead(chunk, after)
    assert asked == ([] if cached else [1] * 5)
