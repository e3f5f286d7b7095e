"""find(): the files glob would find (scanned faster), never outside the content root,
the same whether a forked child stats half of them or not; read_source(): a file read
whole, never past the size limit."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from feedpub import incremental, parallel, sources
from feedpub.config import Config, load_config
from feedpub.errors import ArticleError
from feedpub.model import SourceFile
from feedpub.sources import Found, find

from .conftest import SITE

TREE = ["a.txt", ".hidden.txt", "b.md", "sub/b.txt", "sub/.h/c.txt", "sub/deeper/d.txt",
        "sub/deeper/e.TXT", "sub/.f.txt", "other/g.txt", "x[1]/h.txt",
        "c.txt.bak", "txt", "d.txtx", "folder.txt/i.txt", "j..txt"]  # fmt: skip


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
        "content/*.md",
        "content/*.TXT",
    ],
)
def test_finds_what_glob_finds(tree: Path, pattern: str) -> None:
    config = load_config(_config(tree, [pattern]))
    expected = sorted(
        Path(os.path.relpath(p, tree)).as_posix()
        for p in glob.glob(str(tree / pattern), recursive=True)
        if os.path.isfile(p)
    )
    assert [s.path for s in find(config).sources] == expected


def test_a_symlink_loop_ends_and_links_out_of_the_root_are_skipped(tree: Path) -> None:
    outside = tree / "secret.txt"
    outside.write_text("x", encoding="utf-8")
    (tree / "content" / "sub" / "loop").symlink_to(tree / "content")
    (tree / "content" / "leak.txt").symlink_to(outside)
    (tree / "content" / "inside.txt").symlink_to(tree / "content" / "a.txt")
    config = load_config(_config(tree, ["content/**/*.txt"]))
    paths = [s.path for s in find(config).sources]
    skipped = find(config).skipped
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

    monkeypatch.setattr(os, "fstat", shrunk)
    src = SourceFile("a.txt", str(path), 100, 0)
    if ok:
        assert sources.read_source(src, limit) == b"x" * real
    else:
        with pytest.raises(ArticleError, match="grew over the limit of 10000 bytes"):
            sources.read_source(src, limit)


@pytest.mark.parametrize(("listed", "real"), [(4000, 4000), (4000, 100), (100, 4000), (0, 50)])
def test_a_file_is_read_whole_whether_its_size_changed_since_it_was_listed_or_not(
    tmp_path: Path, listed: int, real: int
) -> None:
    """One read of the listed size (plus a byte) when the file still has it; the
    careful way (fstat, then read on) when it shrank or grew."""
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(range(256)) * (real // 256) + b"y" * (real % 256))
    src = SourceFile("a.txt", str(path), listed, 0)
    assert sources.read_source(src, 10_000) == path.read_bytes()
    limit = real - 1  # and one byte too many is refused, either way
    with pytest.raises(ArticleError, match=f"over the limit of {limit}"):
        sources.read_source(src, limit)


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


def test_a_forked_child_stats_half_the_folders_and_the_listing_is_the_same(
    wide_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(_config(wide_tree, ["content/**/*.txt", "content/f2/*"]))
    alone = find(config)
    forks: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    shared = find(config, parallel.Workers(2, least=1))
    assert len(forks) == 1
    _same(shared, alone, config)
    paths = [s.path for s in shared.sources]
    assert paths == sorted(set(paths)) and "content/f4/in.txt" in paths
    assert "content/f2/c.md" in paths and "content/f1/leak.txt" not in paths
    assert any("leak.txt" in note for note in shared.skipped)


def test_when_no_child_can_be_forked_this_process_stats_everything(
    wide_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(_config(wide_tree, ["content/**/*.txt"]))
    alone = find(config)

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    _same(find(config, parallel.Workers(2, least=1)), alone, config)


def _same(found: Found, alone: Found, config: Config) -> None:
    """The same files found, and the same state of the listing, as by one process."""
    assert (found.sources, found.skipped, found.unusable) == (
        alone.sources, alone.skipped, alone.unusable
    )  # fmt: skip
    assert found.count() == alone.count() == len(alone.sources)
    assert incremental.state(config, found, None, False) == incremental.state(
        config, alone, None, False
    )


def test_a_file_swapped_for_a_symlink_out_of_the_content_after_listing_is_not_read(
    tmp_path: Path,
) -> None:
    """The listing follows a symlink only into the content folders; a file swapped for
    one that leads out between the listing and the reading was read through it (a
    tester's race published a private file, and the cache kept it until --full). Read
    as the listing would read it: not at all (None: changed since listed), through a
    symlink that stays inside, or through a subfolder swapped for one."""
    content, private = tmp_path / "content", tmp_path / "private"
    (content / "sub").mkdir(parents=True)
    private.mkdir()
    (private / "secret.txt").write_bytes(b"private")
    (content / "other.txt").write_bytes(b"inside")
    cfg = load_config(_config(tmp_path, ["content/*.txt", "content/**/*.txt"]))
    inside = sources.content_prefixes(cfg)
    assert inside == (os.path.realpath(content) + os.sep,) * 2
    article, nested = content / "a.txt", content / "sub" / "b.txt"
    for path in (article, nested):
        path.write_bytes(b"listed!")
    listed = [SourceFile(str(p.relative_to(tmp_path)), str(p), 7, 0) for p in (article, nested)]
    assert [sources.read_source(src, 100, inside) for src in listed] == [b"listed!"] * 2

    article.unlink()
    article.symlink_to(private / "secret.txt")  # (the same size: one read)
    assert sources.read_source(listed[0], 100, inside) is None
    assert sources.read_source(listed[0], 100) == b"private"  # (what the reading did)
    article.unlink()
    article.symlink_to(content / "other.txt")  # a symlink inside is followed
    assert sources.read_source(listed[0], 100, inside) == b"inside"

    (content / "sub").rename(content / "was-sub")
    (content / "sub").symlink_to(private, target_is_directory=True)
    (private / "b.txt").write_bytes(b"private")
    assert sources.read_source(listed[1], 100, inside) is None


@pytest.mark.parametrize(
    ("name", "sibling"), [("site [2020]", "site 2"), ("what?", "whatX"), ("star*", "starry")]
)
def test_the_config_folder_is_a_path_not_a_glob_the_content_globs_are(
    tmp_path: Path, name: str, sibling: str
) -> None:
    """A site in a folder whose name holds glob characters (``site [2020]``) found no
    article: its folder was read as part of the glob (``[2020]``, one of 2 and 0), and
    a folder beside it that the glob matched (``site 2``) was read instead. The
    folder is taken as it is written; the globs of site.content keep their wildcards."""
    for folder, files in ((name, ["a.txt", "b.txt", "sub/c.txt"]), (sibling, ["x.txt"])):
        for file in files:
            path = tmp_path / folder / "content" / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x", encoding="utf-8")
    site = tmp_path / name
    cases = {
        "content/*.txt": ["content/a.txt", "content/b.txt"],
        "content/**/*.txt": ["content/a.txt", "content/b.txt", "content/sub/c.txt"],
        "content/[a]*.txt": ["content/a.txt"],
        "content/b.txt": ["content/b.txt"],
        "./content/../content/s?b/*": ["content/sub/c.txt"],
    }
    for pattern, expected in cases.items():
        config = load_config(_config(site, [pattern]))
        assert [s.path for s in find(config).sources] == expected, pattern
        folder = "content/sub" if "sub" in pattern else "content"
        assert sources.content_prefixes(config) == (os.path.realpath(site / folder) + os.sep,)
