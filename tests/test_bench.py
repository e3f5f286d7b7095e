"""The benchmark scripts (bench/): the corpus in both layouts, the floor, run.py's Hugo
site and tables. Nothing here is timed: the figures are only checked to be sane."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from feedpub import sanitize
from feedpub.articles import load_article, parse_front_matter, split_front_matter
from feedpub.config import load_config
from feedpub.model import Article
from feedpub.sources import find

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import compare
import floor
import othergen
import run as bench_run
from corpus import DATES, LAYOUTS, STYLES, generate, toml_string

N = 1234  # two subfolders of the nested layout, the second one partly filled


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for layout in LAYOUTS:
        out[layout] = tmp_path_factory.mktemp(layout)
        generate(out[layout], N, seed=5, layout=layout)
    return out


def files_of(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in content.rglob("*") if p.is_file()}


def beside_seeds(tmp_path: Path, n: int, **style: str) -> Iterator[tuple[str, Article, Article]]:
    """Each file of a flat corpus of ``n`` articles written as ``style`` says
    (:func:`generate`'s keywords), with the Article it gives and the one the same
    article gives in the seeds style."""
    generate(tmp_path / "seeds", n, layout="flat")
    generate(tmp_path / "other", n, layout="flat", **style)
    for seeds in sorted((tmp_path / "seeds" / "content").iterdir()):
        path, name = tmp_path / "other" / "content" / seeds.name, f"content/{seeds.name}"
        yield (path.read_text(encoding="utf-8"), load_article(name, path.read_bytes(), UTC),
               load_article(name, seeds.read_bytes(), UTC))  # fmt: skip


def test_both_layouts_hold_the_same_article_bytes(corpora: dict[str, Path]) -> None:
    flat, nested = (files_of(corpora[x] / "content") for x in ("flat", "nested"))
    assert len(flat) == N and flat == nested


def test_the_layouts_place_the_files_as_named(corpora: dict[str, Path]) -> None:
    flat = corpora["flat"] / "content"
    assert not [p for p in flat.iterdir() if p.is_dir()]
    assert sum(1 for _ in flat.iterdir()) == N
    nested = corpora["nested"] / "content"
    folders = sorted(p for p in nested.iterdir())
    assert [p.name for p in folders] == ["0000", "0001"]
    assert [sum(1 for _ in p.iterdir()) for p in folders] == [1000, 234]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(
    corpora: dict[str, Path], tmp_path: Path
) -> None:
    generate(tmp_path / "again", 50, seed=5, layout="flat")
    generate(tmp_path / "other", 50, seed=6, layout="flat")
    again, other = (
        files_of(tmp_path / "again" / "content"),
        files_of(tmp_path / "other" / "content"),
    )
    first = files_of(corpora["flat"] / "content")
    assert all(first[name] == data for name, data in again.items())
    assert again != other


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_config_of_each_layout_finds_every_article(
    corpora: dict[str, Path], layout: str
) -> None:
    config = load_config(corpora[layout] / "config.toml")
    found = find(config).sources
    assert len(found) == N
    assert {Path(f.path).name for f in found} == set(files_of(corpora[layout] / "content"))


def test_the_configs_differ_only_in_the_content_glob(corpora: dict[str, Path]) -> None:
    flat, nested = ((corpora[x] / "config.toml").read_text().splitlines() for x in LAYOUTS)
    assert [(a, b) for a, b in zip(flat, nested, strict=True) if a != b] == [
        ('content = ["content/*.txt"]', 'content = ["content/**/*.txt"]')
    ]


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="layout"):
        generate(tmp_path, 1, layout="deep")


def _topic_counts(corpus: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in (corpus / "content").rglob("*.txt"):
        counts.update(parse_front_matter(path.name, path.read_bytes())[0]["topics"])
    return counts


def test_the_spreads_draw_topics_skewed_or_alike(corpora: dict[str, Path], tmp_path: Path) -> None:
    """zipf (the default): a few topics in most articles, many in none; even: every
    topic in some, none in more than three times its share."""
    generate(tmp_path, N, seed=5, layout="flat", spread="even")
    skewed, even = _topic_counts(corpora["flat"]), _topic_counts(tmp_path)
    expected = sum(even.values()) / 300
    assert len(even) == 300 and max(even.values()) < expected * 3
    assert max(skewed.values()) > N / 10 and len(skewed) < 300
    assert sum(skewed.values()) == pytest.approx(sum(even.values()), rel=0.1)
    with pytest.raises(ValueError, match="spread"):
        generate(tmp_path / "x", 1, spread="flat")


@pytest.mark.parametrize(("layout", "folders"), [("flat", 1), ("nested", 3)])
def test_the_floor_counts_every_file_and_gives_sane_times(
    corpora: dict[str, Path], layout: str, folders: int
) -> None:
    content = corpora[layout] / "content"
    assert floor.serial(content) == floor.two_processes(content) == (folders, N)
    figures = floor.measure(content, repeat=2)
    assert (figures.folders, figures.files) == (folders, N)
    for seconds in (figures.serial_s, figures.two_procs_s):
        assert 0 < seconds < 60 and math.isfinite(seconds)


def test_the_floor_of_an_empty_folder_and_of_a_lone_file(tmp_path: Path) -> None:
    assert floor.two_processes(tmp_path) == (1, 0)
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert floor.serial(tmp_path) == floor.two_processes(tmp_path) == (2, 1)


def test_the_floor_runs_as_a_script(corpora: dict[str, Path]) -> None:
    script = ROOT / "bench" / "floor.py"
    cmd = [sys.executable, str(script), str(corpora["flat"] / "content"), "--repeat", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{N:,} files in 1 folders" in done.stdout
    assert "two processes" in done.stdout and "start-up" in done.stdout


def test_startup_is_a_time() -> None:
    assert 0 < floor.startup(repeat=1) < 60


@pytest.mark.parametrize("layout", LAYOUTS)
def test_hugo_gets_the_same_files_in_the_same_layout(corpora: dict[str, Path], layout: str) -> None:
    site = bench_run.hugo_site(corpora[layout])
    posts = site / "content" / "posts"
    content = corpora[layout] / "content"
    pages = sorted(p.relative_to(posts) for p in posts.rglob("*.md") if p.name != "_index.md")
    assert pages == sorted(
        p.relative_to(content).with_suffix(".md") for p in content.rglob("*.txt")
    )
    one = pages[0]
    data, original = (posts / one).read_bytes(), (content / one.with_suffix(".txt")).read_bytes()
    assert data.startswith(b"---\ndraft: ") and data.split(b"\n", 2)[2] == original[4:]


def test_the_memory_of_a_build_counts_its_forked_workers() -> None:
    """run.py's peak memory is of the whole process tree: a grandchild's resident
    memory counts, as the scan of every process finds it."""
    code = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    held = bytearray(64 << 20)\n"  # (zeroed: every page touched)
        "    print('ready', flush=True)\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "time.sleep(30)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            tree = bench_run._tree_by_scan(proc.pid)
            assert len(tree) == 2 and tree[0] == proc.pid
            assert bench_run._tree_rss_kb(proc.pid) >= 64 << 10
        finally:
            proc.kill()


def test_the_tables_say_n_a_without_hugo() -> None:
    res: bench_run.Results = {
        "cold": [(2.0, 100.0)],
        "warm": [(0.5, 30.0)],
        "floor": [(0.01, 0.02)],
        "one": [(1.0, 50.0)],
        "hugo": [],
    }
    lines = bench_run.layout_table("flat", {1000: res})
    assert "content = 'content/*.txt'" in lines[0]
    assert lines[-1].startswith("| 1,000 | 2.00 s / 100 MB | 0.50 s / 30 MB | 0.010 s / 0.020 s")
    assert lines[-1].count("n/a") == 4
    ratios = bench_run.flat_vs_nested({1000: res}, {1000: res})[-1]
    assert ratios == "| 1,000 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | n/a |"


def test_the_block_style_holds_the_same_articles_read_without_pyyaml(tmp_path: Path) -> None:
    """The block style is the seeds style with every excerpt a folded block scalar:
    every file gives the same Article, and every one is read on the fast path."""
    from feedpub.fastyaml import fast_load

    blocks = 0
    for text, article, seeds in beside_seeds(tmp_path, 60, style="block"):
        assert 'excerpt: "' not in text
        blocks += text.count("excerpt: >-\n")
        assert fast_load(split_front_matter(text)[0]) is not None, article.path
        assert article == seeds
    assert blocks > 60


def test_the_jsyaml_style_holds_the_same_articles_read_without_pyyaml(tmp_path: Path) -> None:
    """The jsyaml style is the seeds style with every long text a folded block scalar,
    also after a list's dash, and the excerpt in two paragraphs: every file gives the
    same Article but for the excerpt's paragraph break, and every one is read on the
    fast path, as PyYAML reads it."""
    from dataclasses import replace

    from .test_fastpath import same_as_pyyaml

    folded_items = paragraphs = 0
    for text, js, plain in beside_seeds(tmp_path, 60, style="jsyaml"):
        folded_items += text.count("  - title: >-\n")
        paragraphs += text.count("\nexcerpt: |-\n")
        assert same_as_pyyaml(split_front_matter(text)[0]), js.path
        assert "\n\n" in js.excerpt
        assert replace(js, excerpt=js.excerpt.replace("\n\n", " ")) == plain
    assert folded_items > 20 and paragraphs == 60


def test_the_json_style_holds_the_same_articles_read_without_pyyaml(tmp_path: Path) -> None:
    """The json style writes each value of the seeds style's front matter with
    json.dumps: every file gives the same Article (a related item's date a quoted
    text), and every one is read on the fast path, as PyYAML reads it."""
    from .test_fastpath import same_as_pyyaml

    nested = 0
    for text, article, seeds in beside_seeds(tmp_path, 60, style="json"):
        nested += text.count('\nrelated: [{"title": ') + text.count('\nimages: [{"url": ')
        assert same_as_pyyaml(split_front_matter(text)[0]), article.path
        assert article == seeds
    assert nested > 60


@pytest.mark.parametrize("style", ["dump", "flow"])
def test_the_dump_styles_hold_the_same_articles_read_without_pyyaml(
    tmp_path: Path, style: str
) -> None:
    """The dump and flow styles are the seeds style's front matter written again by
    yaml.safe_dump: every file gives the same Article, and every one is read on the
    fast path."""
    from feedpub.fastyaml import fast_load

    flows = 0
    for text, article, seeds in beside_seeds(tmp_path, 60, style=style):
        assert 'title: "' not in text  # plain texts
        if style == "dump":
            assert "\n- " in text  # sequences not indented
        flows += "topics: [" in text
        assert fast_load(split_front_matter(text)[0]) is not None, article.path
        assert article == seeds
    assert flows == (60 if style == "flow" else 0)
    with pytest.raises(ValueError, match="style"):
        generate(tmp_path / "x", 1, style="pretty")


def test_the_defaults_style_holds_the_same_articles_read_without_pyyaml(tmp_path: Path) -> None:
    """The defaults style is the seeds style's front matter as yaml.safe_dump writes it
    with its defaults: keys sorted, non-ASCII text escaped in double quotes wrapped over
    lines. Every file gives the same Article, and every one is read on the fast path."""
    from feedpub.fastyaml import fast_load

    escaped = wrapped = 0
    for text, article, seeds in beside_seeds(tmp_path, 60, style="defaults"):
        front = split_front_matter(text)[0]
        keys = [line.split(":", 1)[0] for line in front.splitlines() if line[:1].isalpha()]
        assert keys == sorted(keys)
        assert text.isascii()
        escaped += "\\x" in text or "\\u" in text
        wrapped += "\\\n" in text
        assert fast_load(front) is not None, article.path
        assert article == seeds
    assert escaped > 30 and wrapped > 30


def test_the_news_style_holds_headline_texts_read_without_pyyaml(tmp_path: Path) -> None:
    """The news style is the dump style with headline punctuation in every title and
    excerpt: yaml.safe_dump single-quotes and wraps many of them, and lines under a
    text start with a quote, a dash or a "#". Every file is read on the fast path, as
    PyYAML reads it; bench/fastpath.py says so."""
    from .test_fastpath import same_as_pyyaml

    generate(tmp_path / "news", 80, layout="flat", style="news")
    wrapped_quotes = marks = 0
    for path in sorted((tmp_path / "news" / "content").iterdir()):
        text = path.read_text(encoding="utf-8")
        front = split_front_matter(text)[0]
        # (a line that opens a quote and does not close it: an odd count of quotes)
        wrapped_quotes += any(line.count("'") % 2 for line in front.splitlines() if ": '" in line)
        marks += "''" in text or ": '" in text
        assert same_as_pyyaml(front), path.name
    assert wrapped_quotes > 20 and marks > 60
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fastpath.py"), str(tmp_path / "news")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "| news | 80 | 100% / 100% |" in out


def test_fastpath_counts_a_block_pyyaml_refuses_and_goes_on(tmp_path: Path) -> None:
    """A corpus with a front matter PyYAML refuses still gets its row: PyYAML is timed
    on the others, and the row says how many it refused."""
    generate(tmp_path / "c", 6, layout="flat")
    bad = sorted((tmp_path / "c" / "content").iterdir())[0]
    bad.write_text('---\ntitle: "unclosed\n---\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fastpath.py"), str(tmp_path / "c")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "| c | 6 |" in out and "(1 refused) |" in out


@pytest.mark.parametrize("dates", sorted(DATES))
def test_the_newest_published_article_is_found_whatever_form_its_dates_take(
    tmp_path: Path, dates: str
) -> None:
    """The article the "one article changed" run edits is the newest published one, as
    feedpub reads the dates, in every form ``--dates`` writes (an RFC 2822 date does
    not sort as its text)."""
    generate(tmp_path, 60, layout="flat", dates=dates)
    published = [
        path for path in (tmp_path / "content").glob("*.txt")
        if re.search(rb"^published: true", path.read_bytes(), re.M)
    ]  # fmt: skip
    newest = max(
        published, key=lambda p: (load_article(p.name, p.read_bytes(), UTC).published_at, p.name)
    )
    assert bench_run.newest_published(tmp_path) == newest


@pytest.mark.parametrize(
    ("setting", "value", "folder", "written"),
    [
        ("DATE_FORM", "jekyll", "c20-flat-jekyll",
         rb"^publishedDateTime: 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \+0000$"),
        ("RELATED_FORM", "long", "c20-flat-related-long", rb"^    cdnAmpWebUrl: "),
        ("WORDS_FORM", "world", "c20-flat-words-world", "^title: .*(?:ö|ü|ł|ş|ы|а|κ|ο)".encode()),
    ],
)  # fmt: skip
def test_run_keeps_the_corpora_of_each_form_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, value: str, folder: str,
    written: bytes,
) -> None:  # fmt: skip
    """``--dates``, ``--related`` and ``--words`` corpora are made and kept in folders of
    their own."""
    monkeypatch.setattr(bench_run, "WORK", tmp_path)
    monkeypatch.setattr(bench_run, setting, [value])
    path = bench_run.corpus_for(20, "flat")
    assert path == tmp_path / folder
    assert re.search(written, next((path / "content").glob("*.txt")).read_bytes(), re.M)


#: A front matter's ``related:`` block: its lines under the key.
_RELATED = re.compile(r"^related:\n((?:[ -].*\n)+)", re.M)


def test_run_builds_with_the_feedpub_of_its_own_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever PYTHONPATH held (another worktree's package, say), the processes run.py
    starts import the feedpub beside its bench/ folder."""
    (tmp_path / "feedpub").mkdir()
    (tmp_path / "feedpub" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))

    def imported() -> Path:
        return Path(subprocess.run(
            [sys.executable, "-c", "import feedpub; print(feedpub.__file__)"],
            capture_output=True, text=True, check=True, cwd="/",
        ).stdout.strip())  # fmt: skip

    assert imported() == tmp_path / "feedpub" / "__init__.py"  # (what it would run)
    bench_run.use_this_checkout()
    assert imported() == ROOT / "feedpub" / "__init__.py"


