"""feedpub against Hugo on the same synthetic corpus, side by side, in one invocation.

    python bench/run.py [--sizes 1000,10000,100000] [--layouts flat,nested] [--repeat 3]
                        [--phases | --phases-only] [--style seeds|dump|...|quoted]
                        [--spread zipf|even] [--dates utc|offset|ruby|rfc2822|jekyll]
                        [--related short|long] [--words latin|world]
    python bench/run.py --corpus SITE[,SITE...] [--repeat 3] [--phases | --phases-only]

For each N and each layout it generates the corpus once (bench/corpus.py, under
bench/work/c<N>-<layout>/: ``flat`` is one folder of N files, as a Jekyll ``_posts/``
keeps them; ``nested`` is subfolders of 1000; the article bytes are the same in both)
and converts it once into a Hugo site with the same files in the same layout (front
matter and all; topics as a taxonomy; one RSS feed per term, 50 items; articles listed
but never rendered to pages). Then, ``--repeat`` times, for each layout in turn: a cold
``feedpub build --full`` (no output; the cache ignored), Hugo building the same feeds,
a warm ``feedpub build`` with nothing changed, the floor under it (bench/floor.py: a
bare ``scandir`` + ``lstat`` of the content, serial and in two processes, best of 3),
and a ``feedpub build`` after one article changed.

``--style dump`` writes the corpora's front matter as ``yaml.safe_dump`` does (see
bench/corpus.py), under bench/work/c<N>-<layout>-dump/. ``--spread even`` draws every
topic alike (bench/work/c<N>-<layout>-even/): from about 5,000 articles on, every
topic's feed is full, and a build shows about twice the articles it shows with the
default spread (a few topics in most articles, as on a news site). ``--dates jekyll``
(or another form of bench/corpus.py's ``--dates``) writes every date so
(bench/work/c<N>-<layout>-jekyll/). ``--related long`` writes the related coverage as
the seeds have it, many items with every field (bench/work/c<N>-<layout>-related-long/).
``--words world`` writes the texts in German, Polish, Russian, Greek and more, whose
words hold letters outside ASCII side by side (bench/work/c<N>-<layout>-words-world/).

``--corpus`` measures sites written by another generator (or by people) instead, the
same way: each SITE is a folder with its feedpub ``config.toml``, whose content globs
find its article files (``_news/*.md`` as well as ``content/**/*.txt``), in the seeds'
format (``published: true``, ``publishedDateTime``, ``topics``, a top-level
``title``). A site without a config is given one as bench/corpus.py writes it, for its
``*.txt`` files under ``SITE/content/`` (an "all" feed and one feed of 50 items for
each topic its articles name, the content glob of its layout). The Hugo site is made
once, beside it (``SITE-hugo/``, the files in the folders they are in below where the
globs start); the builds write the site's output folder and feedpub's cache; the
article the one-change run edits gets its bytes back at the end. ``--sizes``,
``--layouts`` and the options of the corpus's form are then not used.

Every build is of this checkout's feedpub (the folder above bench/ put first on
PYTHONPATH), whatever the environment installed.

It prints one table per layout: the median wall time and the median peak memory of
each build (the resident memory of the whole process tree, worker processes included,
sampled every 20 ms), the floor beside the warm figure, the ratios feedpub / Hugo and
the per-article cost of the cold builds; then, with both layouts, the ratios flat /
nested. ``--phases`` then prints where the time of a cold and of a warm build goes
(bench/phases.py) for each N and layout; ``--phases-only`` prints only that.

Every Python process keeps its compiled modules (under bench/work/pycache, even where
the environment sets PYTHONDONTWRITEBYTECODE), as an installed feedpub does.

Hugo is Debian's `hugo` package: when it is missing the script runs
`apt-get install -y hugo`, and says so plainly if it cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from feedpub.articles import parse_front_matter, to_utc
from feedpub.config import load_config
from feedpub.sources import find

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor
from corpus import (
    DATES,
    GLOBS,
    LAYOUTS,
    RELATED,
    SPREADS,
    STYLES,
    VOCABULARIES,
    config_text,
    generate,
)

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
FEEDPUB = [sys.executable, "-m", "feedpub"]
NOW = "2026-11-01T00:00:00Z"
HUGO_CONFIG = """baseURL = "https://bench.example.com/"
title = "Benchmark"
disableKinds = ["sitemap", "robotsTXT", "404"]
[frontmatter]
  date = ["publishedDateTime", ":default"]
