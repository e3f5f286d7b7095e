"""Where the time of one feedpub build goes, phase by phase.

    python bench/phases.py build -c bench/work/c100000/config.toml --now 2026-11-01T00:00:00Z --full

Runs the command in this process with a timer round each phase of a build (listing
the files, the no-change check, reading them, selecting, rendering, checking and
writing, the site files, the cache's reads and its write) and prints, for each: how many calls,
the wall seconds, the CPU seconds of this process and those of the worker processes
it waited for. Nothing is changed but the timing; the build is the real one.
"""

from __future__ import annotations

import functools
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from feedpub import build as build_module
from feedpub import incremental, sources
from feedpub.cache import Cache
from feedpub.cli import cli

try:  # (bench/compare.py times older code too, from before the kept selection)
    from feedpub import kept
except ImportError:
    kept = None

#: The phases, as the functions that run them (the pipeline calls them through their
#: modules; ``kept``: the selection kept between builds), and the Cache's reads and its
#: one write.
PHASES: list[tuple[Any, str]] = [
    (sources, "find"),
    (incremental, "state"),
    (incremental, "nothing_to_do"),
    (build_module, "summarise"),
    (kept, "load"),
    (kept, "changed"),
    (kept, "update"),
    (build_module, "select_feeds"),
    (build_module, "_render_and_write"),
    (build_module, "_site"),
    (incremental, "remember"),
    (kept, "dump"),
]
CACHE = ["last_build", "kept", "rows", "holders", "commit"]

#: name -> [calls, wall, CPU, children's CPU]
FIGURES: dict[str, list[float]] = {}


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _record(name: str, wall: float, cpu: float, children: float) -> None:
    entry = FIGURES.setdefault(name, [0, 0.0, 0.0, 0.0])
    entry[0] += 1
    entry[1] += time.perf_counter() - wall
    entry[2] += time.process_time() - cpu
    entry[3] += _children() - children


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        marks = time.perf_counter(), time.process_time(), _children()
        try:
            return fn(*args, **kwargs)
        finally:
            _record(name, *marks)

    return run


def main() -> None:
    for module, name in PHASES:
        if module is not None:
            setattr(module, name, _timed(name.lstrip("_"), getattr(module, name)))
    for name in CACHE:
        if hasattr(Cache, name):
            setattr(Cache, name, _timed(f"cache {name}", getattr(Cache, name)))
    started = time.perf_counter()
    try:
        cli(sys.argv[1:], standalone_mode=False)
    finally:
        total = time.perf_counter() - started
        print(f"{'phase':<20} {'calls':>6} {'wall s':>8} {'CPU s':>8} {'workers s':>10}")
        for name, (calls, wall, cpu, children) in sorted(FIGURES.items(), key=lambda x: -x[1][1]):
            print(f"{name:<20} {calls:>6.0f} {wall:>8.3f} {cpu:>8.3f} {children:>10.3f}")
        print(f"{'whole build':<20} {'':>6} {total:>8.3f} {time.process_time():>8.3f} "
              f"{_children():>10.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