def test_world_words_make_clean_text_ask_ftfy(tmp_path: Path) -> None:
    """``--words world`` writes texts whose words hold letters outside ASCII side by
    side, which clean_text cannot pass without asking ftfy's test (the default words
    never do, once cleaned), in the titles and in the topics' names."""
    generate(tmp_path / "world", 40, layout="flat", words="world")
    generate(tmp_path / "latin", 40, layout="flat")
    for name, share in (("world", 0.9), ("latin", 0.0)):
        titles = [load_article(p.name, p.read_bytes(), UTC).title
                  for p in sorted((tmp_path / name / "content").glob("*.txt"))]  # fmt: skip
        asked = sum(bool(sanitize._MAY_BE_MOJIBAKE.search(t)) for t in titles)
        assert asked >= share * len(titles) if share else asked == 0, (name, asked)
    config = load_config(tmp_path / "world" / "config.toml")
    assert sum(bool(sanitize._MAY_BE_MOJIBAKE.search(f.title)) for f in config.feeds) > 100
    with pytest.raises(ValueError, match="words"):
        generate(tmp_path / "x", 1, words="klingon")


def test_long_related_coverage_is_as_the_seeds_have_it(tmp_path: Path) -> None:
    """``--related long`` writes more related items, with the seeds' fields, so that
    many ``related:`` blocks are longer than a shape may be; each file is read on the
    fast path as PyYAML reads it; the default corpus is unchanged by the option."""
    from feedpub import fastyaml

    from .test_fastpath import same_as_pyyaml

    generate(tmp_path / "long", 60, layout="flat", related="long")
    generate(tmp_path / "short", 60, layout="flat", related="short")
    generate(tmp_path / "default", 60, layout="flat")
    assert files_of(tmp_path / "short" / "content") == files_of(tmp_path / "default" / "content")
    sizes = {}
    for path in sorted((tmp_path / "long" / "content").iterdir()):
        block = split_front_matter(path.read_text(encoding="utf-8"))[0]
        assert same_as_pyyaml(block), path
        related = _RELATED.search(block)
        sizes[path.name] = len(related.group(1)) if related else 0
        if related:
            assert "cdnAmpWebUrl: " in related.group(1) and "    type: " in related.group(1)
    assert sum(size > fastyaml.MAX_SHAPE for size in sizes.values()) >= 10, sizes
    assert max(sizes.values()) > 2 * max(
        len(m.group(1))
        for path in (tmp_path / "short" / "content").iterdir()
        if (m := _RELATED.search(path.read_text("utf-8")))
    )
    with pytest.raises(ValueError, match="related"):
        generate(tmp_path / "x", 1, related="all")