[taxonomies]
  topic = "topics"
[outputs]
  home = []
  section = []
  taxonomy = []
  term = ["RSS"]
[services.rss]
  limit = 50
"""


# ------------------------------------------------------------------ measuring


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in KiB (from /proc): the
    tree is followed through each thread's ``children`` (a few reads where a scan of
    every process took 2 ms of CPU a sample, 10 % of a core at one sample every 20 ms,
    taken from the build measured), else found by that scan."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    try:
        tree, frontier = [root], [root]
        while frontier:
            pid = frontier.pop()
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                    kids = [int(k) for k in f.read().split()]
                tree += kids
                frontier += kids
    except (OSError, ValueError):  # (a process that ended meanwhile; or no such file here)
        tree = _tree_by_scan(root)
    total = 0
    for pid in tree:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(_proc_stat(pid)[21]) * page_kb
    return total


def _proc_stat(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (at 1 the parent's
    pid, at 21 the resident pages)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        return f.read().rsplit(")", 1)[1].split()


def _tree_by_scan(root: int) -> list[int]:
    """``root`` and all its descendants, from the parent of every process."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(entry)] = int(_proc_stat(entry)[1])
    tree, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.append(child)
                frontier.append(child)
    return tree


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run ``cmd``; (wall seconds, peak MB of its process tree, exit code)."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-2000:]}\n")
    return wall, peak / 1024, proc.returncode


# ------------------------------------------------------------------ Hugo


def ensure_hugo() -> str | None:
    found = shutil.which("hugo")
    if found:
        return found
    print("Hugo is missing: running apt-get install -y hugo ...", file=sys.stderr)
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"Hugo cannot be installed here ({e}); measuring feedpub alone.", file=sys.stderr)
        return None
    return shutil.which("hugo")


_PUBLISHED = re.compile(rb'^(?:published|"published"|  "published"): true[ \t]*,?$', re.M)


def hugo_site(corpus: Path) -> Path:
    """The corpus as a Hugo site (made once), in the same layout: every article file as
    it is, at the same place below ``content/posts/`` (``.md`` for ``.txt``), with one
    line added, ``draft: true`` unless it is published, so that Hugo parses the same
    front matter feedpub does (related lists, images, ``secured``). Hugo takes the date
    from ``publishedDateTime`` and the terms from ``topics``; a cascade keeps the
    articles listed but never rendered to pages. (The subfolders of the nested layout
    have no ``_index.md``: they are plain folders of the one section, not sections.)"""
    site = corpus.parent / f"{corpus.name}-hugo"
    marker = site / ".complete"
    if marker.exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    (site / "layouts").mkdir()
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (posts / "_index.md").write_text(
        "---\ncascade:\n  _build:\n    render: never\n    list: always\n---\n", encoding="utf-8"
    )
    content, files = site_files(corpus)
    for path in files:
        data = path.read_bytes()
        draft = b"false" if _PUBLISHED.search(data) else b"true"
        target = posts / path.relative_to(content).with_suffix(".md")
        target.parent.mkdir(parents=True, exist_ok=True)
        if data.startswith(b"---\n{"):  # one JSON object (the jsondoc style)
            data = data.replace(b"---\n{", b'---\n{"draft": ' + draft + b",", 1)
        else:
            data = data.replace(b"---\n", b"---\ndraft: " + draft + b"\n", 1)
        target.write_bytes(data)
    marker.touch()
    return site


# ------------------------------------------------------------------ the run


#: The style of front matter of the corpora (bench/corpus.py's STYLES).
STYLE = ["seeds"]
#: How the corpora's topics are drawn (bench/corpus.py: zipf or even).
SPREAD = ["zipf"]
#: How the corpora's dates are written (bench/corpus.py's DATES).
DATE_FORM = ["utc"]
#: How much related coverage the corpora's articles have (bench/corpus.py's RELATED).
RELATED_FORM = ["short"]
#: The words of the corpora's texts (bench/corpus.py's VOCABULARIES).
WORDS_FORM = ["latin"]


