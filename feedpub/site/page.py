"""Every feed of the config -> ``index.html``, a static page to subscribe from.

No JavaScript, no article HTML: every string from the config or an article is
escaped text, every URL absolute (feeds under ``site.feeds_url``). The page
lists each feed, in the order of config.toml, with its own description (none
when it has none), a subscribe link per format and its five newest headlines with
their pictures (decorative: ``alt=""``, as the headline is beside them), and
carries the autodiscovery ``<link rel="alternate">`` of every feed file. It is written as polyglot HTML5 (also
well-formed XML), so that :func:`check_page` can read it back with a strict
parser before it is written: language, title, landmarks, headings in order,
an ``alt`` attribute on every image (empty for a decorative one), a name
(``aria-label``) only where a role takes it, absolute http(s) URLs, no scripts or handlers.

Its date is the newest item's, never the clock: same content, same bytes.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from lxml import etree

from .. import __version__
from ..config import Config, Labels
from ..formats import FORMATS
from ..formats.items import rfc3339
from ..model import Headline, in_zone
from ..sanitize import FORBIDDEN_TAGS, URL_ATTRS, hardened_parser, is_absolute
from .opml import CONTENT_TYPE as OPML_TYPE
from .opml import FILENAME as OPML_FILENAME

FILENAME = "index.html"
HEADLINES = 5

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;color:#1a1a1a;overflow-wrap:anywhere}
a{color:#0645ad}a:focus{outline:3px solid #f90}
header,footer{border-bottom:1px solid #ccc;margin-bottom:1.5rem}
footer{border:0;border-top:1px solid #ccc;margin-top:2rem;font-size:.9rem;color:#444}
nav ul,.subscribe{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.subscribe a{display:inline-block;padding:.2rem .7rem;border:1px solid #0645ad;border-radius:4px}
section{margin-bottom:2.5rem}
.headlines{list-style:none;padding:0}
.headlines li{display:flex;gap:.8rem;align-items:flex-start;margin:.6rem 0}
.headlines img{width:96px;height:64px;object-fit:cover;flex:none;background:#eee;overflow:hidden;font-size:.7rem}
.headlines div{min-width:0}
.meta{display:block;font-size:.85rem;color:#555}
""".strip()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _date(dt: datetime, tz: tzinfo, words: Labels) -> str:
    """A moment as the page shows it: its day in the site's time zone (a date written
    without a time, in a site east of UTC, showed the day before), its month named."""
    day = in_zone(dt, tz)
    return f'<time datetime="{rfc3339(dt)}">{_e(words.day(day.year, day.month, day.day))}</time>'


#: The languages written right to left (their primary subtags).
_RIGHT_TO_LEFT = frozenset(
    {"ar", "arc", "azb", "bal", "bqi", "ckb", "dv", "fa", "glk", "he", "iw", "khw", "ks",
     "lrc", "mzn", "nqo", "pnb", "prs", "ps", "sd", "sdh", "syr", "ug", "ur", "yi"}
)  # fmt: skip
#: The scripts written right to left (ISO 15924), as a language tag's script subtag
#: names them: ``pa-Arab`` (Shahmukhi Punjabi), ``az-Arab``, ``ms-Arab`` (Jawi).
_RIGHT_TO_LEFT_SCRIPTS = frozenset(
    {"adlm", "arab", "aran", "hebr", "mand", "mend", "nkoo", "rohg", "samr", "syrc", "thaa",
     "yezi"}
)  # fmt: skip


def _direction(language: str) -> str:
    """The page's ``dir`` attribute for a site in ``language``: right to left, or none.

    A script subtag decides when the tag has one (``pa-Arab`` is right to left,
    ``sd-Deva`` left to right); else the language does."""
    subtags = language.lower().split("-")
    if len(subtags) > 1 and len(subtags[1]) == 4 and subtags[1].isalpha():
        rtl = subtags[1] in _RIGHT_TO_LEFT_SCRIPTS
    else:
        rtl = subtags[0] in _RIGHT_TO_LEFT
    return ' dir="rtl"' if rtl else ""