@pytest.mark.parametrize("style", STYLES)
def test_one_change_edits_the_articles_own_title(tmp_path: Path, style: str) -> None:
    """The "one article changed" run edits the title of the newest published article
    (not a related item's, which comes first where keys are sorted)."""
    generate(tmp_path, 40, layout="flat", style=style)
    path = bench_run.newest_published(tmp_path)
    before = load_article("a.txt", path.read_bytes(), UTC)
    bench_run.touch_one(tmp_path, 7)
    after = load_article("a.txt", path.read_bytes(), UTC)
    assert after.title == f"Edit 7 {before.title}"
    assert after.related == before.related


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_phases_help_is_its_own(args: list[str]) -> None:
    """It printed feedpub's help and an empty table of phases."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "phases.py"), *args],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert out.startswith("Where the time of one feedpub build goes") and "--steps" in out
    assert "whole build" not in out


def test_compare_reads_the_phases_of_a_real_build(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    figures = compare.build(tmp_path, ROOT)
    assert {"render_and_write", "summarise", "find", "process", "CPU"} <= set(figures)
    assert 0 < figures["render_and_write"] < figures["process"]
    assert figures["CPU"] > 0
    assert (tmp_path / "feeds" / "all.rss").exists()  # a real build, cold
    assert compare.which(ROOT) == str(ROOT / "feedpub" / "__init__.py")


def test_compare_alternates_which_version_builds_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round builds with both versions, the old one first in odd rounds and the new
    one in even ones, and keeps each version's figures apart."""
    calls: list[Path] = []

    def build(corpus: Path, package: Path, jobs: int | None = None) -> dict[str, float]:
        calls.append(package)
        return {"process": float(len(calls))}

    monkeypatch.setattr(compare, "build", build)
    old_pkg, new_pkg = tmp_path / "old", tmp_path / "new"
    old, new = compare.side_by_side(tmp_path, old_pkg, new_pkg, 4, None)
    assert calls == [old_pkg, new_pkg, new_pkg, old_pkg, old_pkg, new_pkg, new_pkg, old_pkg]
    assert [f["process"] for f in old] == [1, 4, 5, 8]
    assert [f["process"] for f in new] == [2, 3, 6, 7]