def corpus_for(n: int, layout: str) -> Path:
    style, spread, dates, related = STYLE[0], SPREAD[0], DATE_FORM[0], RELATED_FORM[0]
    words = WORDS_FORM[0]
    name = f"c{n}-{layout}" if style == "seeds" else f"c{n}-{layout}-{style}"
    name = name if spread == "zipf" else f"{name}-{spread}"
    name = name if dates == "utc" else f"{name}-{dates}"
    name = name if related == "short" else f"{name}-related-{related}"
    path = WORK / (name if words == "latin" else f"{name}-words-{words}")
    if not (path / "config.toml").exists():  # written last: there only when complete
        shutil.rmtree(path, ignore_errors=True)
        print(f"generating {n} articles ({layout}, {style}, topics {spread}, dates {dates}, "
              f"related {related}, words {words}) in {path} ...", file=sys.stderr)  # fmt: skip
        generate(path, n, layout=layout, style=style, spread=spread, dates=dates,
                 related=related, words=words)  # fmt: skip
    return path


@functools.cache
def site_files(corpus: Path) -> tuple[Path, list[Path]]:
    """The folder a site's article files are in (where its content globs start: the
    ``content`` of ``content/**/*.txt``, the ``_news`` of ``_news/*.md``) and the files,
    sorted, as its ``config.toml`` finds them (feedpub's own listing)."""
    config = load_config(corpus / "config.toml")
    starts = [
        os.path.dirname(os.path.join(config.root, re.split(r"[*?\[]", glob, maxsplit=1)[0]))
        for glob in config.content
    ]
    files = sorted(Path(config.root, source.path) for source in find(config).sources)
    return Path(os.path.commonpath(starts)), files


def site_config(corpus: Path) -> Path:
    """``corpus``'s ``config.toml``; written first when it has none, as bench/corpus.py
    writes one: an "all" feed and one feed for each topic of its articles (in the order
    first named), with the content glob of its layout (subfolders or not)."""
    config = corpus / "config.toml"
    if config.exists():
        return config
    content = corpus / "content"
    files = sorted(content.rglob("*.txt"))
    if not files:
        raise SystemExit(f"{content}: no article files (*.txt) in it")
    topics: dict[str, None] = {}
    for path in files:
        with contextlib.suppress(Exception):  # (a file feedpub refuses is its to report)
            found = parse_front_matter(str(path), path.read_bytes())[0].get("topics")
            topics.update(dict.fromkeys(t for t in found or () if isinstance(t, str)))
    nested = any(path.parent != content for path in files)
    config.write_text(config_text(GLOBS["nested" if nested else "flat"], topics), encoding="utf-8")
    return config


def _top_key(key: str) -> re.Pattern[str]:
    """A top-level key of the front matter and the quote its value may begin with: at
    the start of its line (YAML; in quotes in the quoted style), or indented by two as
    ``json.dumps(indent=2)`` writes one object (the jsondoc style); groups: all up to the
    value, and the quote."""
    return re.compile(rf'^((?:{key}|"{key}"|  "{key}"): )("?)', re.M)


@functools.cache
def newest_published(corpus: Path) -> Path:
    """The article file with the latest date among the published ones."""
    newest: tuple[datetime, str, Path] | None = None
    for path in site_files(corpus)[1]:
        data = path.read_bytes()
        if _PUBLISHED.search(data):
            text = data.decode("utf-8")
            at = _top_key("publishedDateTime").search(text)
            assert at is not None, path
            when = _when(text[at.start() : text.index("\n", at.end())])
            if newest is None or (when, path.name) > newest[:2]:
                newest = (when, path.name, path)
    if newest is None:  # (a site given with --corpus may have none)
        raise SystemExit(f"{corpus}: no published article (published: true)")
    return newest[2]


def _when(line: str) -> datetime:
    """The date of a ``publishedDateTime`` line, in any form ``--dates`` writes, as
    feedpub reads it (YAML, then :func:`feedpub.articles.to_utc`; the seeds' form,
    which ``fromisoformat`` reads alike, without YAML)."""
    line = line.strip().rstrip(",")
    with contextlib.suppress(ValueError):
        if (when := datetime.fromisoformat(line.partition(": ")[2].strip('"'))).tzinfo:
            return when
    value = yaml.load(line, Loader=yaml.CSafeLoader)
    return to_utc(next(iter(value.values())), UTC, "publishedDateTime")


def touch_one(corpus: Path, k: int) -> None:
    """Change the title of the newest published article, as an editor would: the "all"
    feed and each of its topics' feeds must be rendered again."""
    path = newest_published(corpus)
    text = path.read_text(encoding="utf-8")
    # the article's own title (a related item's is indented deeper), quoted (the seeds
    # style) or not (the dump style, mostly)
    edited = _top_key("title").sub(rf"\1\2Edit {k} ", text, count=1)
    assert edited != text, path
    path.write_text(edited, encoding="utf-8")


