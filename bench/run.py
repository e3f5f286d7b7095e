"""feedpub against Hugo on the same synthetic corpus, side by side, in one invocation.

    python bench/run.py [--sizes 1000,10000,100000] [--repeat 3]

For each N it generates the corpus once (bench/corpus.py, under bench/work/), converts
it once into a Hugo site (the same files, front matter and all; topics as a taxonomy;
one RSS feed per term, 50 items; articles listed but never rendered to pages), then runs, alternately and `--repeat`
times: a cold `feedpub build --full` (no cache, no output), Hugo building the same
feeds, a warm `feedpub build` with nothing changed, and a `feedpub build` after one
article changed. It prints the median wall time and the median peak memory of each
(the resident memory of the whole process tree, worker processes included, sampled
every 20 ms), the per-article cost of the cold builds and the ratios feedpub / Hugo.

Hugo is Debian's `hugo` package: when it is missing the script runs
`apt-get install -y hugo`, and says so plainly if it cannot.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

WORK = Path(__file__).resolve().parent / "work"
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
    """Resident memory of ``root`` and all its descendants, in KiB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


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


_PUBLISHED = re.compile(rb"^published: true[ \t]*$", re.M)


def hugo_site(corpus: Path) -> Path:
    """The corpus as a Hugo site (made once): every article file as it is, with one
    line added, ``draft: true`` unless it is published, so that Hugo parses the same
    front matter feedpub does (related lists, images, ``secured``). Hugo takes the
    date from ``publishedDateTime`` and the terms from ``topics``; a cascade keeps
    the articles listed but never rendered to pages."""
    site = corpus.parent / f"{corpus.name}-hugo"
    marker = site / ".complete-full"
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
    for path in sorted((corpus / "content").rglob("*.txt")):
        data = path.read_bytes()
        draft = b"false" if _PUBLISHED.search(data) else b"true"
        (posts / f"{path.stem}.md").write_bytes(
            data.replace(b"---\n", b"---\ndraft: " + draft + b"\n", 1)
        )
    marker.touch()
    return site


# ------------------------------------------------------------------ the run


def corpus_for(n: int) -> Path:
    path = WORK / f"c{n}"
    if not (path / "config.toml").exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"generating {n} articles in {path} ...", file=sys.stderr)
        generate(path, n)
    return path


def touch_one(corpus: Path, k: int) -> None:
    """Change the title of the newest published article, as an editor would: the "all"
    feed and each of its topics' feeds must be rendered again."""
    newest: tuple[str, Path] | None = None
    for path in (corpus / "content").rglob("*.txt"):
        text = path.read_text(encoding="utf-8")
        if "\npublished: true\n" in text:
            when = text.split("\npublishedDateTime: ", 1)[1][:20]
            if newest is None or when > newest[0]:
                newest = (when, path)
    assert newest is not None
    path = newest[1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', f'title: "Edit {k}: ', 1), encoding="utf-8")


def run_size(n: int, repeat: int, hugo: str | None) -> dict[str, list[tuple[float, float]]]:
    corpus = corpus_for(n)
    site = hugo_site(corpus) if hugo else None
    results: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "one": [], "hugo": []}
    build = [*FEEDPUB, "build", "-c", "config.toml", "--now", NOW]
    for r in range(repeat):
        shutil.rmtree(corpus / "feeds", ignore_errors=True)
        wall, mb, _ = measure([*build, "--full"], corpus)
        results["cold"].append((wall, mb))
        if hugo and site:
            shutil.rmtree(site / "public", ignore_errors=True)
            wall, mb, _ = measure([hugo, "--quiet", "--destination", "public"], site)
            results["hugo"].append((wall, mb))
        time.sleep(2.1)  # let the files settle past the cache's racy window
        results["warm"].append(measure(build, corpus)[:2])
        touch_one(corpus, r)
        time.sleep(2.1)
        results["one"].append(measure(build, corpus)[:2])
        print(f"  N={n} run {r + 1}/{repeat} done", file=sys.stderr)
    return results


def med(values: list[tuple[float, float]], i: int) -> float:
    return statistics.median(v[i] for v in values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    hugo = ensure_hugo()
    version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        if hugo
        else "none"
    )
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; hugo: {version}")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        res = run_size(n, args.repeat, hugo)
        cold, hugo_s = med(res["cold"], 0), med(res["hugo"], 0)
        cold_mb, hugo_mb = med(res["cold"], 1), med(res["hugo"], 1)
        rows.append(
            f"| {n:,} | {cold:.2f} s / {cold_mb:.0f} MB | {med(res['warm'], 0):.2f} s / "
            f"{med(res['warm'], 1):.0f} MB | {med(res['one'], 0):.2f} s / {med(res['one'], 1):.0f} MB | "
            f"{hugo_s:.2f} s / {hugo_mb:.0f} MB | {cold / hugo_s:.2f} | {cold_mb / hugo_mb:.2f} | "
            f"{cold / n * 1000:.3f} ms |"
        )
    print(f"\nmedians of {args.repeat} runs, alternating feedpub and Hugo:\n")
    print("| N | feedpub cold | warm, no change | one article changed | Hugo | cold / Hugo (time) "
          "| cold / Hugo (memory) | cold per article |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