def _headline(h: Headline, tz: tzinfo, words: Labels) -> str:
    parts = ["<li>"]
    if h.image:
        img = h.image
        size = "".join(
            f' {k}="{v}"' for k, v in (("width", img.width), ("height", img.height)) if v
        )
        # decorative: the headline is the link beside it, and a screen reader would
        # read it twice (or read a caption that says less); the empty alt says so
        parts.append(f'<img src="{_e(img.url)}" alt=""{size} loading="lazy"/>')
    meta = _date(h.published_at, tz, words)
    if h.provider:  # (isolated: a right-to-left name, or one that holds a direction
        # mark, never takes the date along)
        meta = f"<bdi>{_e(h.provider)}</bdi>, {meta}"
    parts.append(f'<div><a href="{_e(h.url)}" dir="auto">{_e(h.title)}</a>')
    parts.append(f'<span class="meta">{meta}</span></div></li>')
    return "".join(parts)


def render_page(
    config: Config, headlines: Mapping[str, Sequence[Headline]], updated: datetime
) -> bytes:
    """The page's bytes; ``headlines`` maps each feed's slug to its newest items."""
    words = config.labels
    title = words.said("page_title", site=config.title)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(config.language)}"{_direction(config.language)}>',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f'<meta name="generator" content="feedpub {__version__}"/>',
        f"<title>{_e(title)}</title>",
    ]
    if config.description:
        out.append(f'<meta name="description" content="{_e(config.description)}"/>')
    for feed in config.feeds:
        for fmt in feed.formats:
            out.append(
                f'<link rel="alternate" type="{FORMATS[fmt].content_type}" '
                f'title="{_e(f"{feed.title} ({FORMATS[fmt].label})")}" '
                f'href="{_e(config.feed_url(feed.slug, fmt))}"/>'
            )
    out += [f"<style>{_STYLE}</style>", "</head>", "<body>", "<header>", f"<h1>{_e(title)}</h1>"]
    if config.description:
        out.append(f"<p>{_e(config.description)}</p>")
    opml_url = f"{config.feeds_url}{OPML_FILENAME}"
    out += [
        f'<nav aria-label="{_e(words.navigation)}">',
        f'<ul><li><a href="{_e(config.link)}">{_e(words.said("home_page", site=config.title))}'
        "</a></li>",
        f'<li><a href="{_e(opml_url)}" type="{OPML_TYPE}">{_e(words.opml)}</a></li></ul>',
        "</nav>",
        "</header>",
        "<main>",
    ]
    for feed in config.feeds:
        anchor = f"feed-{feed.slug}"
        out.append(f'<section aria-labelledby="{anchor}">')
        out.append(f'<h2 id="{anchor}">{_e(feed.title)}</h2>')
        if feed.description:  # its own, never the site's (the header shows that)
            out.append(f"<p>{_e(feed.description)}</p>")
        subscribe = words.said("subscribe", feed=feed.title)
        # named by a group: a list's own aria-label is one screen readers may not read
        # (the Nu validator: "possible misuse"); the div changes nothing of the look
        out.append(f'<div role="group" aria-label="{_e(subscribe)}">')
        out.append('<ul class="subscribe">')
        for fmt in feed.formats:
            url = config.feed_url(feed.slug, fmt)
            out.append(
                f'<li><a href="{_e(url)}" type="{FORMATS[fmt].content_type}">{FORMATS[fmt].label}'
                f'<span class="meta">{_e(url)}</span></a></li>'
            )
        out.append("</ul>")
        out.append("</div>")
        items = list(headlines.get(feed.slug, ()))[:HEADLINES]
        out.append(f"<h3>{_e(words.latest)}</h3>")
        if items:
            out.append('<ol class="headlines">')
            out.extend(_headline(a, config.timezone, words) for a in items)
            out.append("</ol>")
        else:
            out.append(f"<p>{_e(words.no_stories)}</p>")
        out.append("</section>")
    out += [
        "</main>",
        # (the date is markup: escaped, the label is split round it)
        "<footer><p>"
        + _date(updated, config.timezone, words).join(
            _e(words.said("updated", version=__version__)).split("{date}")
        )
        + "</p></footer>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(out) + "\n").encode("utf-8")


#: The elements a name (``aria-label``, ``aria-labelledby``) is sure to be read on
#: without a ``role``: landmarks, interactive and labelable ones, images, tables,
#: dialogs (as the Nu validator and html-validate have it: it is a "possible misuse"
#: on a list, a paragraph, a ``div``).
_NAMED = frozenset(
    {"nav", "main", "header", "footer", "aside", "section", "form", "search", "a", "area",
     "button", "input", "select", "textarea", "meter", "output", "progress", "img", "figure",
     "table", "td", "th", "iframe", "dialog", "fieldset", "summary", "details"}
)  # fmt: skip

_PLAIN, _HANDLER, _URL, _NAMING = range(4)


def _attribute_kind(name: str) -> int:
    """An attribute forbidden on the page (an event handler, a style), one that holds a
    URL, one that names its element, or another."""
    low = name.lower()
    if low in ("aria-label", "aria-labelledby"):  # (a name: only where a role takes one)
        return _NAMING
    return (
        _HANDLER if low.startswith("on") or low == "style" else _URL if low in URL_ATTRS else _PLAIN
    )


def check_page(data: bytes, feed_urls: Sequence[str] = ()) -> list[str]:
    """What keeps the page from being well-formed, safe and accessible.

    ``feed_urls`` must each have an autodiscovery link and a subscribe link.
    """
    try:
        root: Any = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as e:
        return [f"line {e.lineno or 1}: not well-formed: {e.msg}"]
    problems: list[str] = []
    if root.tag != "html" or not root.get("lang"):
        problems.append('the root must be <html lang="...">')
    if not (root.findtext("head/title") or "").strip():
        problems.append("no <title>")
    if root.find("head/meta[@charset='utf-8']") is None:
        problems.append('no <meta charset="utf-8">')
    for tag in ("header", "main", "footer"):
        if len(root.findall(f"body/{tag}")) != 1:
            problems.append(f"the body needs exactly one <{tag}> landmark")
    if len(root.findall(".//h1")) != 1:
        problems.append("the page needs exactly one <h1>")
    level = 0
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        n = int(str(el.tag)[1])
        if n > level + 1:
            problems.append(f"line {el.sourceline}: <{el.tag}> skips a heading level")
        level = n
    ids: Counter[str] = Counter()
    tags: dict[str, tuple[str, bool]] = {}  # what each tag is, worked out once a page
    kinds: dict[str, int] = {}  # and each attribute name
    for el in root.iter(etree.Element):  # elements only: no comments
        if (known := tags.get(el.tag)) is None:
            known = tags[el.tag] = (low := el.tag.lower(), low in FORBIDDEN_TAGS)
        tag, forbidden = known
        if forbidden:
            parent = el.getparent()
            in_head = parent is not None and parent.tag == "head"
            if not (in_head and tag in ("link", "meta", "style")):
                problems.append(f"line {el.sourceline}: <{tag}> is not allowed")
        if tag == "img" and el.get("alt") is None:  # alt="" (decorative) is fine
            problems.append(f"line {el.sourceline}: <img> without an alt attribute")
        for name, value in el.items():
            if (kind := kinds.get(name)) is None:
                kind = kinds[name] = _attribute_kind(name)
            if kind == _PLAIN:
                if name == "id" and value:
                    ids[value] += 1
            elif kind == _NAMING:
                if value and tag not in _NAMED and el.get("role") is None:
                    problems.append(f"line {el.sourceline}: {name}= on <{tag}>, which has no "
                                    "role that takes a name: give it one (role=), or name "
                                    "what holds it")  # fmt: skip
            elif kind == _HANDLER:
                problems.append(f"line {el.sourceline}: {name}= is not allowed")
            elif not is_absolute(value):
                problems.append(f"line {el.sourceline}: {name}={value!r} is not absolute http(s)")
    problems += [f"id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    discovery = {el.get("href") for el in root.iterfind("head/link[@rel='alternate']")}
    subscribe = {el.get("href") for el in root.iterfind(".//main//a")}
    for url in feed_urls:
        if url not in discovery:
            problems.append(f"no autodiscovery link for {url}")
        if url not in subscribe:
            problems.append(f"no subscribe link for {url}")
    return problems