#: The figures of one N in one layout: name -> one pair a run, (wall seconds, peak MB);
#: for "floor", (serial seconds, two-process seconds).
Results = dict[str, list[tuple[float, float]]]

BUILD = [*FEEDPUB, "build", "-c", "config.toml", "--now", NOW]


def run_once(corpus: Path, site: Path | None, hugo: str | None, k: int, res: Results) -> None:
    """One round on one corpus: cold, Hugo, warm, the floor, one article changed."""
    shutil.rmtree(corpus / "feeds", ignore_errors=True)
    wall, mb, _ = measure([*BUILD, "--full"], corpus)
    res["cold"].append((wall, mb))
    if hugo and site:
        shutil.rmtree(site / "public", ignore_errors=True)
        wall, mb, _ = measure([hugo, "--quiet", "--destination", "public"], site)
        res["hugo"].append((wall, mb))
    time.sleep(2.1)  # let the files settle past the cache's racy window
    res["warm"].append(measure(BUILD, corpus)[:2])
    bare = floor.measure(site_files(corpus)[0], repeat=3)
    res["floor"].append((bare.serial_s, bare.two_procs_s))
    touch_one(corpus, k)
    time.sleep(2.1)
    res["one"].append(measure(BUILD, corpus)[:2])


def run_size(n: int, layouts: list[str], repeat: int, hugo: str | None) -> dict[str, Results]:
    """Every layout of one N (see :func:`run_corpora`)."""
    return run_corpora(
        {layout: corpus_for(n, layout) for layout in layouts}, repeat, hugo, f"N={n}"
    )


def run_corpora(corpora: dict[str, Path], repeat: int, hugo: str | None, what: str
                ) -> dict[str, Results]:  # fmt: skip
    """Each corpus (by name), in turn within each round (the first alternates from
    round to round, so that a busy spell of the machine falls on all)."""
    sites = {name: hugo_site(corpus) if hugo else None for name, corpus in corpora.items()}
    results: dict[str, Results] = {
        name: {"cold": [], "warm": [], "floor": [], "one": [], "hugo": []} for name in corpora
    }
    names = list(corpora)
    for name in names:  # (untimed: every file read once, by both, before the first round)
        for tree in (corpora[name], sites[name]):
            if tree is not None:
                prime(tree)
    for r in range(repeat):
        for name in names if r % 2 == 0 else names[::-1]:
            run_once(corpora[name], sites[name], hugo, r, results[name])
        print(f"  {what} run {r + 1}/{repeat} done", file=sys.stderr)
    return results


def prime(tree: Path) -> None:
    """Every file under ``tree`` read once, so that the first round's cold builds, of
    feedpub and of Hugo, find the files in the page cache as the later rounds do (a
    corpus just written, or not read for a while, is read from disk: a first round at
    100,000 took half again as long). The build's output is not a cold build's input."""
    for folder, _, names in os.walk(tree):
        for name in names:
            with contextlib.suppress(OSError), open(os.path.join(folder, name), "rb") as f:
                while f.read(1 << 20):
                    pass


# ------------------------------------------------------------------ the report


def med(values: list[tuple[float, float]], i: int) -> float:
    return statistics.median(v[i] for v in values) if values else float("nan")


def ratio(a: float, b: float) -> str:
    """``a / b`` to two places, or n/a (no Hugo, no run)."""
    return "n/a" if math.isnan(a) or math.isnan(b) or not b else f"{a / b:.2f}"


def layout_table(layout: str, by_size: dict[int, Results]) -> list[str]:
    where = "one folder" if layout == "flat" else "subfolders of 1000"
    return table(f"{layout}: {where}, content = {GLOBS[layout]!r}", by_size)