def test_compare_prints_medians_and_the_ratio_of_each_phase() -> None:
    old = [{"process": 2.0, "CPU": 3.0, "summarise": 1.0, "find": 0.001},
           {"process": 4.0, "CPU": 5.0, "summarise": 3.0, "find": 0.001},
           {"process": 3.0, "CPU": 4.0, "summarise": 2.0, "find": 0.001}]  # fmt: skip
    new = [{"process": 1.5, "CPU": 2.0, "summarise": 1.0, "find": 0.002}] * 3
    lines = compare.table("N=1", old, new)
    assert "| whole process, wall | 3.000 s | 1.500 s | 0.50 |" in lines
    assert "| CPU (process + workers) | 4.000 s | 2.000 s | 0.50 |" in lines
    assert "| summarise | 2.000 s | 1.000 s | 0.50 |" in lines
    assert not any("find" in line for line in lines)  # under 5 ms in both: left out


def _steps(stdout: str) -> dict[str, int]:
    """phases.py's table of steps: each step's calls."""
    table = stdout.split("\nstep ", 1)[1].splitlines()[1:]
    rows = [re.fullmatch(r"(.*\S) +(\d+) +[\d.]+ +[\d.]+", line) for line in table if line]
    assert all(rows), table
    return {m[1]: int(m[2]) for m in rows if m}


