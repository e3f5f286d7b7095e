"""The floor under a no-change build: listing the content and looking at every file.

    python bench/floor.py CONTENT_FOLDER [--repeat 5]

A warm ``feedpub build`` with nothing changed must at least list every folder of the
content (``os.scandir``) and look at every file (one ``lstat``) to learn that nothing
changed. This times that bare work in Python, and nothing else (no glob matching, no
sorting, no cache):

- serial: one ``scandir`` a folder, then one ``lstat`` an entry, in this process;
- two processes: the same listing, then a forked child lstats the first half of the
  entries (split by entries, not by folders, so one flat folder is split too) while
  this process lstats the other half, and sends back its count.

Each is the best of ``--repeat`` runs (a floor: the least the machine needed). It also
prints the start-up of a bare interpreter (``python -c pass``), since a build is a
process: no build can take less than start-up + floor. Importable: :func:`measure`.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Floor:
    folders: int  #: folders listed (the content folder included)
    files: int  #: regular files looked at
    serial_s: float  #: scandir + lstat in one process, best of the runs
    two_procs_s: float  #: scandir, then lstat split between two processes, best of the runs


def listing(root: Path) -> tuple[int, list[os.DirEntry[str]]]:
    """Every entry below ``root`` that is not a folder, one ``scandir`` a folder (the
    file type comes with the listing: no stat yet); and how many folders were listed."""
    folders, entries, todo = 0, [], [str(root)]
    while todo:
        with os.scandir(todo.pop()) as listed:
            folders += 1
            for entry in listed:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    entries.append(entry)
    return folders, entries


def _look(entries: list[os.DirEntry[str]]) -> int:
    """One ``lstat`` an entry; how many are regular files."""
    regular = stat.S_ISREG
    return sum(1 for entry in entries if regular(os.lstat(entry.path).st_mode))


def serial(root: Path) -> tuple[int, int]:
    """(folders, files): the listing and every lstat, in this process."""
    folders, entries = listing(root)
    return folders, _look(entries)


def two_processes(root: Path) -> tuple[int, int]:
    """(folders, files): the listing here, then a forked child lstats the first half of
    the entries while this process lstats the second half."""
    folders, entries = listing(root)
    half = len(entries) // 2
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: look, report, and exit with none of the parent's cleanup
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, str(_look(entries[:half])).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    mine = _look(entries[half:])
    with open(read_end, "rb") as pipe:
        theirs = int(pipe.read() or b"-1")
    _, status = os.waitpid(child, 0)
    if status != 0 or theirs < 0:
        raise RuntimeError("the child process of the floor measure failed")
    return folders, mine + theirs


def _best(
    fn: Callable[[Path], tuple[int, int]], root: Path, repeat: int
) -> tuple[float, tuple[int, int]]:
    """The least wall time of ``repeat`` calls of ``fn(root)``, and what it counted."""
    best, counts = float("inf"), (0, 0)
    for _ in range(repeat):
        start = time.perf_counter()
        counts = fn(root)
        best = min(best, time.perf_counter() - start)
    return best, counts


def measure(root: Path, repeat: int = 5) -> Floor:
    """The floor of ``root`` (a content folder): serial, and in two processes."""
    serial_s, (folders, files) = _best(serial, root, repeat)
    two_s, counts = _best(two_processes, root, repeat)
    if counts != (folders, files):
        raise RuntimeError(f"the two measures saw different trees: {counts} != {(folders, files)}")
    return Floor(folders, files, serial_s, two_s)


def startup(repeat: int = 5, code: str = "pass") -> float:
    """The best wall time of ``python -c CODE`` (this interpreter, this environment)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path, help="e.g. bench/work/c10000-flat/content")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    floor = measure(args.content, args.repeat)
    print(f"{floor.files:,} files in {floor.folders:,} folders (best of {args.repeat})")
    print(f"scandir + lstat, serial:          {floor.serial_s:.3f} s")
    print(f"scandir + lstat, two processes:   {floor.two_procs_s:.3f} s")
    print(f"python -c pass (start-up):        {startup(args.repeat):.3f} s")


if __name__ == "__main__":
    main()