def table(title: str, by_size: dict[int, Results]) -> list[str]:
    """The medians of each N's runs, and their ratios to Hugo's, under ``title``."""
    lines = [
        f"\n{title}\n",
        "| N | feedpub cold | warm, no change | floor: scandir + lstat, 1 / 2 procs "
        "| one article changed | Hugo | cold / Hugo | warm / Hugo | one changed / Hugo "
        "| memory: cold / Hugo | cold per article |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, res in by_size.items():
        cold, warm, one, hugo = (med(res[k], 0) for k in ("cold", "warm", "one", "hugo"))
        cold_mb, hugo_mb = med(res["cold"], 1), med(res["hugo"], 1)
        lines.append(
            f"| {n:,} | {cold:.2f} s / {cold_mb:.0f} MB | {warm:.2f} s / "
            f"{med(res['warm'], 1):.0f} MB | {med(res['floor'], 0):.3f} s / "
            f"{med(res['floor'], 1):.3f} s | {one:.2f} s / {med(res['one'], 1):.0f} MB | "
            f"{hugo:.2f} s / {hugo_mb:.0f} MB | {ratio(cold, hugo)} | {ratio(warm, hugo)} | "
            f"{ratio(one, hugo)} | {ratio(cold_mb, hugo_mb)} | {cold / n * 1000:.3f} ms |"
        )
    return lines


def flat_vs_nested(flat: dict[int, Results], nested: dict[int, Results]) -> list[str]:
    lines = [
        "\nflat / nested (the same articles; over 1 the flat folder is slower):\n",
        "| N | feedpub cold | warm, no change | floor, 1 proc | floor, 2 procs "
        "| one article changed | Hugo |",
        "|---|---|---|---|---|---|---|",
    ]
    columns = [("cold", 0), ("warm", 0), ("floor", 0), ("floor", 1), ("one", 0), ("hugo", 0)]
    for n in flat:
        cells = [ratio(med(flat[n][k], i), med(nested[n][k], i)) for k, i in columns]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


def phase_tables(n: int, layout: str) -> None:
    """bench/phases.py on a cold build (no output, --full) and then a warm one."""
    corpus_phases(corpus_for(n, layout), f"N={n:,}, {layout}")


def corpus_phases(corpus: Path, what: str) -> None:
    script = [sys.executable, str(BENCH / "phases.py"), "build", "-c", "config.toml", "--now", NOW]
    shutil.rmtree(corpus / "feeds", ignore_errors=True)
    for kind, extra in (("cold, --full", ["--full"]), ("warm, no change", [])):
        time.sleep(2.1)  # as in the timed runs: past the cache's racy window
        done = subprocess.run(
            [*script, *extra], cwd=corpus, capture_output=True, text=True, check=False
        )
        print(f"\nphases: {what}, {kind} (exit {done.returncode})\n")
        print("\n".join("    " + line for line in done.stdout.splitlines()))
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:], file=sys.stderr)


def use_this_checkout() -> None:
    """Let every process the benchmark starts import the feedpub of this checkout (the
    folder above bench/), whatever the environment installed: a virtual environment
    shared by two worktrees holds one editable install, which points at one of them."""
    here = str(BENCH.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (here, os.environ.get("PYTHONPATH", "")) if p
    )


def cache_bytecode() -> None:
    """Let every Python process of the benchmark keep its compiled modules (under
    bench/work/pycache), as an installed feedpub does, even where the environment
    says PYTHONDONTWRITEBYTECODE: else each build compiles feedpub again. Then one
    untimed build of a small corpus compiles what a build imports."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(WORK / "pycache"))
    corpus = corpus_for(50, "flat")
    for extra in (["--full"], []):
        subprocess.run([*BUILD, *extra], cwd=corpus, capture_output=True, check=False)


def load() -> str:
    """The load averages of the last 1, 5 and 15 minutes."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def preamble(what: str) -> str | None:
    """Hugo (installed if missing), and the lines that say what is measured where."""
    hugo = ensure_hugo()
    version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        if hugo
        else "none"
    )
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; hugo: {version}; "
          f"{what}")  # fmt: skip
    print(f"load average at the start: {load()}")
    print(
        f"start-up: python -c pass {floor.startup():.3f} s; "
        f"python -c 'import feedpub.cli' {floor.startup(code='import feedpub.cli'):.3f} s"
    )
    return hugo


def bench(sizes: list[int], layouts: list[str], repeat: int) -> None:
    hugo = preamble(
        f"front matter: {STYLE[0]} style; topics: {SPREAD[0]}; dates: {DATE_FORM[0]}; "
        f"related: {RELATED_FORM[0]}; words: {WORDS_FORM[0]}"
    )
    by_layout: dict[str, dict[int, Results]] = {layout: {} for layout in layouts}
    for n in sizes:
        for layout, res in run_size(n, layouts, repeat, hugo).items():
            by_layout[layout][n] = res
    print(f"load average at the end: {load()} (a shared machine: other work slows every figure)")
    print(f"\nmedians of {repeat} runs, alternating feedpub and Hugo; time / peak memory:")
    for layout in layouts:
        print("\n".join(layout_table(layout, by_layout[layout])))
    if set(layouts) == {"flat", "nested"}:
        print("\n".join(flat_vs_nested(by_layout["flat"], by_layout["nested"])))


