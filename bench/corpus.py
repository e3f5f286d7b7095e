"""A deterministic synthetic corpus of article files in the seeds' format.

    python bench/corpus.py OUTDIR N [--seed S] [--layout flat|nested]
        [--style seeds|dump|flow|block|defaults|news|jsyaml|json|shared|jsondoc|commented|quoted]
        [--spread zipf|even]
        [--dates utc|offset|ruby|rfc2822|jekyll] [--related short|long] [--words latin|world]

Statistically like real content: about 300 topics with Zipf-skewed popularity (or, with
``--spread even``, all alike), one to
three topics an article, 70 % published, 0-6 related items (some with images), 0-3
images (some URLs with a query string and no extension, some with ``&#038;``),
non-ASCII text, ``&`` and ``<`` in text, dates spread over six years before
2026-11-01, a ``secured`` blob in every file.

Two layouts of the same files (for one seed, article ``i`` has the same bytes in both):
``nested`` puts them in subfolders of 1000 (``content/0000/0000000.txt``), ``flat`` in
one folder, as a Jekyll ``_posts/`` or a ``_news/`` keeps them (``content/0000000.txt``).
Also writes OUTDIR/config.toml: one feed per topic (50 items) and an "all" feed, with
the content glob of the layout.

Eleven styles of front matter for the same articles: ``seeds`` writes it as the real files
are written (double-quoted texts, indented sequences, blank lines between sections);
``dump`` as a generator that calls ``yaml.safe_dump`` writes it (plain texts wrapped at
80 columns, single quotes, sequences not indented, dates as ``2024-01-20 11:36:37+00:00``);
``flow`` as one that calls it with ``default_flow_style=None`` (PyYAML's default before
5.1): the same, but every list and mapping of plain values on one line, wrapped if long
(``topics: [AI, Cloud]``, ``- {url: 'https://...', width: 50, height: 50}``); ``block``
as the seeds style, but every excerpt a folded block scalar wrapped at 70 columns
(``excerpt: >-`` then its lines), as a template-writing generator may put long texts;
``defaults`` as a generator that calls ``yaml.safe_dump`` with its defaults writes it:
keys sorted, every text with a non-ASCII character in double quotes, the character
escaped (``caf\\xE9``), wrapped at 80 columns with each line break escaped; ``news``
as ``dump``, but every title and excerpt holding what real headlines hold (colons,
apostrophes, quotes, brackets, dashes: see NEWS_MARKS), so that ``yaml.safe_dump``
single-quotes many and wraps them over lines, and lines start with a quote or a dash;
``jsyaml`` as the seeds style, but every text too long for its line as js-yaml (a
Node generator's YAML, with ``lineWidth: 64``) writes it: a folded block scalar
(``>-``) wrapped at 64 columns, at any depth, also after a list's dash
(``- title: >-``), and the article's excerpt in two paragraphs, a literal block
scalar (``|-``) with an empty line inside;
``json`` as a generator that writes each value with ``json.dumps`` on its key's line
(JSON is YAML's flow style): every text double-quoted, the provider, images and related
coverage on one line each (``images: [{"url": "https://...", "width": 50}]``);
``shared`` as ``dump``, but as a generator that draws providers, logos and images from
pools writes it: one object wherever the same one comes again in an article, which
``yaml.safe_dump`` writes once with an anchor (``provider: &id001``) and then as an
alias (``provider: *id001``); ``jsondoc`` as a generator that writes the whole front
matter with ``json.dumps(front_matter, indent=2)`` writes it (JSON is YAML: one object
over many lines, each date a text); ``commented`` as the seeds style, with a comment
after some values, as a person who edits the files writes one (``type: article  # or
video``, ``width: 50  # px: 2x for retina``); ``quoted`` as the seeds style, with every
key in double quotes, as a generator that writes each key with ``json.dumps`` does
(``"title": "…"``, ``- "url": "https://…"``).

The seeds style's dates (``2024-01-20T11:36:37Z``) may be written as other generators
write them (``--dates``): ``offset``, with a four-digit offset, as ``strftime`` writes
``%z`` (``2024-01-20T11:36:37+0000``); ``ruby``, as Ruby's YAML writes a time
(``2024-01-20 11:36:37.000000000 Z``); ``rfc2822``, as ``email.utils.format_datetime``
writes one (``Sat, 20 Jan 2024 11:36:37 +0000``); ``jekyll``, as Jekyll's documents
write a post's date and Ruby's ``Time#to_s`` writes one (``2024-01-20 11:36:37 +0000``).

The related coverage is short by default (0-6 items of six fields). ``--related long``
writes it as the seeds have it: 0-10 items, each with the seeds' fields (an AMP URL and
its CDN copy, a type, longer excerpts, images more often), so that a third of the
articles have a ``related:`` block longer than 4,096 characters, as one seed in five
has.

The texts are English words with a few accented and Japanese ones by default
(``--words latin``). ``--words world`` writes them as a site in other languages has
them: words of German, Polish, Czech, Turkish, Vietnamese, Russian, Ukrainian and
Greek, most with letters outside ASCII side by side, which is what makes
``clean_text`` ask ftfy whether a text is mojibake (the topics' names too).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import textwrap
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import yaml

TOPICS = 300
END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_S = 6 * 365 * 86400
WORDS = [
    "cloud",
    "model",
    "data",
    "chip",
    "energy",
    "market",
    "climate",
    "space",
    "rocket",
    "open",
    "source",
    "research",
    "team",
    "launch",
    "report",
    "study",
    "court",
    "budget",
    "city",
    "grid",
    "network",
    "quantum",
    "storage",
    "AI",
    "Azure",
    "Zürich",
    "Économie",
    "naïve",
    "café",
    "São",
    "Paulo",
    "Kraków",
    "東京",
    "データ",
    "Ørsund",
    "résumé",
    "AT&T",
    "R&D",
    "3<5",
    "x<y",
]
#: The words of ``--words world``: languages whose words hold letters outside ASCII side
#: by side (and some typography: quotes, a dash).
WORLD_WORDS = [
    "Größe", "Straßenbahn", "für", "Köln", "über", "Bürger", "Współpraca", "między",
    "państwami", "zacieśnia", "příliš", "žluťoučký", "Türkiye", "büyümesi", "işsizlik",
    "düştü", "Việt", "những", "tiếng", "Правительство", "объявило", "новых", "мерах",
    "экономики", "«цитата»", "Україна", "їжак", "κυβέρνηση", "ανακοίνωσε", "μέτρα",
    "οικονομίας", "—", "AI", "data", "3<5", "R&D",
]  # fmt: skip
#: The words of each ``--words``.
VOCABULARIES = {"latin": WORDS, "world": WORLD_WORDS}

PROVIDERS = [
    ("Contoso Daily", "contoso.example"), ("Fabrikam Times", "fabrikam.example.com"),
    ("Northwind Tech", "northwind.example.org"), ("Adatum Review", "adatum.example.net"),
    ("Tailspin Post", "tailspin.example.com"), ("Zeitung Beispiel", "zeitung.example"),
    ("Le Monde Exemple", "monde.example.fr"), ("ニュース例", "news.example.jp"),
]  # fmt: skip


def topic_names(words: list[str] = WORDS) -> list[str]:
    rng = random.Random(1)
    names = []
    for i in range(TOPICS):
        base = rng.choice(words).capitalize()
        names.append(f"{base} {i}" if i % 7 else f"{base} Économie {i}")
    return names


def zipf_table(n: int, s: float = 1.07) -> list[float]:
    weights = [1 / (k**s) for k in range(1, n + 1)]
    total = sum(weights)
    out, acc = [], 0.0
    for w in weights:
        acc += w / total
        out.append(acc)
    return out


def even_table(n: int) -> list[float]:
    """Every topic as likely as any other."""
    return [(k + 1) / n for k in range(n)]


#: How articles' topics are drawn: ``zipf``, a few topics in most articles and most
#: topics in few, as on a real news site (the default); ``even``, every topic alike, so
#: that from about 5,000 articles on every topic's feed is full (50 items).
SPREADS = {"zipf": zipf_table, "even": even_table}


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sentence(rng: random.Random, n: int, words: list[str] = WORDS) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def image_url(rng: random.Random, i: int) -> str:
    kind = rng.random()
    if kind < 0.15:
        return f"https://img.example.net/photo?id={i}&w=1200"
    if kind < 0.25:
        return f"https://img.example.net/{i}/pic.jpg?w=1200&#038;strip=all"
    ext = rng.choice(["jpg", "jpg", "jpg", "png", "webp", "gif"])
    return f"https://img.example.net/{2020 + i % 7}/{i:07}.{ext}"


def images_block(rng: random.Random, count: int, indent: str, seed: int,
                 words: list[str] = WORDS) -> list[str]:  # fmt: skip
    lines = [f"{indent}images:"]
    for k in range(count):
        lines += [
            f"{indent}  - url: {q(image_url(rng, seed * 7 + k))}",
            f"{indent}    width: {rng.choice([640, 756, 1200, 1600])}",
            f"{indent}    height: {rng.choice([360, 567, 675, 900])}",
        ]
        if rng.random() < 0.5:
            lines.append(f"{indent}    title: {q(sentence(rng, 5, words))}")
    return lines


#: How many related items ``--related`` writes an article, and which fields each has.
RELATED = ("short", "long")


def related_item(rng: random.Random, i: int, k: int, when: datetime, related: str,
                 words: list[str] = WORDS) -> list[str]:  # fmt: skip
    """The lines of one related item of article ``i``: short (six fields), or long, as
    the seeds' items are."""
    rname, rdomain = rng.choice(PROVIDERS)
    rwhen = when - timedelta(hours=rng.randint(1, 72))
    long = related == "long"
    lines = [
        f"  - title: {q(sentence(rng, 8, words).capitalize())}",
        f"    excerpt: {q(sentence(rng, rng.randint(25, 45) if long else 20, words))}",
        f"    publishedDateTime: {rwhen:%Y-%m-%dT%H:%M:%SZ}",
        f"    webUrl: {q(f'https://{rdomain}/r/{i:07}-{k}')}",
    ]
    if long:
        lines += [
            f"    ampWebUrl: {q(f'https://{rdomain}/amp/r/{i:07}-{k}')}",
            f"    cdnAmpWebUrl: {q(f'https://amp.example.org/c/s/{rdomain}/amp/r/{i:07}-{k}')}",
            f"    type: {rng.choice(['article', 'article', 'video'])}",
        ]
    lines += [
        f"    quality: {rng.randint(10, 120)}",
        "    provider:",
        f"      name: {q(rname)}",
        f"      domain: {q(rdomain)}",
    ]
    if rng.random() < (0.6 if long else 0.4):
        lines += images_block(rng, 1, "    ", i * 10 + k, words)
    return lines