def test_the_steps_of_a_build_are_counted_in_one_process(
    corpora: dict[str, Path], tmp_path: Path
) -> None:
    """``--steps`` times, in this one process, what workers do in a build of this size:
    every file read and summarised, every shown article read again, parsed whole, built,
    written and proven, and the documents checked; the phases' table is still there."""
    site = tmp_path / "site"
    shutil.copytree(corpora["flat"], site)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "phases.py"), "--steps", "build", "-c",
         str(site / "config.toml"), "--now", "2026-11-01T00:00:00Z", "--full"],
        capture_output=True, text=True, check=True, cwd=site,
    )  # fmt: skip
    steps = _steps(done.stdout)
    shown = steps["an Article made (a shown article)"]
    assert steps["a Summary made"] == steps["front matter parsed: for a Summary"] == N
    assert steps["a file read"] == steps["a file hashed"] == N + shown
    assert steps["front matter parsed: whole"] == shown
    assert steps["an article's RSS item and Atom entry written"] == shown
    assert 0 < shown < N
    assert steps["RELAX NG: a document validated"] > 0
    assert steps["rules in code: an RSS document"] > 0 < steps["rules in code: an Atom document"]
    assert steps["a document checked (by its parts, or else whole)"] == 2 * len(
        load_config(site / "config.toml").feeds
    )
    assert re.search(r"^render_and_write +1 ", done.stdout, re.M)
    assert (site / "feeds" / "all.rss").exists()  # a real build