def bench_corpora(corpora: list[Path], repeat: int, phases: bool, phases_only: bool) -> None:
    """The same runs and tables on sites another generator wrote (``--corpus``)."""
    configs = {corpus: site_config(corpus) for corpus in corpora}
    named = {str(corpus): corpus for corpus in corpora}
    edited = {corpus: newest_published(corpus) for corpus in corpora}
    kept = {path: path.read_bytes() for path in edited.values()}
    try:
        if not phases_only:
            hugo = preamble("corpora: " + ", ".join(named))
            results = run_corpora(named, repeat, hugo, "corpora")
            print(f"load average at the end: {load()} (a shared machine: other work slows "
                  "every figure)")  # fmt: skip
            print(f"\nmedians of {repeat} runs, alternating feedpub and Hugo; time / peak memory:")
            for name, corpus in named.items():
                globs = list(load_config(configs[corpus]).content)
                n = len(site_files(corpus)[1])
                title = f"{name}: {n:,} article files, content = {globs!r}"
                print("\n".join(table(title, {n: results[name]})))
        if phases or phases_only:
            for name, corpus in named.items():
                corpus_phases(corpus, name)
    finally:
        for path, data in kept.items():
            path.write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--layouts", default="flat,nested", help="flat, nested or both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help="then the phase tables too")
    parser.add_argument("--phases-only", action="store_true", help="only the phase tables")
    parser.add_argument(
        "--style",
        choices=STYLES,
        default="seeds",
        help="front matter as the real files write it, as yaml.dump does, as it does "
        "with default_flow_style=None, with excerpts as folded block scalars, as "
        "yaml.safe_dump's defaults write it (keys sorted, non-ASCII text escaped), as "
        "dump with headline punctuation in every title and excerpt (news), with long "
        "texts folded as js-yaml writes them and excerpts in two paragraphs (jsyaml), "
        "each value as json.dumps writes it (json), ... (bench/corpus.py: shared, jsondoc, "
        "commented, quoted: every key in double quotes)",
    )
    parser.add_argument(
        "--spread",
        choices=SPREADS,
        default="zipf",
        help="topics drawn as on a news site, a few in most articles (zipf), or all alike, "
        "so that every feed is full from about 5,000 articles on (even)",
    )
    parser.add_argument(
        "--dates",
        choices=DATES,
        default="utc",
        help="every date as the seeds write it (utc), or as other generators do "
        "(bench/corpus.py: offset, ruby, rfc2822, jekyll)",
    )
    parser.add_argument(
        "--related",
        choices=RELATED,
        default="short",
        help="0-6 related items of six fields each (short), or as the seeds have them: "
        "0-10 with every field, a third of the blocks over 4,096 characters (long)",
    )
    parser.add_argument(
        "--words",
        choices=VOCABULARIES,
        default="latin",
        help="texts of English words with a few accented ones (latin), or of words in "
        "German, Polish, Turkish, Vietnamese, Russian, Greek... (world)",
    )
    parser.add_argument(
        "--corpus",
        help="measure these sites instead (comma-separated folders): each with its "
        "config.toml and the articles its content globs find, in the seeds' format (a "
        "config is written for content/**/*.txt when missing: an 'all' feed and one feed "
        "per topic)",
    )
    args = parser.parse_args()
    STYLE[0], SPREAD[0], DATE_FORM[0] = args.style, args.spread, args.dates
    RELATED_FORM[0], WORDS_FORM[0] = args.related, args.words
    sizes = [int(s) for s in args.sizes.split(",")]
    layouts = list(dict.fromkeys(x.strip() for x in args.layouts.split(",")))
    if not layouts or any(x not in LAYOUTS for x in layouts):
        parser.error(f"--layouts: a comma-separated list of {', '.join(LAYOUTS)}")
    use_this_checkout()
    cache_bytecode()
    if args.corpus:
        corpora = [Path(c.strip()).resolve() for c in args.corpus.split(",") if c.strip()]
        bench_corpora(corpora, args.repeat, args.phases, args.phases_only)
        return
    if not args.phases_only:
        bench(sizes, layouts, args.repeat)
    if args.phases or args.phases_only:
        for n in sizes:
            for layout in layouts:
                phase_tables(n, layout)


if __name__ == "__main__":
    main()