def article(i: int, rng: random.Random, topics: list[str], cdf: list[float],
            related: str = "short", words: list[str] = WORDS) -> str:  # fmt: skip
    when = END - timedelta(seconds=rng.randrange(3600, SPAN_S))
    name, domain = rng.choice(PROVIDERS)
    chosen: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        t = topics[min(bisect.bisect(cdf, rng.random()), TOPICS - 1)]
        if t not in chosen:
            chosen.append(t)
    title = sentence(rng, rng.randint(5, 12), words).capitalize()
    if rng.random() < 0.03:
        title = "Itâ€™s " + title
    lines = [
        "---",
        "category: news",
        f"title: {q(title)}",
        f"excerpt: {q(sentence(rng, rng.randint(20, 45), words))}",
        f"publishedDateTime: {when:%Y-%m-%dT%H:%M:%SZ}",
        f"webUrl: {q(f'https://{domain}/news/{when:%Y/%m}/{i:07}-story')}",
    ]
    if rng.random() < 0.4:
        lines.append(f"ampWebUrl: {q(f'https://{domain}/amp/news/{i:07}')}")
    video = rng.random() < 0.05
    lines += [
        f"type: {'video' if video else 'article'}",
        f"quality: {rng.randint(10, 120)}",
        f"heat: {rng.randint(-1, 300)}",
        f"published: {'true' if rng.random() < 0.7 else 'false'}",
        "",
        "provider:",
        f"  name: {q(name)}",
        f"  domain: {q(domain)}",
        "  images:",
        f"    - url: {q(f'https://{domain}/logo-50x50.png')}",
        "      width: 50",
        "      height: 50",
        "",
        "topics:",
        *[f"  - {t}" for t in chosen],
    ]
    if video:
        iframe = '<iframe src="//video.example/embed/' + str(i) + '" width="640"></iframe>'
        lines.append(f"featuredContent: {q(iframe)}")
    n_images = rng.choice([0, 1, 1, 1, 2, 3])
    if n_images:
        lines += ["", *images_block(rng, n_images, "", i, words)]
    counts = [0, 2, 3, 4, 5, 6, 8, 10] if related == "long" else [0, 1, 2, 3, 3, 4, 6]
    n_related = rng.choice(counts)
    if n_related:
        lines += ["", "related:"]
        for k in range(n_related):
            lines += related_item(rng, i, k, when, related, words)
    blob = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        for _ in range(344)
    )
    lines += ["", f"secured: {q(blob)}", "---", ""]
    return "\n".join(lines)


