"""Where the time of one feedpub build goes, phase by phase.

    python bench/phases.py build -c bench/work/c100000-flat/config.toml --now 2026-11-01T00:00:00Z --full

(``python bench/run.py --phases-only --sizes 1000,10000,100000`` runs it on a cold and a
warm build of each size, flat and nested, generating the corpora it needs.)

Runs the command in this process with a timer round each phase of a build (listing
the files, the no-change check, reading them, selecting, rendering and checking,
the site files, the cache's reads and writes) and prints, for each: how many calls,
the wall seconds, the CPU seconds of this process and those of the worker processes
it waited for; then the whole build (from the command line on, the imports of feedpub
not counted). Nothing is changed but the timing; the build is the real one.
"""

from __future__ import annotations

import functools
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from feedpub import build as build_module
from feedpub.cache import Cache
from feedpub.cli import cli

#: The phases, as functions of feedpub.build (and of its Cache) that run them.
PHASES = ["discover", "_state", "_nothing_to_do", "gather", "plan", "_emit_site", "_remember"]
CACHE = ["rows", "store", "outputs", "headlines", "set_headlines", "set_output"]

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


def _timed_steps(name: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A generator's time: only while it runs, not while its consumer does."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Iterator[Any]:
        steps = fn(*args, **kwargs)
        while True:
            marks = time.perf_counter(), time.process_time(), _children()
            try:
                item = next(steps)
            except StopIteration:
                _record(name, *marks)
                return
            _record(name, *marks)
            yield item

    return run


def main() -> None:
    for name in PHASES:
        setattr(build_module, name, _timed(name, getattr(build_module, name)))
    for name in CACHE:
        setattr(Cache, name, _timed(f"cache {name}", getattr(Cache, name)))
    build_module._render_all = _timed_steps("render and check", build_module._render_all)  # type: ignore[assignment]
    started = time.perf_counter(), time.process_time(), _children()
    try:
        cli(sys.argv[1:], standalone_mode=False)
    finally:
        _record("whole build", *started)  # from the command line on: not the imports
        whole = FIGURES.pop("whole build")
        print(f"{'phase':<20} {'calls':>6} {'wall s':>8} {'CPU s':>8} {'workers s':>10}")
        for name, (calls, wall, cpu, children) in sorted(FIGURES.items(), key=lambda x: -x[1][1]):
            print(f"{name:<20} {calls:>6.0f} {wall:>8.3f} {cpu:>8.3f} {children:>10.3f}")
        print(f"{'whole build':<20} {'':>6} {whole[1]:>8.3f} {whole[2]:>8.3f} {whole[3]:>10.3f}")


if __name__ == "__main__":
    main()
