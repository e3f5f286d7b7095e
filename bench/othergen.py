"""Article files in the seeds' format, written by another hand than bench/corpus.py's.

    python bench/othergen.py OUTDIR N [--seed 5] [--spread zipf|even] [--layout flat|dated]

A second generator, so that the benchmark does not rest on one generator's idea of an
article. Written from the seeds alone, not from bench/corpus.py: English headlines and
excerpts with typographic apostrophes and quotes, em dashes, ellipses, dollar amounts
and percentages; dates with milliseconds (``2024-11-26T05:40:20.167Z``); twelve
providers with their logos; 0 to 8 related items, each with an AMP URL, a provider and a
quality, half of them an image; 80 % of the articles with an image whose URL has a query
string; one to three of 300 topics (``--spread zipf``: topic k drawn with weight 1/k;
``even``: all alike); 70 % published; a ``secured`` blob. ``--layout flat`` puts every
file in ``OUTDIR/content/``; ``dated`` in a folder for each year and month of its date
(``content/2025/03/``), as many sites keep them. No config.toml: ``bench/run.py
--corpus OUTDIR`` writes one (a feed for each topic named) and compares feedpub with Hugo
on it.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = [
    "microsoft", "openai", "azure", "cloud", "model", "training", "data", "center", "chip",
    "startup", "funding", "round", "billion", "million", "users", "privacy", "regulator",
    "europe", "court", "ruling", "launch", "update", "security", "breach", "ransomware",
    "quantum", "research", "lab", "team", "paper", "benchmark", "gpu", "cluster",
    "partnership",
]  # fmt: skip
PROVIDERS = [
    (name, name.lower().replace(" ", "") + ".com")
    for name in ["ZDNet", "TechCrunch", "The Verge", "Ars Technica", "Wired", "Reuters",
                 "Bloomberg", "CNBC", "Engadget", "VentureBeat", "GeekWire", "Forbes"]
]  # fmt: skip
TOPICS = [f"Topic {i}" for i in range(300)]
#: The newest an article may be: every date is before the benchmark's ``--now``.
NEWEST = datetime(2026, 10, 31, tzinfo=UTC)
LAYOUTS = ("flat", "dated")
SPREADS = ("zipf", "even")


def sentence(rng: random.Random, k: int) -> str:
    """``k`` words, capitalised, with a headline's typography here and there."""
    words = [rng.choice(WORDS) for _ in range(k)]
    out = words[0].capitalize()
    for w in words[1:]:
        r = rng.random()
        if r < 0.06:
            out += "’s " + w
        elif r < 0.10:
            out += " “" + w + "”"
        elif r < 0.13:
            out += " — " + w
        elif r < 0.15:
            out += f" ${rng.randint(1, 999)} {w}"
        elif r < 0.17:
            out += f" {rng.randint(1, 99)}% {w}"
        else:
            out += " " + w
    return out + ("…" if rng.random() < 0.1 else "")


def q(text: str) -> str:
    """A double-quoted YAML text (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def stamp(rng: random.Random, when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z"


def article(rng: random.Random, i: int, weights: list[float]) -> tuple[datetime, str]:
    """Article ``i``: its date, and its file's text."""
    when = NEWEST - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
    name, domain = rng.choice(PROVIDERS)
    url = f"https://www.{domain}/{when.year}/{i}-{rng.randrange(10**6)}"
    cdn = f"https://www-{domain.replace('.', '-')}.cdn.ampproject.org/c/s/{url[8:]}/amp/"
    lines = [
        "---", "category: news",
        f"title: {q(sentence(rng, rng.randint(6, 14)))}",
        f"excerpt: {q(sentence(rng, rng.randint(20, 45)) + '.')}",
        f"publishedDateTime: {stamp(rng, when)}", f"webUrl: {q(url)}",
        f"ampWebUrl: {q(url + '/amp/')}", f"cdnAmpWebUrl: {q(cdn)}", "type: article",
        f"quality: {rng.randint(0, 150)}", f"heat: {rng.randint(-1, 300)}",
        f"published: {'true' if rng.random() < 0.7 else 'false'}", "",
        "provider:", f"  name: {name}", f"  domain: {domain}", "  images:",
        f'    - url: "https://logos.example/{domain}-50x50.jpg"', "      width: 50",
        "      height: 50", "", "topics:",
    ]  # fmt: skip
    for t in sorted(set(rng.choices(TOPICS, weights, k=rng.choice([1, 1, 2, 2, 3])))):
        lines.append(f"  - {t}")
    if rng.random() < 0.8:
        lines += ["", "images:", f'  - url: "https://cdn.{domain}/img/{i}.jpg?w=1200&h=630&fit=crop"',
                  "    width: 1200", "    height: 630"]  # fmt: skip
    related = rng.randint(0, 8)
    if related:
        lines += ["", "related:"]
    for r in range(related):
        other, other_domain = rng.choice(PROVIDERS)
        link = f"https://www.{other_domain}/story/{i}-{r}"
        lines += [
            f"  - title: {q(sentence(rng, rng.randint(6, 14)))}",
            f"    excerpt: {q(sentence(rng, rng.randint(15, 40)))}",
            f"    publishedDateTime: {stamp(rng, when - timedelta(seconds=rng.randint(0, 200000)))}",
            f"    webUrl: {q(link)}", f"    ampWebUrl: {q(link + '/amp')}", "    type: article",
            "    provider:", f"      name: {other}", f"      domain: {other_domain}",
            f"    quality: {rng.randint(0, 150)}",
        ]  # fmt: skip
        if rng.random() < 0.5:
            lines += ["    images:", f'      - url: "https://cdn.{other_domain}/i/{i}-{r}.png"',
                      f"        width: {rng.choice([640, 800, 1024])}",
                      f"        height: {rng.choice([360, 480, 576])}"]  # fmt: skip
    blob = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                   for _ in range(400))  # fmt: skip
    lines += ["", f'secured: "{blob}=="', "---", ""]
    return when, "\n".join(lines)


def generate(out: Path, n: int, seed: int = 5, spread: str = "zipf", layout: str = "flat") -> None:
    """``n`` article files under ``out/content/`` (the same bytes for the same seed and
    spread, in either layout)."""
    if spread not in SPREADS or layout not in LAYOUTS:
        raise ValueError(f"spread {spread!r}, layout {layout!r}: not {SPREADS}, {LAYOUTS}")
    rng = random.Random(seed)
    weights = [1 / (k + 1) if spread == "zipf" else 1.0 for k in range(len(TOPICS))]
    content = out / "content"
    for i in range(n):
        when, text = article(rng, i, weights)
        folder = content / f"{when.year}" / f"{when.month:02}" if layout == "dated" else content
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--spread", choices=SPREADS, default="zipf")
    parser.add_argument("--layout", choices=LAYOUTS, default="flat")
    args = parser.parse_args()
    generate(args.outdir, args.n, args.seed, args.spread, args.layout)


if __name__ == "__main__":
    main()