CONFIG = """[site]
title = "Benchmark"
link = "https://bench.example.com/"
feeds_url = "https://bench.example.com/feeds/"
description = "Synthetic corpus"
content = ["{glob}"]
max_items = 50
"""

LAYOUTS = ("flat", "nested")

#: The content glob of each layout, as config.toml gives it.
GLOBS = {"flat": "content/*.txt", "nested": "content/**/*.txt"}


def article_path(content: Path, i: int, layout: str) -> Path:
    """Where article ``i`` goes in ``layout``."""
    if layout == "flat":
        return content / f"{i:07}.txt"
    return content / f"{i // 1000:04}" / f"{i:07}.txt"


STYLES = (
    "seeds", "dump", "flow", "block", "defaults", "news", "jsyaml", "json", "shared", "jsondoc",
    "commented", "quoted",
)  # fmt: skip

#: What real headlines and excerpts hold that the WORDS do not: colons, apostrophes,
#: quotes, brackets, dashes, "#" and "%" (the ``news`` style puts them in the texts).
NEWS_MARKS = [
    "Update:", "Exclusive:", "it's", "don't", "Apple's", "“new”", '"said"', "'90s", "-",
    "—", "(AP)", "[video]", "#1", "50%", "Q&A:", "…", "‘quoted’", "*", "vs.", "U.S.",
]  # fmt: skip


