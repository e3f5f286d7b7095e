"""Where the time of one feedpub build goes, phase by phase.

    python bench/phases.py build -c bench/work/c100000-flat/config.toml --now 2026-11-01T00:00:00Z --full
    python bench/phases.py --steps build -c bench/work/c10000-flat/config.toml --now 2026-11-01T00:00:00Z --full

Runs the command in this process with a timer round each phase of a build (listing
the files, the no-change check, reading them, selecting, rendering, checking and
writing, the site files, the cache's reads and its write) and prints, for each: how many calls,
the wall seconds, the CPU seconds of this process and those of the worker processes
it waited for. Nothing is changed but the timing; the build is the real one.

With ``--steps`` the build runs in this one process (``--jobs 1`` is added: a worker's
timers die with it), and a second table gives the steps of the work the workers do
otherwise, with the microseconds of each call: what a file, a shown article and a
document cost (:func:`steps`). Steps nest: proving the entries and checking a document
by its parts include the parse, the RELAX NG validation and the rules in code listed
after them.
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
    (build_module, "_site"),  # (older code: the site files rendered and staged at the end)
    (getattr(build_module, "_Site", None), "render"),  # rendered while the documents are
    (getattr(build_module, "_Site", None), "deliver"),
    (incremental, "remember"),
    (kept, "dump"),
]
CACHE = ["last_build", "kept", "rows", "holders", "commit"]


def steps() -> list[tuple[Any, str, str]]:
    """With ``--steps``: (module, function, what a call is), as the pipeline calls them
    through their modules, in the order a build meets them. (Imported here: without
    ``--steps`` this script times older code too, see bench/compare.py.)"""
    from feedpub import articles, formats
    from feedpub.formats import xmlcheck, xmlparts

    return [
        (sources, "read_source", "a file read"),
        (sources, "digest", "a file hashed"),
        (articles, "parse_front_matter", "front matter parsed"),
        (articles, "build_summary", "a Summary made"),
        (articles, "build_article", "an Article made (a shown article)"),
        (formats, "entry", "an article's RSS item and Atom entry written"),
        (formats, "prove", "a chunk's entries proven"),
        (formats, "assemble", "a document put together"),
        (formats, "check_assembled", "a document checked (by its parts, or else whole)"),
        (xmlparts, "parse", "lxml: a batch of entries, or a document's head, parsed"),
        (xmlcheck, "parse", "lxml: a document parsed whole"),
        (xmlcheck, "schema", "RELAX NG: a document validated"),
        (xmlcheck, "_rss_checks", "rules in code: an RSS document"),
        (xmlcheck, "_atom_checks", "rules in code: an Atom document"),
    ]


#: name -> [calls, wall, CPU, children's CPU]
FIGURES: dict[str, list[float]] = {}
#: step -> [calls, wall seconds]
STEP_FIGURES: dict[str, list[float]] = {}


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


def _record_step(label: str, started: float) -> None:
    entry = STEP_FIGURES.setdefault(label, [0, 0.0])
    entry[0] += 1
    entry[1] += time.perf_counter() - started


class _TimedSchema:
    """A RELAX NG schema whose ``validate`` is timed (the rest as it is)."""

    def __init__(self, schema: Any, label: str) -> None:
        self._schema, self._label = schema, label

    def validate(self, tree: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._schema.validate(tree)
        finally:
            _record_step(self._label, started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)


def _timed_step(name: str, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
    if name == "schema":  # the schema is made once; each validation is the step
        return functools.wraps(fn)(lambda *a, **k: _TimedSchema(fn(*a, **k), label))
    if name.endswith("_checks"):  # generators: timed while they are consumed

        @functools.wraps(fn)
        def consumed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                yield from fn(*args, **kwargs)
            finally:
                _record_step(label, started)

        return consumed

    def labelled(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        if name != "parse_front_matter":
            return label
        # the summary's (some keys only) or the whole Article's
        only = len(args) > 2 or kwargs.get("only") is not None
        return f"{label}: {'for a Summary' if only else 'whole'}"

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _record_step(labelled(args, kwargs), started)

    return run


def main() -> None:
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):  # (its own help, not feedpub's)
        print(__doc__)
        return
    stepped = "--steps" in argv
    if stepped:
        argv = [a for a in argv if a != "--steps"] + ["--jobs", "1"]
        for module, name, label in steps():
            setattr(module, name, _timed_step(name, getattr(module, name), label))
    for module, name in PHASES:
        if module is not None and hasattr(module, name):
            label = f"site {name}" if module is getattr(build_module, "_Site", None) else name
            setattr(module, name, _timed(label.lstrip("_"), getattr(module, name)))
    for name in CACHE:
        if hasattr(Cache, name):
            setattr(Cache, name, _timed(f"cache {name}", getattr(Cache, name)))
    started = time.perf_counter()
    try:
        cli(argv, standalone_mode=False)
    finally:
        total = time.perf_counter() - started
        print(f"{'phase':<20} {'calls':>6} {'wall s':>8} {'CPU s':>8} {'workers s':>10}")
        for name, (calls, wall, cpu, children) in sorted(FIGURES.items(), key=lambda x: -x[1][1]):
            print(f"{name:<20} {calls:>6.0f} {wall:>8.3f} {cpu:>8.3f} {children:>10.3f}")
        print(f"{'whole build':<20} {'':>6} {total:>8.3f} {time.process_time():>8.3f} "
              f"{_children():>10.3f}")  # fmt: skip
        if stepped:
            print(f"\n{'step':<56} {'calls':>7} {'wall s':>8} {'us a call':>10}")
            for label, (calls, wall) in STEP_FIGURES.items():
                print(f"{label:<56} {calls:>7.0f} {wall:>8.3f} {wall / calls * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
