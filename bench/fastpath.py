"""How much of a corpus the front matter's fast path takes, and what a file costs.

    python bench/fastpath.py bench/work/c10000-flat-news [more corpora ...] [--files 3000]

For each corpus (a folder with ``content/``, as bench/corpus.py writes one), over its
first ``--files`` article files: how many take the fast path (``feedpub.fastyaml``)
for a summary and for a whole parse, the microseconds a file of each (best of five
passes, the files already read into memory), and PyYAML's C loader on the same front
matter, for scale. A file the fast path leaves to PyYAML costs its try plus PyYAML's.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from feedpub import fastyaml
from feedpub.articles import SUMMARY_FIELDS, split_front_matter


def best_us(fn: Callable[[str], object], blocks: list[str], passes: int = 5) -> float:
    """The fastest of ``passes`` passes over ``blocks``, in microseconds a block."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for block in blocks:
            fn(block)
        best = min(best, time.perf_counter() - start)
    return best / len(blocks) * 1e6


def front_matters(corpus: Path, files: int) -> list[str]:
    out = []
    for path in sorted((corpus / "content").rglob("*.txt"))[:files]:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        try:
            out.append(split_front_matter(text)[0])
        except ValueError:
            continue
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--files", type=int, default=3000)
    args = parser.parse_args()
    print(
        "| corpus | files | fast path: summary / whole | µs a summary | µs a whole parse | PyYAML (C) |"
    )
    print("|---|---|---|---|---|---|")
    for corpus in args.corpora:
        blocks = front_matters(corpus, args.files)
        fastyaml._SHAPES.clear()  # (each corpus as a build of its own meets it)
        if not blocks:
            print(f"| {corpus.name} | 0 | | | | |")
            continue
        brief = sum(fastyaml.fast_load(b, SUMMARY_FIELDS) is not None for b in blocks)
        whole = sum(fastyaml.fast_load(b) is not None for b in blocks)
        summary_us = best_us(lambda b: fastyaml.fast_load(b, SUMMARY_FIELDS), blocks)
        whole_us = best_us(fastyaml.fast_load, blocks)
        loadable = [b for b in blocks if _pyyaml_reads(b)]
        pyyaml_us = best_us(_pyyaml, loadable) if loadable else float("nan")
        refused = f" ({len(blocks) - len(loadable)} refused)" if len(loadable) < len(blocks) else ""
        n = len(blocks)
        print(
            f"| {corpus.name} | {n} | {brief / n:.0%} / {whole / n:.0%} | {summary_us:.0f} "
            f"| {whole_us:.0f} | {pyyaml_us:.0f}{refused} |"
        )


def _pyyaml(block: str) -> object:
    return yaml.load(block, Loader=yaml.CSafeLoader)


def _pyyaml_reads(block: str) -> bool:
    """Whether PyYAML loads ``block`` (a block it refuses is left out of its timing,
    and counted: a corpus may hold a few, as real ones do)."""
    try:
        _pyyaml(block)
    except yaml.YAMLError:
        return False
    return True


if __name__ == "__main__":
    main()