def _newsy(text: str) -> str:
    """``text`` with marks of :data:`NEWS_MARKS` among its words (one every few words;
    the same ones for the same text), and now and then a quoted word first."""
    rng = random.Random(text)
    words = text.split(" ")
    for _ in range(max(1, len(words) // 4)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(NEWS_MARKS))
    if rng.random() < 0.1:
        words.insert(0, rng.choice(['"Breaking"', "'Tis", "“Live”"]))
    return " ".join(words)


def _news_texts(data: object) -> object:
    """Every title and excerpt of a front matter (the related items' too) made newsy."""
    if isinstance(data, list):
        return [_news_texts(x) for x in data]
    if isinstance(data, dict):
        return {
            k: _newsy(v) if k in ("title", "excerpt") and isinstance(v, str) else _news_texts(v)
            for k, v in data.items()
        }
    return data


def _json_value(value: object) -> str:
    """A value as ``json.dumps`` writes it (a date, which JSON has not, as its text in
    quotes where nested; at the top, plain, a YAML timestamp as the seeds write it)."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%dT%H:%M:%SZ}"
    return json.dumps(value, ensure_ascii=False, default=_json_date)


def _json_date(value: datetime) -> str:
    """A date as a JSON text (JSON has no dates)."""
    return f"{value:%Y-%m-%dT%H:%M:%SZ}"


def _pooled(data: object, seen: dict[str, object]) -> object:
    """``data`` with each mapping or list equal to one met before (in ``seen``, by its
    repr) that very one, as a generator that draws them from pools holds them."""
    if isinstance(data, dict | list) and data:
        data = ({k: _pooled(v, seen) for k, v in data.items()} if isinstance(data, dict)
                else [_pooled(v, seen) for v in data])  # fmt: skip
        return seen.setdefault(repr(data), data)
    return data


def dumped(text: str, style: str = "dump") -> str:
    """An article file of the ``seeds`` style in the ``dump``, ``flow``, ``defaults``,
    ``news`` or ``shared`` style: its front matter loaded and written again by
    ``yaml.safe_dump``; or in the ``json`` style, each value by ``json.dumps`` on its
    key's line; or in the ``jsondoc`` style, all of it as one object by
    ``json.dumps(front_matter, indent=2)`` (dates as texts)."""
    _, front, body = text.split("---\n", 2)
    data = yaml.load(front, Loader=yaml.CSafeLoader)
    if style == "json":
        written = "".join(f"{k}: {_json_value(v)}\n" for k, v in data.items())
    elif style == "jsondoc":
        written = json.dumps(data, ensure_ascii=False, indent=2, default=_json_date) + "\n"
    elif style == "defaults":
        written = yaml.safe_dump(data)
    elif style == "shared":
        written = yaml.safe_dump(_pooled(data, {}), sort_keys=False, allow_unicode=True)
    elif style == "news":
        written = yaml.safe_dump(_news_texts(data), sort_keys=False, allow_unicode=True)
    else:
        flow = None if style == "flow" else False
        written = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow)
    return "---\n" + written + "---\n" + body


#: A double-quoted excerpt with no escape in it, at any depth.
_EXCERPT = re.compile(r'^( *)excerpt: "([^"\\\n]*)"\n', re.M)


#: The lines a person who edits the files comments (the article's kind, its scores, an
#: image's width), and what they write after them.
_COMMENTABLE = re.compile(
    r"^((?:type|quality|heat|category): [^\n]*|  +(?:- )?width: [0-9]+)$", re.M
)
#: The comment after each such key's value.
_COMMENTS = {"type": "# or video", "quality": "# 0-150", "heat": '# "hot" if > 100',
             "category": "#TODO: check", "width": "# px: 2x for retina"}  # fmt: skip


def _commented(m: re.Match[str]) -> str:
    """A line with a comment after its value."""
    key = m.group(1).strip(" -").split(":")[0]
    return f"{m.group(1)}  {_COMMENTS[key]}"


#: A key at a line's start or after a sequence's dash (the quoted style quotes it).
_KEY_LINE = re.compile(r"^( *(?:- )?)([A-Za-z_][A-Za-z0-9_]*):(?= |$)", re.M)


def _folded(m: re.Match[str]) -> str:
    """An excerpt as a folded block scalar (``>-``): its words wrapped at 70 columns."""
    indent, text = m.groups()
    if "  " in text or text != text.strip() or not text:
        return m.group(0)  # a fold would make one space of several
    lines = textwrap.wrap(text, 70, break_long_words=False, break_on_hyphens=False)
    return f"{indent}excerpt: >-\n" + "".join(f"{indent}  {line}\n" for line in lines)


#: The ``jsyaml`` style's line width: js-yaml's ``lineWidth`` option (80 by default),
#: narrower, so that the related items' titles are folded too.
JS_WIDTH = 64
#: A double-quoted text with no escape in it, at any depth, after a key that may follow
#: a sequence's dash.
_QUOTED = re.compile(r'^( *)(- )?([A-Za-z]+): "([^"\\\n]*)"\n', re.M)


def _js_yaml(m: re.Match[str]) -> str:
    """A text too long for its line as js-yaml writes it (``lineWidth`` :data:`JS_WIDTH`):
    a folded block scalar (``>-``) wrapped, at any depth (``- title: >-`` in a list);
    the article's own excerpt as two paragraphs, a literal block scalar (``|-``), each
    paragraph on one line and an empty line between them."""
    indent, dash, key, text = m.groups()
    if len(m.group(0)) <= JS_WIDTH + 1 or "  " in text or text != text.strip():
        return m.group(0)  # short enough, or a fold would make one space of several
    at = indent + "  " * (2 if dash else 1)  # the text's lines: two past its key
    head = f"{indent}{dash or ''}{key}: "
    if key == "excerpt" and not indent:
        words = text.split(" ")
        half = len(words) // 2
        return f"{head}|-\n{at}{' '.join(words[:half])}\n\n{at}{' '.join(words[half:])}\n"
    lines = textwrap.wrap(text, JS_WIDTH - len(at), break_long_words=False, break_on_hyphens=False)
    return f"{head}>-\n" + "".join(f"{at}{line}\n" for line in lines)


#: How ``--dates`` writes a seeds-style date (its text, without the "Z"), by name.
DATES: dict[str, Callable[[str], str]] = {
    "utc": lambda t: f"{t}Z",
    "offset": lambda t: f"{t}+0000",
    "ruby": lambda t: f"{t.replace('T', ' ')}.000000000 Z",
    "rfc2822": lambda t: format_datetime(datetime.fromisoformat(t).replace(tzinfo=UTC)),
    "jekyll": lambda t: f"{t.replace('T', ' ')} +0000",
}
_DATE = re.compile(
    r"(?<=DateTime: )([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})Z$", re.M
)


def generate(out: Path, n: int, seed: int = 42, layout: str = "nested",
             style: str = "seeds", spread: str = "zipf", dates: str = "utc",
             related: str = "short", words: str = "latin") -> None:  # fmt: skip
    """``n`` articles under ``out/content`` in ``layout`` and ``style``, their topics
    drawn as ``spread`` says (see :data:`SPREADS`), their dates as ``dates`` (see
    :data:`DATES`), their related coverage as ``related`` says (see :data:`RELATED`),
    their texts in ``words`` (see :data:`VOCABULARIES`), and ``out/config.toml``."""
    if words not in VOCABULARIES:
        raise ValueError(f"words {words!r}: expected one of {', '.join(VOCABULARIES)}")
    if related not in RELATED:
        raise ValueError(f"related {related!r}: expected one of {', '.join(RELATED)}")
    if dates not in DATES:
        raise ValueError(f"dates {dates!r}: expected one of {', '.join(DATES)}")
    if spread not in SPREADS:
        raise ValueError(f"spread {spread!r}: expected one of {', '.join(SPREADS)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    if style not in STYLES:
        raise ValueError(f"style {style!r}: expected one of {', '.join(STYLES)}")
    if style == "jsondoc" and dates != "utc":
        raise ValueError("the jsondoc style writes each date as a JSON text: dates 'utc' only")
    rng = random.Random(seed)
    vocabulary = VOCABULARIES[words]
    topics = topic_names(vocabulary)
    cdf = SPREADS[spread](TOPICS)
    content = out / "content"
    content.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        path = article_path(content, i, layout)
        if i % 1000 == 0:
            path.parent.mkdir(exist_ok=True)
        text = article(i, rng, topics, cdf, related, vocabulary)
        if style == "block":
            text = _EXCERPT.sub(_folded, text)
        elif style == "jsyaml":
            text = _QUOTED.sub(_js_yaml, text)
        elif style == "commented":
            text = _COMMENTABLE.sub(_commented, text)
        elif style == "quoted":
            text = _KEY_LINE.sub(r'\1"\2":', text)
        elif style != "seeds":  # (json too)
            text = dumped(text, style)
        if dates != "utc":
            text = _DATE.sub(lambda m: DATES[dates](m.group(1)), text)
        path.write_text(text, encoding="utf-8")
    (out / "config.toml").write_text(config_text(GLOBS[layout], topics), encoding="utf-8")


def config_text(glob: str, topics: Iterable[str]) -> str:
    """A config.toml: the site, its content glob, an "all" feed and one feed for each
    topic (50 items each)."""
    feeds = ['\n[feeds.all]\ntitle = "Everything"\ntopics = ["*"]\n']
    for k, t in enumerate(topics):
        feeds.append(f"\n[feeds.t{k:03}]\ntitle = {toml_string(t)}\ntopics = [{toml_string(t)}]\n")
    return CONFIG.format(glob=glob) + "".join(feeds)


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters
    escaped."""
    escaped = "".join(
        f"\\u{ord(c):04X}" if c < " " or c == "\x7f" else "\\" + c if c in '"\\' else c
        for c in text
    )
    return f'"{escaped}"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--layout", choices=LAYOUTS, default="nested")
    parser.add_argument("--style", choices=STYLES, default="seeds")
    parser.add_argument("--spread", choices=SPREADS, default="zipf")
    parser.add_argument("--dates", choices=DATES, default="utc")
    parser.add_argument("--related", choices=RELATED, default="short")
    parser.add_argument("--words", choices=VOCABULARIES, default="latin")
    args = parser.parse_args()
    generate(args.outdir, args.n, args.seed, args.layout, args.style, args.spread, args.dates,
             args.related, args.words)  # fmt: skip


if __name__ == "__main__":
    main()