def test_the_shared_style_holds_the_same_articles_read_without_pyyaml(tmp_path: Path) -> None:
    """The shared style is the dump style with one object wherever an equal one comes
    again in an article: yaml.safe_dump writes anchors and aliases, every file gives
    the same Article, and every one is read on the fast path, as PyYAML reads it."""
    from .test_fastpath import guard_agrees

    aliased = 0
    for text, article, seeds in beside_seeds(tmp_path, 60, style="shared"):
        aliased += ": *id0" in text or "- *id0" in text
        assert guard_agrees(split_front_matter(text)[0]), article.path
        assert article == seeds
    assert aliased >= 10


@pytest.mark.parametrize(
    ("dates", "form"),
    [
        ("offset", r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+0000"),
        ("ruby", r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\.000000000 Z"),
        ("rfc2822", r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} 20\d\d \d\d:\d\d:\d\d \+0000"),
        ("jekyll", r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \+0000"),
    ],
)
def test_the_dates_of_other_generators_give_the_same_articles(
    tmp_path: Path, dates: str, form: str
) -> None:
    """``--dates`` rewrites every date (the related items' too) in its form, and each
    file still gives the same Article, read on the fast path as PyYAML reads it."""
    from .test_fastpath import same_as_pyyaml

    for text, article, seeds in beside_seeds(tmp_path, 40, dates=dates):
        written = re.findall(r"DateTime: (.*)", text)
        assert written and all(re.fullmatch(form, d) for d in written), written
        assert same_as_pyyaml(split_front_matter(text)[0]), article.path
        assert article == seeds
    with pytest.raises(ValueError, match="dates"):
        generate(tmp_path / "x", 1, dates="unix")


def _topics_of(content: Path) -> set[str]:
    return {
        t
        for path in content.rglob("*.txt")
        for t in parse_front_matter(str(path), path.read_bytes())[0].get("topics") or ()
    }


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_site_without_a_config_is_given_one_feed_per_topic(tmp_path: Path, layout: str) -> None:
    """``run.py --corpus`` on another generator's site with no config.toml writes one as
    bench/corpus.py does: an "all" feed and a feed for each topic its articles name
    (TOML's escapes where a topic needs them), with the content glob of its layout."""
    generate(tmp_path, 40, seed=3, layout=layout)
    (tmp_path / "config.toml").unlink()
    odd = 'Say "hi" \\ to Zürich'
    first = next((tmp_path / "content").rglob("*.txt"))
    first.write_text(
        first.read_text(encoding="utf-8").replace(
            "topics:\n", 'topics:\n  - "Say \\"hi\\" \\\\ to Zürich"\n', 1
        ),
        encoding="utf-8",
    )
    config = load_config(bench_run.site_config(tmp_path))
    assert config.content == (bench_run.GLOBS[layout],)
    wanted = _topics_of(tmp_path / "content")
    assert odd in wanted and len(wanted) > 5
    assert [f.topics for f in config.feeds if f.slug == "all"] == [("*",)]
    assert {t for f in config.feeds if f.slug != "all" for t in f.topics} == wanted
    before = (tmp_path / "config.toml").read_bytes()
    assert bench_run.site_config(tmp_path) == tmp_path / "config.toml"  # (kept as it is)
    assert (tmp_path / "config.toml").read_bytes() == before


def test_run_measures_a_site_of_another_generator_and_gives_its_article_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run.py --corpus``: every run of a generated corpus (cold, warm, the floor, one
    article changed) on the site given, its table titled with it; the article the run
    edited holds its bytes again at the end."""
    site = tmp_path / "site"
    generate(site, 30, seed=4, layout="flat")
    (site / "config.toml").unlink()
    files = {p: p.read_bytes() for p in (site / "content").glob("*.txt")}
    monkeypatch.setattr(bench_run, "ensure_hugo", lambda: None)
    monkeypatch.setattr(bench_run.time, "sleep", lambda s: None)
    bench_run.bench_corpora([site], repeat=1, phases=False, phases_only=False)
    out = capsys.readouterr().out
    assert f"{site}: 30 article files, content = ['content/*.txt']" in out
    row = next(line for line in out.splitlines() if line.startswith("| 30 |"))
    assert row.count("n/a") == 4 and " s / " in row
    assert {p: p.read_bytes() for p in (site / "content").glob("*.txt")} == files
    assert (site / "feeds" / "all.rss").exists()


@pytest.mark.parametrize("text", ['a "b"', "c\\d", "tab\there", "del\x7f", "nul\x00", "Zürich 😀"])
def test_topics_are_written_to_toml_as_they_are(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_the_other_generator_writes_articles_feedpub_reads_whole(tmp_path: Path) -> None:
    """bench/othergen.py: the same bytes for a seed in both layouts (dated: a folder for
    each year and month of the article's date), other bytes for another seed, and every
    file an article feedpub reads, in the seeds' format: milliseconds in its dates,
    typography in its texts, related items, 70 % or so published."""
    othergen.generate(tmp_path / "flat", 200, seed=9)
    othergen.generate(tmp_path / "dated", 200, seed=9, layout="dated")
    othergen.generate(tmp_path / "other", 200, seed=10)
    flat = files_of(tmp_path / "flat" / "content")
    assert files_of(tmp_path / "dated" / "content") == flat
    assert files_of(tmp_path / "other" / "content") != flat
    published = 0
    for path in (tmp_path / "dated" / "content").rglob("*.txt"):
        article = load_article(path.name, path.read_bytes(), UTC)
        assert path.parent.name == f"{article.published_at.month:02}"
        assert path.parent.parent.name == str(article.published_at.year)
        published += b"\npublished: true\n" in path.read_bytes()
    assert 100 < published < 180
    texts = b"".join(flat.values()).decode("utf-8")
    assert re.search(r"publishedDateTime: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", texts)
    assert "’s " in texts and "—" in texts and "\nrelated:\n" in texts


def test_the_other_generators_spreads_draw_topics_skewed_or_alike(tmp_path: Path) -> None:
    """Zipf: the first topic in about one draw in six; even: none in more than a few."""
    top = {}
    for spread in othergen.SPREADS:
        othergen.generate(tmp_path / spread, 600, spread=spread)
        counts = Counter(
            t
            for path in (tmp_path / spread / "content").glob("*.txt")
            for t in parse_front_matter(path.name, path.read_bytes())[0]["topics"]
        )
        top[spread] = counts.most_common(1)[0]
    assert top["zipf"][0] == "Topic 0" and top["zipf"][1] > 5 * top["even"][1], top


def test_a_site_with_no_published_article_is_refused_plainly(tmp_path: Path) -> None:
    othergen.generate(tmp_path, 5)
    for path in (tmp_path / "content").glob("*.txt"):
        path.write_bytes(path.read_bytes().replace(b"\npublished: true\n", b"\npublished: false\n"))
    with pytest.raises(SystemExit, match="no published article"):
        bench_run.bench_corpora([tmp_path], repeat=1, phases=False, phases_only=False)
    with pytest.raises(SystemExit, match="no article files"):
        bench_run.site_config(tmp_path / "nothing")


def test_hugo_gets_a_dated_layout_of_folders_in_folders(tmp_path: Path) -> None:
    """A site whose articles are in a folder for each year and month (bench/othergen.py
    --layout dated) is given to Hugo in the same layout."""
    othergen.generate(tmp_path / "site", 30, layout="dated")
    bench_run.site_config(tmp_path / "site")
    content, posts = tmp_path / "site" / "content", tmp_path / "site-hugo" / "content" / "posts"
    bench_run.hugo_site(tmp_path / "site")
    assert sorted(p.relative_to(posts) for p in posts.rglob("*.md") if p.name != "_index.md") == (
        sorted(p.relative_to(content).with_suffix(".md") for p in content.rglob("*.txt"))
    )


def site_with_config(site: Path, glob: str) -> None:
    """A config.toml in ``site`` whose one content glob is ``glob``, with an "all" feed."""
    (site / "config.toml").write_text(
        '[site]\ntitle = "S"\nlink = "https://s.example/"\nfeeds_url = '
        f'"https://s.example/feeds/"\ndescription = "d"\ncontent = ["{glob}"]\n\n'
        '[feeds.all]\ntitle = "All"\ntopics = ["*"]\n',
        encoding="utf-8",
    )


def test_run_measures_a_site_where_its_own_config_finds_its_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Jekyll-style site (``_news/*.md``, its own config.toml, other files beside)
    is measured on the files its content globs find, and Hugo gets those."""
    othergen.generate(tmp_path / "gen", 25)
    site = tmp_path / "site"
    (site / "_news").mkdir(parents=True)
    for path in (tmp_path / "gen" / "content").glob("*.txt"):
        path.rename(site / "_news" / path.with_suffix(".md").name)
    (site / "_news" / "notes.txt").write_text("not an article", encoding="utf-8")
    (site / "_drafts").mkdir()
    (site / "_drafts" / "draft.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    site_with_config(site, "_news/*.md")
    root, files = bench_run.site_files(site)
    assert root == site / "_news" and len(files) == 25
    assert all(f.suffix == ".md" and f.parent == root for f in files)
    posts = bench_run.hugo_site(site) / "content" / "posts"
    assert sorted(p.name for p in posts.glob("*.md") if p.name != "_index.md") == sorted(
        f.name for f in files
    )
    monkeypatch.setattr(bench_run, "ensure_hugo", lambda: None)
    monkeypatch.setattr(bench_run.time, "sleep", lambda s: None)
    bench_run.bench_corpora([site], repeat=1, phases=False, phases_only=False)
    assert f"{site}: 25 article files, content = ['_news/*.md']" in capsys.readouterr().out
    assert (site / "feeds" / "all.atom").exists()


def test_a_site_whose_articles_folder_is_a_link_is_copied_for_hugo(tmp_path: Path) -> None:
    """Articles reached through a symlinked folder (``_news`` -> elsewhere): Hugo's copy
    holds them under the names the site gives them."""
    othergen.generate(tmp_path / "elsewhere", 12)
    site = tmp_path / "site"
    site.mkdir()
    (site / "_news").symlink_to(tmp_path / "elsewhere" / "content")
    site_with_config(site, "_news/*.txt")
    root, files = bench_run.site_files(site)
    assert root == site / "_news" and len(files) == 12
    posts = bench_run.hugo_site(site) / "content" / "posts"
    assert len([p for p in posts.glob("*.md") if p.name != "_index.md"]) == 12
