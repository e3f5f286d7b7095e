"""Two versions of feedpub side by side: a git revision against the working tree,
phase by phase, on the same corpora, in one run.

    python bench/compare.py fba1c91 --sizes 1000,10000,100000 --layouts both --repeat 3
    python bench/compare.py fba1c91 --sizes 10000 --style dump
    python bench/compare.py fba1c91 --sizes 10000 --spread even
    python bench/compare.py fba1c91 --sizes 10000 --layouts flat --dates jekyll
    python bench/compare.py fba1c91 --sizes 10000 --layouts flat --related long
    python bench/compare.py fba1c91 --sizes 10000 --layouts flat --words world
    python bench/compare.py fba1c91 --sizes 1000,10000 --layouts flat --jobs 1

The revision's ``feedpub/`` is extracted under ``bench/work/rev-<REV>`` (with
``git archive``); the corpora are run.py's (``bench/work/c<N>-<layout>``, made when
missing). For each corpus, each round builds it cold (no output, ``--full``) with the
revision and with the working tree, each under ``bench/phases.py``, so that both
meet the same machine; the revision goes first in odd rounds and second in even ones
(a build that follows another runs on a warmer, or a busier, machine). Printed for
each corpus: the median of each phase's wall seconds, the whole process's wall
seconds and its CPU seconds (its own and its workers'), for both versions, and new /
old.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DATES, RELATED, SPREADS, STYLES, VOCABULARIES
from run import (
    DATE_FORM,
    NOW,
    RELATED_FORM,
    SPREAD,
    STYLE,
    WORDS_FORM,
    WORK,
    cache_bytecode,
    corpus_for,
    load,
)

ROOT = Path(__file__).resolve().parent.parent
#: a line of phases.py's table: name, calls, wall, CPU, workers' CPU
_PHASE = re.compile(r"^(\S.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")
_WHOLE = re.compile(r"^whole build\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")

#: one build's figures: phase -> wall seconds, plus "process" and "CPU"
Figures = dict[str, float]


def extract(rev: str) -> Path:
    """The revision's package, extracted once: the folder to put on PYTHONPATH."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    out = WORK / f"rev-{sha}"
    if not (out / "feedpub" / "__init__.py").exists():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "feedpub"], cwd=ROOT, check=True,
                                 capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def parse(output: str) -> Figures:
    """phases.py's table -> each phase's wall seconds, and "CPU" (the whole build's)."""
    figures: Figures = {}
    for line in output.splitlines():
        line = line.strip()
        if m := _WHOLE.match(line):
            figures["CPU"] = float(m.group(2)) + float(m.group(3))
        elif (m := _PHASE.match(line)) and m.group(1) != "phase":
            figures[m.group(1)] = float(m.group(3))
    return figures


def build(corpus: Path, package: Path, jobs: int | None = None) -> Figures:
    """One cold build of ``corpus`` by the feedpub found in ``package`` (with ``--jobs``
    when given)."""
    shutil.rmtree(corpus / "feeds", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(package)}
    cmd = [sys.executable, str(ROOT / "bench" / "phases.py"), "build", "-c",
           str(corpus / "config.toml"), "--now", NOW, "--full",
           *(["--jobs", str(jobs)] if jobs else [])]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=corpus, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return {**parse(done.stdout), "process": wall}


def which(package: Path) -> str:
    """Where the feedpub that ``package`` on PYTHONPATH gives lives (checked, not assumed:
    from the project root, ``python -c`` would find the working tree's first)."""
    env = {**os.environ, "PYTHONPATH": str(package)}
    return subprocess.run([sys.executable, "-c", "import feedpub; print(feedpub.__file__)"],
                          cwd=ROOT / "bench", env=env, capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def table(title: str, old: list[Figures], new: list[Figures]) -> list[str]:
    """The medians of both versions' figures, phase by phase, slowest phase first."""

    def median(runs: list[Figures], key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in runs)

    keys = sorted({k for r in old + new for k in r} - {"process", "CPU"},
                  key=lambda k: -median(new, k))  # fmt: skip
    lines = [f"{title}", "", "| | old | new | new / old |", "|---|---|---|---|"]
    for key in ["process", "CPU", *keys]:
        a, b = median(old, key), median(new, key)
        if max(a, b) < 0.005:
            continue
        label = {"process": "whole process, wall", "CPU": "CPU (process + workers)"}.get(key, key)
        lines.append(f"| {label} | {a:.3f} s | {b:.3f} s | {b / a if a else float('nan'):.2f} |")
    return lines


def side_by_side(corpus: Path, old_pkg: Path, new_pkg: Path, repeat: int,
                 jobs: int | None) -> tuple[list[Figures], list[Figures]]:  # fmt: skip
    """``repeat`` cold builds of ``corpus`` by each version, in pairs: the old one first
    in odd rounds, the new one in even ones."""
    old: list[Figures] = []
    new: list[Figures] = []
    pair = ((old_pkg, old), (new_pkg, new))
    for r in range(repeat):
        for package, runs in pair if r % 2 == 0 else pair[::-1]:
            runs.append(build(corpus, package, jobs))
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the git revision to compare the working tree with")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--layouts", default="both", choices=["flat", "nested", "both"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--style", default="seeds", choices=STYLES,
                        help="of front matter, as in run.py (its corpora are kept apart)")  # fmt: skip
    parser.add_argument("--spread", default="zipf", choices=SPREADS,
                        help="of topics, as in run.py (its corpora are kept apart)")  # fmt: skip
    parser.add_argument("--dates", default="utc", choices=DATES,
                        help="as in run.py (its corpora are kept apart)")  # fmt: skip
    parser.add_argument("--related", default="short", choices=RELATED,
                        help="as in run.py (its corpora are kept apart)")  # fmt: skip
    parser.add_argument("--words", default="latin", choices=VOCABULARIES,
                        help="as in run.py (its corpora are kept apart)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=None,
                        help="the builds' --jobs (1: in one process, where CPU time is the "
                        "work itself, whatever the other processes of the machine do)")  # fmt: skip
    args = parser.parse_args()
    STYLE[0], SPREAD[0], DATE_FORM[0] = args.style, args.spread, args.dates
    RELATED_FORM[0], WORDS_FORM[0] = args.related, args.words
    layouts = ["flat", "nested"] if args.layouts == "both" else [args.layouts]
    old_pkg, new_pkg = extract(args.rev), ROOT
    cache_bytecode()
    print(f"old: {args.rev} ({which(old_pkg)}); new: the working tree ({which(new_pkg)})")
    jobs = f"; --jobs {args.jobs}" if args.jobs else ""
    print(f"front matter: {args.style} style; topics: {args.spread}; dates: {args.dates}; "
          f"related: {args.related}; words: {args.words}{jobs}")  # fmt: skip
    print(f"load average at the start: {load()}")
    out: list[str] = []
    for n in (int(s) for s in args.sizes.split(",")):
        for layout in layouts:
            corpus = corpus_for(n, layout)
            for package in (old_pkg, new_pkg):  # each compiles its modules, untimed
                build(corpus_for(50, "flat"), package)
            old, new = side_by_side(corpus, old_pkg, new_pkg, args.repeat, args.jobs)
            out += ["", *table(f"N={n:,}, {layout}, cold (medians of {args.repeat})", old, new)]
            print(f"  N={n} {layout} done", flush=True)
    print(f"load average at the end: {load()}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
