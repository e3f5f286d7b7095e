"""config.toml -> frozen :class:`Config`.

Every problem is collected and reported at once, each with its key path and the
line it sits on (``feeds.azure.titel: unknown key``). Relative paths resolve
against the folder of the config file, never the working directory.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import errno
import fnmatch
import functools
import glob
import ipaddress
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import (
    WORD_QUOTES,
    ConfigError,
    cut,
    likely_meant,
    shown_path,
    shown_text,
    utf8_reading,
)
from .visible import NONCHARACTERS, balanced_bidi, shows_nothing

#: The formats a feed gets by default, and every format a feed may ask for.
FORMATS = ("rss", "atom")
ALL_FORMATS = ("rss", "atom", "json")
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")  # (with match: whole)
#: File names Windows keeps for devices, whatever their extension (``con.rss``): a
#: checkout, an unzip or a copy of the output folder fails there.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))]
)
DEFAULT_MAX_ITEMS = 50
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
DEFAULT_LOCK_TIMEOUT = 30.0
#: Where a build keeps its cache and its lock by default: a folder beside the config
#: file, never the output folder (which a site publishes, dotfiles and all).
STATE_DIR = ".feedpub"
DEFAULT_CACHE = f"{STATE_DIR}/cache.sqlite"


@functools.lru_cache(maxsize=65536)  # a few hundred topics, met 100,000 times
def topic_key(topic: str) -> str:
    """The form in which topics are compared: NFKC, casefolded, single spaces, without
    direction controls (an article's topic has those it opens closed, and its
    overrides removed, see :func:`feedpub.visible.balanced_bidi`; the config's as
    written: both mean one topic) and without variation selectors (``❤️`` and ``❤``,
    one heart drawn as an emoji or as text, as keyboards add or drop U+FE0F). A
    capital I with a dot (Turkish ``İstanbul``) is an ``i``: casefolded alone, it is
    ``i`` and a combining dot, which ``istanbul`` and ``Istanbul`` never match."""
    if _INVISIBLE.search(topic):  # (first: "\u2067 Diablo 4 \u2069" is "diablo 4")
        topic = topic.translate(_NO_INVISIBLE)
    key = unicodedata.normalize("NFKC", topic).casefold()
    if "\u0307" in key:
        key = key.replace("i\u0307", "i")
    return " ".join(key.split())


#: The direction marks and controls (LRM, RLM, ALM; embeddings, overrides, isolates),
#: and the variation selectors (VS1 to VS16; VS17 to VS256, U+E0100 to U+E01EF).
_INVISIBLE = re.compile(
    "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)
_NO_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One ``[feeds.<slug>]`` table.

    ``topic_keys`` is ``None`` for ``topics = ["*"]`` (every published article),
    otherwise the topics in :func:`topic_key` form.
    """

    slug: str
    title: str
    description: str
    topics: tuple[str, ...]
    topic_keys: frozenset[str] | None
    max_items: int
    min_quality: float | None
    formats: tuple[str, ...]
    #: RFC 5005 archives: items that fall off the feed stay in ``<slug>-archive-<n>`` pages.
    archive: bool = False
    #: Items per archive page (default: the feed's ``max_items``).
    archive_size: int = 0


@dataclass(frozen=True, slots=True)
class Labels:
    """The words feedpub writes itself, in the items' bodies and on the feeds page
    (``[site.labels]``): English unless the config gives the site's own. A text in braces
    (``{site}``) is replaced by what it names."""

    #: the body of an item with no excerpt, image or related coverage: a link to it
    read_article: str = "Read the article"
    #: a video's link to its watch page
    watch_video: str = "Watch the video"
    #: the heading over an item's related coverage
    related: str = "Related coverage"
    #: the title of a feed's archive page (RFC 5005)
    archive_title: str = "{feed} (archive page {page})"
    #: the page: a feed's newest headlines, and the line when it has none
    latest: str = "Latest stories"
    no_stories: str = "No stories yet."
    #: the page's title and heading, and its links to the site and to feeds.opml
    page_title: str = "{site}: feeds"
    home_page: str = "{site} home page"
    opml: str = "Every feed as an OPML list"
    #: what a screen reader says of the page's links: to the site, to a feed's formats
    navigation: str = "Site"
    subscribe: str = "Subscribe to {feed}"
    #: the page's footer
    updated: str = "Last updated {date}. Made with feedpub {version}."
    #: a date on the page and in related coverage (3 Nov 2024), and its months
    date: str = "{day} {month} {year}"
    months: tuple[str, ...] = (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    )  # fmt: skip

    def said(self, name: str, **values: str) -> str:
        """The label ``name`` with each ``{key}`` of ``values`` replaced (wherever it is),
        in one pass: a value that holds a name in braces (a feed titled "{page}") stays."""
        text: str = getattr(self, name)
        return _PLACEHOLDERS.sub(lambda m: values.get(m[0][1:-1], m[0]), text)

    def day(self, year: int, month: int, day: int) -> str:
        """A day as :attr:`date` writes it (the month named by :attr:`months`)."""
        return self.said("date", day=str(day), month=self.months[month - 1], year=str(year))


#: The labels unless a config gives others.
ENGLISH = Labels()
#: The texts in braces each label that offers any must hold, and those it may hold.
_LABEL_HOLDS = {"page_title": ("{site}",), "home_page": ("{site}",), "subscribe": ("{feed}",),
                "archive_title": ("{feed}", "{page}"), "updated": ("{date}",),
                "date": ("{day}", "{month}", "{year}")}  # fmt: skip
_LABEL_MAY = {**_LABEL_HOLDS, "updated": ("{date}", "{version}")}
#: A name in braces (``{site}``, ``{monat}``): in a label that does not offer it, a mistake.
_PLACEHOLDERS = re.compile(r"\{[^{}]+\}")


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration; all paths are absolute."""

    path: Path
    root: Path
    title: str
    link: str
    feeds_url: str
    description: str
    language: str
    content: tuple[str, ...]
    output: Path
    cache: Path
    max_items: int
    timezone: ZoneInfo
    max_file_size: int
    lock_timeout: float
    feeds: tuple[FeedConfig, ...]
    #: A WebSub hub (absolute https URL) every feed advertises and build pings, or None.
    hub: str | None = None
    #: The OPML list's ``ownerName`` (optional).
    owner: str = ""
    #: The words feedpub writes itself (``[site.labels]``).
    labels: Labels = ENGLISH
    #: Globs of files the content globs match that are not articles (``site.exclude``).
    exclude: tuple[str, ...] = ()

    @property
    def lock(self) -> Path:
        """The file a build holds an OS lock on: beside the cache, ``<cache>.lock``."""
        return self.cache.with_name(f"{self.cache.name}.lock")

    def feed(self, slug: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.slug == slug), None)

    def feed_url(self, slug: str, fmt: str) -> str:
        return f"{self.feeds_url}{slug}.{fmt}"


#: A key path: its keys as TOML decodes them (``("feeds", "azure", "title")``); one
#: written in the code as ``"feeds.azure"`` when none of its keys holds a dot.
KeyPath = str | tuple[str, ...]


def _keys(keypath: KeyPath) -> tuple[str, ...]:
    return tuple(keypath.split(".")) if isinstance(keypath, str) else keypath


def shown_keypath(keypath: KeyPath) -> str:
    """``keypath`` as a message shows it: its keys joined by dots, each escaped as a file
    name is (:func:`feedpub.errors.shown_path`: a terminal escape as ``\\x1b``)."""
    return ".".join(shown_path(k) for k in _keys(keypath))


class _Reader:
    """Checks one TOML table, recording problems with key path and line."""

    def __init__(
        self, locate: Callable[[tuple[str, ...]], int | None], problems: list[str]
    ) -> None:
        self.locate = locate
        self.problems = problems

    def problem(self, keypath: KeyPath, message: str, line: int | None = None) -> None:
        """Record ``message`` for ``keypath``, at its line (else ``line``, if any)."""
        line = self.locate(_keys(keypath)) or line
        where = f"{line}: " if line else ""
        self.problems.append(f"{where}{shown_keypath(keypath)}: {message}")

    def get(
        self,
        table: dict[str, Any],
        prefix: KeyPath,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
        what: str = "",
    ) -> Any:
        keypath = (*_keys(prefix), key)
        if key not in table:
            if default is ...:
                # (a key misspelt, titel, is said once: as unknown, with the one meant)
                if not any(likely_meant(k, (key,)) for k in table if isinstance(k, str)):
                    self.problem(keypath, "missing (required)")
                return None
            return default
        value = table[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.problem(keypath, f"must be {what or _kind_name(kind)}, not true/false")
            return None
        if not isinstance(value, kind):
            self.problem(keypath, f"must be {what or _kind_name(kind)}")
            return None
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        bool: "true or false",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


#: What no text of the config may hold: the characters XML 1.0 forbids and the other
#: controls (DEL, C1), which a feed cannot carry or a reader does not show, and Unicode's
#: noncharacters (U+FDD0, U+1FFFE: "Forbidden code point" to the Nu HTML checker, in the
#: feeds page's title or description); in a text of one line (a title, a topic, the
#: owner), tabs and line breaks too.
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{NONCHARACTERS}]")
_CONTROL_OR_BREAK = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{NONCHARACTERS}]")
_NONCHARACTER = re.compile(f"[{NONCHARACTERS}]")
#: The direction overrides (LRO, RLO), which turn text round ("Trojan Source"): taken
#: out of an article's texts (see :func:`feedpub.visible.balanced_bidi`), refused here.
_OVERRIDE = re.compile("[\u202d\u202e]")
#: The other direction controls: embeddings (LRE, RLE) closed by PDF, isolates (LRI,
#: RLI, FSI) closed by PDI; each closed at the end of its line, as in an article's texts.
_EMBEDDING = re.compile("[\u202a-\u202c\u2066-\u2069]")


def _text(r: _Reader, table: dict[str, Any], prefix: KeyPath, key: str, default: Any = ...,
          *, one_line: bool = True, name: bool = False) -> str | None:  # fmt: skip
    """A text of the config (None when it is missing and required, or unusable): a
    string with no control character; with ``name``, not blank either (a feed's title
    is its name in every reader)."""
    value = r.get(table, prefix, key, str, default)
    if value is None:
        return None
    return _checked_text(r, (*_keys(prefix), key), value, one_line, name)


def _checked_text(r: _Reader, keypath: KeyPath, value: str, one_line: bool = True,
                  name: bool = False) -> str | None:  # fmt: skip
    bad = (_CONTROL_OR_BREAK if one_line else _CONTROL).search(value) or _OVERRIDE.search(value)
    if bad:
        what = (
            "a tab or a line break" if bad.group() in "\t\n\r\u2028\u2029"
            else "a direction override" if bad.group() in "\u202d\u202e"
            else "a Unicode noncharacter" if _NONCHARACTER.match(bad.group())
            else "a control character"
        )  # fmt: skip
        r.problem(keypath, f"holds {what} ({bad.group()!r}, character {bad.start() + 1}): "
                           "remove it")  # fmt: skip
        return None
    if name and not value.strip():
        r.problem(keypath, "must not be empty: readers show it as the name")
        return None
    if name and shows_nothing(value):  # (a zero-width space: readers showed a blank name)
        r.problem(keypath, f"shows nothing ({value!a}: characters no reader "
                           "shows, as a zero-width space or a soft hyphen, alone): readers "
                           "show it as the name: write the words they should show")  # fmt: skip
        return None
    if _EMBEDDING.search(value):  # (a title's RLI left open turned what follows it round,
        value = balanced_bidi(value)  # in a reader's list and in ``feedpub list``)
    # (composed, as an article's texts are: an editor on macOS may save "é" as "e" and
    # U+0301, and a feed's own category would then differ from its items' in bytes)
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _line_locator(text: str) -> Callable[[tuple[str, ...]], int | None]:
    """Map key paths to line numbers by scanning the TOML source, when the first
    problem asks: a valid config asks nothing (the scan of one of 300 feeds takes 3 ms)."""
    where: dict[tuple[str, ...], int] = {}

    def locate(keypath: tuple[str, ...]) -> int | None:
        if not where:
            where.update(_key_lines(text))
        parts = keypath
        while parts:
            found = where.get(parts)
            if found:
                return found
            parts = parts[:-1]
        return None

    return locate


def line_of(config: Config, keypath: tuple[str, ...]) -> int:
    """The line of ``keypath`` in the config file (or of the table that holds it), read
    again: for what a build says of a valid config; 1 when it cannot tell."""
    try:
        text = config.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeError):
        return 1
    return _line_locator(text.replace("\r\n", "\n"))(keypath) or 1


#: A TOML key: bare, "basic" (with escapes) or 'literal'; a dotted key is keys and dots.
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")
_ONE_KEY = re.compile(_KEY)


def _dotted_keys(dotted: str) -> tuple[str, ...]:
    """The keys of a dotted key as written, each as TOML decodes it (a quoted one by
    tomllib itself: ``"a\\u001b"`` is ``a`` and ESC)."""
    keys = []
    for written in _ONE_KEY.findall(dotted):
        if written[0] in "\"'":
            try:
                written = next(iter(tomllib.loads(f"{written} = 0")))
            except tomllib.TOMLDecodeError:  # (not a key TOML reads: no line for it)
                written = written[1:-1]
        keys.append(written)
    return tuple(keys)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header (``("feeds", "azure")``, and where each of its
    tables first appears: ``("feeds",)``) and of each key (``("feeds", "azure",
    "title")``), the keys as TOML decodes them."""
    where: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    within = ""  # the quotes of a text over many lines this line is in, if any
    # (TOML's lines end with "\n": not at U+2028, U+0085 and the like, as splitlines has it)
    for number, line in enumerate(text.split("\n"), 1):
        if within:  # (no header nor key in a text: a line that closes it ends it)
            within = "" if within in line else within
            continue
        m = _HEADER.match(line)
        if m:
            table = _dotted_keys(m.group(1))
            for n in range(1, len(table) + 1):  # ([feed.a]: the unknown table feed is here)
                where.setdefault(table[:n], number)
            continue
        k = _KEY_LINE.match(line)
        if k:
            keys = (*table, *_dotted_keys(k.group(1)))
            for n in range(len(table) + 1, len(keys) + 1):
                where.setdefault(keys[:n], number)
            # a value that opens a text over many lines and does not close it here (not
            # three quotes inside a text of one line, or in a comment)
            value = line[k.end() :].lstrip()
            quotes = value[:3]
            if quotes in ('"""', "'''") and quotes not in value[3:]:
                within = quotes
    return where


#: What an absolute URL of the config may not hold as it is: white space (any kind,
#: U+3000 too) and controls.
_SPACE_OR_CONTROL = re.compile("[\\s\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def _masked(url: str) -> str:
    """``url`` as a message says it back (:func:`feedpub.sanitize.masked_url`). The
    text cleaning is imported only when a message needs it: a build that reads no
    article file (nothing changed, as under cron) never needs the rest of it."""
    from .sanitize import masked_url

    return masked_url(url)


def _idna_refuses() -> str:
    """What IDNA refuses in a host (:data:`feedpub.sanitize.IDNA_REFUSES`), for a message."""
    from .sanitize import IDNA_REFUSES

    return IDNA_REFUSES


def _check_url(r: _Reader, keypath: KeyPath, value: str | None, folder: bool = False) -> str:
    if value is None:
        return ""
    why = _url_problem(value, folder)
    if why is not None:
        r.problem(keypath, f"must be an absolute http(s) URL ({why}), got {_masked(value)!r}")
        return value
    if folder and (problem := _folder_problem(value)):
        r.problem(keypath, problem)
        return value
    if folder and not value.endswith("/"):
        value += "/"
    try:
        return as_uri(value)
    except UnicodeError:
        r.problem(keypath, f"must be an absolute http(s) URL with a host IDNA can encode "
                           f"(not {_idna_refuses()}), got {_masked(value)!r}")  # fmt: skip
        return value


def as_uri(url: str) -> str:
    """A sound URL (:func:`_url_problem`) in the form the articles' URLs are written in:
    a URI, RFC 3987's mapping of an IRI, its host IDNA-encoded and every other character
    past ASCII %-encoded as its UTF-8 bytes (``https://bücher.example/café/``:
    ``https://xn--bcher-kva.example/caf%C3%A9/``), its scheme and host in lower case,
    without the scheme's own port (``HTTPS://News.Example.com:443/``:
    ``https://news.example.com/``), its %-escapes in their normal form (``%c3%a9``:
    ``%C3%A9``; ``%7E``: ``~``). The site's URLs go into every feed (the channel's
    link, the Atom feed's id, the self links): the W3C validator refuses an IRI there
    ("IRI found where URL expected"; a self link with a non-ASCII path "doesn't match
    document location", the URL a client fetched), and warns of an id that is not in
    its canonical form. UnicodeError when IDNA cannot encode the host."""
    start = url.index("//") + 2  # (where urlsplit finds the host of an http(s) URL)
    parts = urlsplit(url)
    end = start + len(parts.netloc)
    netloc = parts.netloc.lower()
    if not netloc.isascii():
        from .sanitize import _idna  # (text cleaning: only for a host past ASCII)

        netloc = _idna(netloc)  # (as sanitize.clean_url does: a label too long refused first)
    if netloc.endswith(":") or parts.port == (443 if parts.scheme == "https" else 80):
        netloc = netloc.rpartition(":")[0]  # (RFC 3986, 6.2.3: the same URL)
    rest = _NON_ASCII.sub(_utf8_escaped, url[end:])
    return f"{parts.scheme}://{netloc}{_ESCAPE.sub(_normal_escape, rest) if '%' in rest else rest}"


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
#: A %-escape, and the characters RFC 3986 calls unreserved (2.3), which an escape never
#: needs to stand for; but "." (``%2E%2E`` as ``..`` would be a segment a client resolves).
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~")


def _normal_escape(m: re.Match[str]) -> str:
    """A %-escape in RFC 3986's normal form (6.2.2.1, 6.2.2.2): its hex digits in
    capitals (``%c3%a9``: ``%C3%A9``), an unreserved character as itself (``%7E``: ``~``).
    The W3C validator finds an Atom feed's id "not in canonical form" otherwise."""
    char = chr(int(m[0][1:], 16))
    return char if char in _UNRESERVED else m[0].upper()


def _utf8_escaped(m: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode())


def _url_problem(value: str, folder: bool = False) -> str | None:
    """What keeps ``value`` from being a site's public http(s) URL (one of a folder,
    with ``folder``: the feeds' URLs are made by adding their names), or None."""
    try:
        parts = urlsplit(value)
        port = parts.port  # (a port that is not a number, or out of range: ValueError)
    except ValueError:  # "https://[": not a URL at all
        return "a host and, if any, a port number"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "http or https, and a host"
    if _SPACE_OR_CONTROL.search(value):
        return "no space or control character: write them %-encoded"
    if "@" in parts.netloc:
        return "no user name or password: every reader would see them"
    if bad := _unsound_characters(value, parts.path + parts.query + parts.fragment):
        them = "it" if len(bad) == 1 else "them"
        said = ", ".join(f"{c} as %{ord(c):02X}" for c in bad)
        names = [_ODD.get(c, c) for c in bad]
        return f"no {_either(names)} in a URL: write {them} %-encoded, {said}"
    if port == 0:
        return "a port from 1 to 65535"
    if folder and (parts.query or parts.fragment or value.endswith(("?", "#"))):
        return "no query or fragment: the feeds' names are added to its path"
    return None


def _folder_problem(value: str) -> str | None:
    """What keeps the sound URL ``value`` from being the URL of the folder the feeds are
    served from (their names are added to it), as a whole problem; or None."""
    segments = urlsplit(value).path.split("/")[1:]
    if not segments:
        return None
    # (%2e is a dot to a browser: /%2e%2e/ is /../)
    dots = [re.sub("%2[eE]", ".", x) for x in segments]
    said = cut(value, 100)
    if "" in segments[:-1] or "." in dots or ".." in dots:
        return (f"{said!r} has // or a /./ or /../ in its path: write it as a browser "
                "resolves it (a CDN or S3 takes feeds//a.rss for another file than "
                "feeds/a.rss, and a link to it is a 404)")  # fmt: skip
    if _FILE_NAME.search(segments[-1]):
        folder = cut(value[: -len(segments[-1])], 100)
        return (f"{said!r} names a file: give the folder the feeds are in, "
                f"{folder!r} (the feeds' names are added to it)")  # fmt: skip
    return None


#: The end of a path that names a page or a feed, not a folder (``index.html``).
_FILE_NAME = re.compile(
    r"\.(?:html?|xhtml|xml|rss|atom|json|opml|php|aspx?|jsp|cgi|txt)\Z", re.IGNORECASE
)


#: The characters (ASCII, not white space nor controls: those are said before) that
#: RFC 3986 allows nowhere in a URL: not in its reserved nor its unreserved ones.
_NEVER_IN_URL = re.compile(r"[<>\"{}|\\^`]")
#: A "%" that does not begin an escape (two hex digits).
_LONE_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")


def _unsound_characters(value: str, after_host: str) -> list[str]:
    """The characters of ``value`` that no URL may hold as they are, each once, in
    their order: those of :data:`_NEVER_IN_URL`, a "[" or "]" past the host (where
    they only enclose an IPv6 address), a second "#" (its fragment's), a "%" that
    begins no escape. Other characters (a letter of any script: an IRI) are sound."""
    found = [m[0] for m in _NEVER_IN_URL.finditer(value)]
    found += [c for c in after_host if c in "[]#"]  # (urlsplit: the first "#" is no part)
    if _LONE_PERCENT.search(value):
        found.append("%")
    return sorted(set(found), key=value.index)


#: How a character that a URL may hold somewhere is named where it may not.
_ODD = {"#": "second #", "%": "% without two hex digits after it"}


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def is_hub_url(url: str) -> bool:
    """A sound https URL (see :func:`_url_problem`); plain http only on this machine (a
    local test hub: ``localhost``, or a loopback address)."""
    if _url_problem(url) is not None:
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" or is_local_host(parts.hostname or "")


def is_local_host(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, or a loopback address (not any
    name that begins with ``127.``)."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        return False


def _unknown_key(name: str, known: Iterable[str]) -> str:
    """The problem of an unknown key: with the one likely meant, and every known one."""
    meant = likely_meant(name, known)
    guess = f": did you mean {meant}?" if meant else ""
    return f"unknown key{guess} (known: {', '.join(sorted(known))})"


SITE_KEYS = {
    "title", "link", "feeds_url", "description", "language", "content", "exclude", "output",
    "cache", "max_items", "timezone", "max_file_size", "lock_timeout", "hub", "owner",
    "labels",
}  # fmt: skip
FEED_KEYS = {
    "title", "description", "topics", "max_items", "min_quality", "formats", "archive",
    "archive_size",
}  # fmt: skip


#: The two-letter codes of ISO 639-1: a language tag's first part, when of two letters,
#: is one of them (the W3C feed validator reports any other as an invalid language).
#: Three letters (ISO 639-2 and 639-3) are taken as written.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1.split())
#: Codes written for a language that are no code of one, a country's (``jp``, Japan) or
#: a withdrawn one (``iw``): what each is, and what to write.
_LANGUAGE_MEANT = {
    "jp": "Japan's country code, not a language: write 'ja' (Japanese)",
    "cn": "China's country code, not a language: write 'zh' (Chinese)",
    "hk": "Hong Kong's country code, not a language: write 'zh' (Chinese)",
    "dk": "Denmark's country code, not a language: write 'da' (Danish)",
    "gr": "Greece's country code, not a language: write 'el' (Greek)",
    "ua": "Ukraine's country code, not a language: write 'uk' (Ukrainian)",
    "cz": "Czechia's country code, not a language: write 'cs' (Czech)",
    "us": "a country code, not a language: write 'en' (English)",
    "gb": "a country code, not a language: write 'en' (English)",
    "il": "Israel's country code, not a language: write 'he' (Hebrew)",
    "vn": "Viet Nam's country code, not a language: write 'vi' (Vietnamese)",
    "rs": "Serbia's country code, not a language: write 'sr' (Serbian)",
    "al": "Albania's country code, not a language: write 'sq' (Albanian)",
    "by": "Belarus's country code, not a language: write 'be' (Belarusian)",
    "kz": "Kazakhstan's country code, not a language: write 'kk' (Kazakh)",
    "ir": "Iran's country code, not a language: write 'fa' (Persian)",
    "at": "Austria's country code, not a language: write 'de' (German)",
    "mx": "Mexico's country code, not a language: write 'es' (Spanish)",
    "pk": "Pakistan's country code, not a language: write 'ur' (Urdu)",
    "bd": "Bangladesh's country code, not a language: write 'bn' (Bengali)",
    "iw": "the withdrawn code of Hebrew: write 'he'",
    "in": "the withdrawn code of Indonesian: write 'id'",
    "ji": "the withdrawn code of Yiddish: write 'yi'",
    "mo": "the withdrawn code of Moldavian: write 'ro' (Romanian)",
    "sh": "the withdrawn code of Serbo-Croatian: write 'sr', 'hr' or 'bs'",
}


def _language_refusal(language: str) -> str | None:
    """Why ``site.language`` is no language tag a feed may carry (RFC 5646's form, its
    first part of two letters an ISO 639-1 code), with what to write; else None. (The
    region a tag goes on with, ``-JP``, is the writer's to keep.)"""
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", language):
        dashed = language.replace("_", "-")  # (a locale's en_US)
        if dashed != language and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", dashed):
            why = _language_refusal(dashed)
            return f"{language!r} is a locale's name, not a language tag: " + (
                f"write {dashed!r}" if why is None else f"{dashed!r} would not do either: {why}"
            )
        return f"must be a language tag such as 'en' or 'en-GB', got {shown_text(repr(language))}"
    first = language.partition("-")[0]
    if len(first) == 3 or first.lower() in ISO_639_1:
        return _malformed_language(language)
    if meant := _LANGUAGE_MEANT.get(first.lower()):
        return f"{first!r} is {meant}"
    return (f"{first!r} is no ISO 639 language code (the W3C feed validator reports it as "
            "an invalid language): write one such as 'en' or 'en-GB'")  # fmt: skip


#: RFC 5646's form of a language tag (2.1): the language (and up to three extended
#: language subtags, ``zh-min-nan``), then each optional, in this order: a script
#: (``Hant``), a region (``GB``, ``419``), variants (``1996``, ``rozaj``), extensions (a
#: singleton and its subtags, ``u-ca-gregory``), a private part (``x-…``).
_LANGUAGE_TAG = re.compile(
    r"[a-z]{2,3}(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*)(?:-x(?:-[a-z0-9]{1,8})+)?"
)
#: The tags of that first part that RFC 5646 keeps though they are not of its form.
_GRANDFATHERED = frozenset({"en-gb-oed", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"})


def _malformed_language(language: str) -> str | None:
    """Why ``language`` is not of RFC 5646's form (``en-12``, ``en-US-US``: the Nu HTML
    checker refused the feeds page's ``lang``, "Bad value"), or None."""
    low = language.lower()
    m = _LANGUAGE_TAG.fullmatch(low)
    if m is not None:
        variants = m["variants"].split("-")[1:]
        singletons = [s for s in m["extensions"].split("-")[1:] if len(s) == 1]
        if len(set(variants)) == len(variants) and len(set(singletons)) == len(singletons):
            return None
    elif low in _GRANDFATHERED:
        return None
    return (f"{language!r} is not a language tag of RFC 5646's form (after the language: a "
            "script, 'Hant'; a region, 'GB' or '419'; variants, '1996'; extensions, "
            "'u-ca-gregory', each once and in this order), which browsers read and the "
            "feeds page's lang= must be: write one such as 'en' or 'en-GB'")  # fmt: skip


def load_config(path: str | Path) -> Config:
    """Read and check ``path``; raise :class:`ConfigError` listing every problem."""
    path = Path(path).absolute()
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise ConfigError(
            shown, ["1: file not found (pass -c CONFIG or create config.toml)"]
        ) from e
    except OSError as e:
        raise ConfigError(shown, [f"1: cannot read: {e.strerror or e}"]) from e
    try:
        text = raw.decode("utf-8-sig")  # (a byte order mark, as some editors write, is no text)
    except UnicodeDecodeError as e:
        from .articles import not_utf8  # (as an article file is told: UTF-16, UTF-32, cp1252)

        body = raw.removeprefix(b"\xef\xbb\xbf")  # (what e.start counts from)
        line, reason = not_utf8(body, e.start)
        raise ConfigError(shown, [f"{line}: {reason}"]) from e
    if "\x00" in text:  # (UTF-16 or UTF-32 with no byte order mark decodes, NULs and all)
        from .articles import not_utf8, utf16

        if utf16(raw):
            raise ConfigError(shown, [f"1: {not_utf8(raw, 0)[1]}"])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"at line (\d+)", str(e))
        line = int(m.group(1)) if m else 1
        said = str(e)
        if ("Illegal character '\\n'" in said or "end of document" in said) and (
            unclosed := _unclosed_quote(text)
        ):  # (TOML says the end of the file, or the line break, not where it opens)
            opening = text.split("\n")[unclosed[0] - 1]
            curly = any(q in opening for q in WORD_QUOTES)  # (said below, as curly quotes)
            if (m is None or unclosed[0] <= line) and not curly:
                raise ConfigError(shown, [f"{unclosed[0]}: invalid TOML: {unclosed[1]}"]) from e
        raise ConfigError(shown, [f"{line}: invalid TOML: {_toml_mistake(text, line, e)}"]) from e
    return parse_config(data, path, _line_locator(text))


#: A word processor's quotes, and the quotes TOML reads in their place.
_CURLY = str.maketrans(WORD_QUOTES)
#: A key given a text in a word processor's quotes: the key, and the text between them.
_CURLY_VALUE = re.compile(r"([^=]*[^=\s])[ \t]*=[ \t]*[“‘](.*)[”’]")


def _unclosed_quote(text: str) -> tuple[int, str] | None:
    """The line (from 1) where a text of ``text`` (TOML) opens and is never closed, and
    what to write; None when each is closed. A text in ``"`` or ``'`` ends on its line;
    one in ``\"\"\"`` or ``'''`` may go on over lines. (Each character looked at once:
    linear however the file is made; the error's path only.)"""
    lines = text.split("\n")
    within, opened = "", 0  # the quotes of a text over lines this line is in, its line
    for number, line in enumerate(lines, 1):
        at = 0
        while at < len(line):
            if within:
                end = _closing(line, at, within)
                if end < 0:
                    break
                within, at = "", end
                continue
            c = line[at]
            if c == "#":
                break  # (a comment: to the end of the line)
            if c not in "\"'":
                at += 1
                continue
            if line.startswith(c * 3, at):
                within, opened, at = c * 3, number, at + 3
                continue
            end = _closing(line, at + 1, c)
            if end < 0:
                return number, (
                    f"the {c} that opens a text on this line is not closed: end the text "
                    f"with {c} on this line (a text over several lines is written in {c * 3})"
                )
            at = end
    if within:
        return opened, (
            f"the {within} that opens a text on this line is never closed: end the text "
            f"with {within}"
        )
    return None


def _closing(line: str, at: int, quote: str) -> int:
    """Where in ``line``, from ``at``, the text in ``quote`` (its quotes, one or three)
    ends: the index after its closing quotes (up to two more quotes of a text of three
    are its own), or -1 when it does not end on this line. A backslash escapes the next
    character in a text in ``"``."""
    while at < len(line):
        c = line[at]
        if c == "\\" and quote[0] == '"':
            at += 2
        elif line.startswith(quote, at):
            at += len(quote)
            extra = 0
            while len(quote) == 3 and extra < 2 and line[at : at + 1] == quote[0]:
                at, extra = at + 1, extra + 1
            return at
        else:
            at += 1
    return -1


def _toml_escaped(c: str) -> str:
    """A character of a TOML basic string as it is written there."""
    if c in '"\\':
        return "\\" + c
    return c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


def _toml_mistake(text: str, line: int, e: tomllib.TOMLDecodeError) -> str:
    """TOML's complaint about ``line`` in plain words where it is a common slip
    (curly quotes; a table or a key given twice, and where the first is), else its own."""
    lines = text.split("\n")
    written = lines[line - 1] if 0 < line <= len(lines) else ""
    said = str(e)
    if written.translate(_CURLY) != written and not said.startswith("Cannot"):
        line_text = written.strip()
        meant = shown_path(line_text.translate(_CURLY))
        # (its own ’ and " kept: "It’s \"news\""; the line stripped first, and one "=" in
        # it: linear, where a regular expression of a line of spaces was quadratic)
        if "=" in line_text and (m := _CURLY_VALUE.fullmatch(line_text)):
            inner = "".join(_toml_escaped(c) for c in m[2])
            meant = shown_text(f'{m[1]} = "{inner}"')
        meant = cut(meant, 80)
        return f"“ ” and ‘ ’ are not quotes to TOML: write {meant} (with straight quotes)"
    twice = re.match(r"Cannot (?:declare|redefine namespace) (\(.*?\))", said)
    keys: tuple[str, ...] = ()
    if twice:
        with contextlib.suppress(ValueError, SyntaxError):
            keys = tuple(ast.literal_eval(twice.group(1)))
        what = f"[{shown_keypath(keys)}] is declared twice"
        fix = "put its keys under the first (or give the other its own name)"
        first = _key_lines("\n".join(lines[: line - 1])).get(keys) if keys else None
        if first is not None and said.startswith("Cannot redefine"):  # (a dotted key, after
            # the table's header: "ai.topics = …" under [feeds], after [feeds.ai])
            return (f"{what}: as a header at line {first}, then here by a dotted key: put "
                    f"this key under [{shown_keypath(keys)}], without its dotted start")  # fmt: skip
        k = _KEY_LINE.match(lines[first - 1]) if first is not None else None
        if k and len(_dotted_keys(k.group(1))) > 1:  # (by a dotted key first:
            # "labels.x = 1" under [site], then [site.labels])
            return (f"{what}: at line {first} by a dotted key, then here as a header: put "
                    "that key under this header, without its dotted start (or the "
                    "header's keys as dotted keys, and remove the header)")  # fmt: skip
    elif said.startswith("Cannot overwrite a value") and (k := _KEY_LINE.match(written)):
        table = next((_dotted_keys(h.group(1)) for h in map(_HEADER.match, lines[line - 2 :: -1])
                      if h), ())  # fmt: skip
        keys = (*table, *_dotted_keys(k.group(1)))
        what, fix = f"{shown_keypath(keys)} is set twice", "keep one"
    first = _key_lines("\n".join(lines[: line - 1])).get(keys) if keys else None
    if not keys or first is None:
        return said
    return f"{what}: the first at line {first}: {fix}"


def parse_config(
    data: dict[str, Any],
    path: Path,
    locate: Callable[[tuple[str, ...]], int | None] | None = None,
) -> Config:
    problems: list[str] = []
    r = _Reader(locate or (lambda _k: None), problems)
    root = path.parent

    meant: set[str] = set()  # the tables an unknown one is likely a slip for
    for key in data:
        if key not in ("site", "feeds"):
            table = likely_meant(key, ("site", "feeds"))
            guess = ""
            if table is not None:
                meant.add(table)
                guess = f": did you mean [{'site' if table == 'site' else 'feeds.<slug>'}]?"
            r.problem((key,), f"unknown table{guess} (expected [site] and [feeds.<slug>])")
    site = data.get("site")
    if not isinstance(site, dict):
        if "site" not in meant:  # (misspelt: said once, above; its keys are not missing)
            r.problem("site", "missing [site] table: add one, with title, link, feeds_url "
                              "and content", line=1)  # fmt: skip
        site = {}
        r.problems = []  # (each of its keys would be missing: said once is enough)
    for key in site:
        if key not in SITE_KEYS:
            r.problem(("site", key), _unknown_key(key, SITE_KEYS))

    title = _text(r, site, "site", "title", name=True) or ""  # (the feeds' author)
    link = _check_url(r, "site.link", r.get(site, "site", "link", str))
    feeds_url = _check_url(r, "site.feeds_url", r.get(site, "site", "feeds_url", str), folder=True)
    description = _text(r, site, "site", "description", "", one_line=False) or ""
    language = r.get(site, "site", "language", str, "en") or "en"
    if said := _language_refusal(language):
        r.problem("site.language", said)

    content = _globs(r, site, "content", required=True)
    exclude = _globs(r, site, "exclude", required=False)

    output_raw = r.get(site, "site", "output", str, "feeds") or "feeds"
    for key, value in (("output", output_raw), ("cache", site.get("cache"))):
        if isinstance(value, str) and value.startswith("~"):
            r.problem(f"site.{key}", f"{value!r}: a ~ is not the home folder here (it would "
                                     "be a folder named ~): write the path out")  # fmt: skip
    output = root / on_disk(output_raw)
    before = len(r.problems)
    cache = _cache_path(r, root, output, output_raw, r.get(site, "site", "cache", str, None))
    slugs = [k for k in data.get("feeds", {}) if isinstance(k, str)] if isinstance(
        data.get("feeds"), dict) else []  # fmt: skip
    _apart_from_content(r, root, content, output, output_raw, cache, set(site), slugs, exclude)
    if not any(" site.output: " in f" {p}" for p in r.problems[before:]):  # (said once)
        _apart_from_config(r, path, output, output_raw)
    max_items = _positive_int(r, site, "site", "max_items", DEFAULT_MAX_ITEMS)
    max_file_size = _positive_int(r, site, "site", "max_file_size", DEFAULT_MAX_FILE_SIZE)
    lock_timeout = r.get(site, "site", "lock_timeout", (int, float), DEFAULT_LOCK_TIMEOUT)
    # (any number of seconds, inf: as long as it takes, as --lock-timeout takes; nan is no
    # number of seconds: neither 0 or more nor less)
    if lock_timeout is not None and not lock_timeout >= 0:
        r.problem("site.lock_timeout", f"must be 0 or more seconds, got {lock_timeout!r}")
        lock_timeout = DEFAULT_LOCK_TIMEOUT
    tz_name = r.get(site, "site", "timezone", str, "UTC") or "UTC"
    if why := _no_place(tz_name):
        r.problem("site.timezone", why)
        tz_name = "UTC"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # ("America": a folder of zones)
        r.problem("site.timezone", _unknown_zone(tz_name))
        timezone = ZoneInfo("UTC")

    hub = r.get(site, "site", "hub", str, None)
    if hub is not None and not is_hub_url(hub):
        why = _url_problem(hub)
        if why is None or why.startswith("http or https"):
            why = "with a host, no space, user name or password; http only on this machine"
        r.problem("site.hub", f"must be an absolute https URL ({why}), got {_masked(hub)!r}")
    elif hub is not None:
        try:
            hub = as_uri(hub)  # (in every feed's hub link)
        except UnicodeError:
            r.problem("site.hub", f"must be an absolute https URL with a host IDNA can "
                                  f"encode (not {_idna_refuses()}), got {_masked(hub)!r}")  # fmt: skip
    owner = _text(r, site, "site", "owner", "") or ""
    labels = _labels(r, site.get("labels"))
    r.problems = problems

    feeds: list[FeedConfig] = []
    feeds_table = data.get("feeds", {})
    if not isinstance(feeds_table, dict) or not feeds_table:
        if "feeds" not in meant:
            r.problem("feeds", "no feeds: add at least one [feeds.<slug>] table", line=1)
        feeds_table = {}
    for slug, table in feeds_table.items():
        feed = _parse_feed(r, slug, table, max_items or DEFAULT_MAX_ITEMS)
        if feed:
            feeds.append(feed)
    for f in (f for f in feeds if f.archive):
        pages = re.compile(rf"{re.escape(f.slug)}-archive-[0-9]+")
        for other in feeds:
            if pages.fullmatch(other.slug):
                r.problem(
                    ("feeds", other.slug),
                    f"slug clashes with the archive pages of "
                    f"{shown_keypath(('feeds', f.slug))}; choose another",
                )

    if problems:  # (by line, as an editor goes down the file; one with none first)
        problems.sort(key=_line_number)
        raise ConfigError(str(path), problems)
    return Config(
        path=path,
        root=root,
        title=title,
        link=link,
        feeds_url=feeds_url,
        description=description,
        language=language,
        content=content,
        output=output,
        cache=cache,
        max_items=max_items,
        timezone=timezone,
        max_file_size=max_file_size,
        lock_timeout=float(lock_timeout),
        feeds=tuple(feeds),  # in the order of the file: the page and OPML list them so
        hub=hub,
        owner=owner,
        labels=labels,
        exclude=exclude,
    )


def _line_number(problem: str) -> int:
    """The line a problem (``"12: feeds.a.titel: unknown key"``) is at; 0 for none."""
    number = problem.partition(":")[0]
    return int(number) if number.isdigit() else 0


def _no_place(name: str) -> str | None:
    """Why ``name``, which :mod:`zoneinfo` may find (a file among the system's zones), is
    no site's zone all the same; or None. ``localtime`` (a link Debian puts among the
    zones) is the machine's own zone, and ``posixrules`` the rules it gives a POSIX
    ``TZ`` string: the feeds would change with the machine that builds them (``build
    --check`` in CI, on a server set to UTC, against a laptop in Berlin). A ``right/``
    zone's file counts leap seconds, which zoneinfo reads as ordinary ones: each change
    of its offset fell 27 s late (summer time in ``right/Europe/Berlin`` began at
    01:00:27 UTC, and 2026-03-29T03:00:10 was read as 02:00:10 UTC)."""
    if name in ("localtime", "posixrules"):
        return (f"{name!r} is this machine's zone, not a place: the feeds would change "
                "with the machine that builds them; write the place's zone as Area/City, "
                "such as 'Europe/Paris' or 'America/Los_Angeles'")  # fmt: skip
    place = name.removeprefix("right/")
    if place != name and _is_zone(place) and _no_place(place) is None:
        return (f"{cut(name, 60)!r} counts leap seconds, which feed dates do not: write "
                f"{cut(place, 60)!r}")  # fmt: skip
    return None  # (right/ before no zone, 'right/', 'right/Nowhere', or before one that is
    # no place, 'right/localtime', 'right/right/Europe/Berlin': an unknown zone)


def _is_zone(name: str) -> bool:
    """Whether :mod:`zoneinfo` finds a zone ``name``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


#: Big cities that have no zone of their own, by the zone of their country's that they
#: share, under another city's name (a site in Mumbai writes ``Asia/Mumbai``), folded as
#: :func:`_unknown_zone` folds a name. One country, one zone each: no guess of hours.
_CITY_ZONES = {
    **dict.fromkeys(("mumbai", "bombay", "delhi", "new_delhi", "bangalore", "bengaluru",
                     "chennai", "hyderabad"), "Asia/Kolkata"),
    **dict.fromkeys(("beijing", "peking", "guangzhou", "shenzhen"), "Asia/Shanghai"),
    **dict.fromkeys(("osaka", "kyoto"), "Asia/Tokyo"),
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
    **dict.fromkeys(("milan", "naples", "turin"), "Europe/Rome"),
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "lyon": "Europe/Paris",
    "manchester": "Europe/London",
}  # fmt: skip


def _unknown_zone(name: str) -> str:
    """The problem of a time zone ``name`` that is none: with the one likely meant, only
    where it is the same place (the same name but for case, ``Europe/berlin``; a city
    alone, ``Berlin``; one a letter or two away within ``Area/City``, ``Europe/Berlín``,
    ``US/Pacfic``). An abbreviation (``PST``, ``CEST``) or an offset (``GMT+1``) is a
    letter away from another zone's hours: told to write the place instead. (The
    error's path only: the list is read here.)"""
    import zoneinfo

    # (not one refused as no place: 'Localtime' was told "did you mean 'localtime'?")
    zones = {z for z in zoneinfo.available_timezones() if _no_place(z) is None}
    # (São Paulo as Sao_Paulo: the zone names are ASCII)
    folded = "".join(c for c in unicodedata.normalize("NFKD", name.casefold().replace(" ", "_"))
                     if not unicodedata.combining(c))  # fmt: skip
    said = cut(name, 60)  # (repr escapes its controls)
    meant = next((z for z in sorted(zones) if z.casefold() == folded), None)
    city = folded.rpartition("/")[2]
    if meant is None:  # (a city alone, Berlin, new york; or in an area misspelt)
        cities = sorted(z for z in zones if "/" in z and not z.startswith("Etc/")  # (GMT+1:
                        and z.rpartition("/")[2].casefold() == city)  # Etc/GMT+1 is UTC-1)  # fmt: skip
        meant = cities[0] if len(cities) == 1 else None
    if meant is None and city in _CITY_ZONES and _CITY_ZONES[city] in zones:
        meant = _CITY_ZONES[city]  # (Asia/Mumbai, Beijing: a city of a zone named for another)
    if meant is None and "/" in name:
        area = name.partition("/")[0].casefold()
        meant = likely_meant(name, {z for z in zones if z.partition("/")[0].casefold() == area})
        # (the city a slip of one letter, two in a long name: Asia/Mumbai is no slip
        # for Asia/Dubai, two letters away, a place of other hours)
        if meant is not None and not likely_meant(
            city, [meant.rpartition("/")[2]], within=2 if len(city) >= 8 else 1
        ):
            meant = None
    if meant is not None:
        return f"unknown time zone {said!r}: did you mean {meant!r}?"
    if name.strip().upper() in ("Z", "UTC", "GMT"):
        return f"unknown time zone {said!r}: did you mean 'UTC'?"
    return (f"unknown time zone {said!r}: write the place's zone as Area/City, such as "
            "'Europe/Paris' or 'America/Los_Angeles' (an abbreviation, PST or CEST, or an "
            "offset, GMT+1, names no place: its summer time is unknown)")  # fmt: skip


def _cache_path(r: _Reader, root: Path, output: Path, output_raw: str, raw: str | None) -> Path:
    """``site.cache``, by default ``.feedpub/cache.sqlite`` beside the config file.

    Never inside the output folder: that folder is published, and the cache names
    every article file (path, URL, date, topics), unpublished and embargoed ones too.
    Symlinks are followed, so a link into the output folder is refused as well.
    """
    if raw is not None and (not raw.strip() or raw.endswith("/")):
        r.problem("site.cache", f"must be the path of a file, got {raw!r}")
        raw = None
    cache = root / on_disk(raw or DEFAULT_CACHE)
    if Path(os.path.realpath(cache)).is_relative_to(os.path.realpath(output)):
        why = (
            "which is published: the cache names every article, unpublished and "
            "future-dated ones included"
        )
        if raw:
            r.problem(
                "site.cache",
                f"{raw!r} is inside the output folder {output_raw!r}, {why}. Leave "
                f"site.cache out (default {DEFAULT_CACHE!r}, beside the config file) "
                "or point it outside the output folder",
            )
        else:
            r.problem(
                "site.output",
                f"the default cache {DEFAULT_CACHE!r} would be inside the output folder "
                f"{output_raw!r}, {why}. Set site.cache to a file outside it",
            )
    own = os.path.realpath(cache) == os.path.realpath(root / DEFAULT_CACHE)
    if raw and not own and os.path.lexists(cache) and not _a_cache(cache):  # (the default
        # one, in feedpub's own folder, written out or not, is started afresh when damaged)
        what = "a folder" if os.path.isdir(cache) else "a file that is not a feedpub cache"
        r.problem(
            "site.cache",
            f"{raw!r} is {what}, where a build would make its cache (an SQLite database "
            "file) in its place: point site.cache at a new file (or remove it, if it is a "
            "damaged cache)",
        )
    return cache


#: How an SQLite database begins.
_SQLITE = b"SQLite format 3\x00"


def _a_cache(path: Path) -> bool:
    """Whether ``path`` may be taken for a cache, and so started afresh: an SQLite
    database, or an empty file (never a folder, nor any other file: a wrong site.cache
    would otherwise replace it, config.toml or an article)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE))
    except OSError:
        return False
    return head in (b"", _SQLITE)


def glob_root(pattern: str) -> str:
    """The folder part of a glob before its first wildcard: where the listing of its
    files starts (:func:`feedpub.sources.find`)."""
    head: list[str] = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        head.append(part)
    return str(Path(*head)) if head else "."


def _globs(r: _Reader, site: dict[str, Any], key: str, required: bool) -> tuple[str, ...]:
    """``site.<key>``: a glob, or a list of them (none when not ``required`` and not
    given), each checked for what a shell would read in it (:func:`_glob_problem`)."""
    raw = r.get(site, "site", key, (str, list), ... if required else [],
                what="a glob or a list of globs")  # fmt: skip
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    if (required and not raw) or not all(isinstance(c, str) and c for c in raw):
        r.problem(f"site.{key}", f"must be a {'non-empty ' if required else ''}list of glob "
                                 "patterns")  # fmt: skip
        return ()
    for pattern in raw:
        if why := _glob_problem(pattern):
            r.problem(f"site.{key}", f"{pattern!r}: {why}")
    return tuple(on_disk(pattern) for pattern in raw)


def on_disk(text: str) -> str:
    """A path as config.toml writes it, UTF-8 text, as this process names it on disk:
    the same bytes whatever the locale. In one whose encoding is not UTF-8 (ISO-8859-1,
    or ASCII under ``PYTHONUTF8=0``), ``output = "flux-économie"`` could not be encoded
    (a traceback, exit 1); with the file system's encoding, it is a name as listed."""
    return os.fsdecode(text.encode("utf-8"))


#: A shell's brace list, ``{_posts,_news}``, which glob does not expand (not one in
#: brackets, ``[{]``: a name's own brace).
_BRACES = re.compile(r"(?<!\[)\{([^{}]*,[^{}]*)\}")


def _glob_problem(pattern: str) -> str | None:
    """What a content glob says that the shell would read, and glob reads otherwise:
    it would match no file, and say nothing when another glob matches some."""
    if pattern.startswith("~"):
        return "a ~ is not the home folder here (it would be a folder named ~): write the path out"
    if "\\" in pattern and os.sep == "/":
        return (
            "a \\ is a letter of a name here, not a folder separator: write "
            f"{pattern.replace(chr(92), '/')!r}"
        )
    if braces := _BRACES.search(pattern):
        each = [pattern[: braces.start()] + one + pattern[braces.end() :]
                for one in braces.group(1).split(",")]  # fmt: skip
        return (
            "a {…,…} list is not expanded here (it would match a name with braces in it): "
            f"write a glob each: {', '.join(map(repr, each))} (a brace in a name is [{{])"
        )
    return None


def _reaches(parts: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Whether the glob components ``parts`` match a file in the folder ``path`` (its
    parts below the glob's own folder), or in a folder below it: as the listing matches
    (:func:`feedpub.sources._scan`), a name beginning with a dot only by a component that
    begins with one, and never by ``**``."""
    if not path:
        return bool(parts)  # (what is left matches some name in it)
    if not parts:
        return False  # (the glob ends at the folder itself: it matches no file in it)
    head, name = parts[0], path[0]
    if head == "**":
        return _reaches(parts[1:], path) or (not name.startswith(".") and _reaches(parts, path[1:]))
    if name.startswith(".") and not head.startswith("."):
        return False
    if not (fnmatch.fnmatchcase(name, head) if glob.has_magic(head) else name == head):
        return False
    return _reaches(parts[1:], path[1:])


def _matches(parts: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Whether the glob components ``parts`` match the file ``path`` (its parts below
    the glob's own folder), as :func:`_reaches` reads them."""
    if not parts:
        return not path
    head = parts[0]
    if head == "**":
        return _matches(parts[1:], path) or (
            bool(path) and not path[0].startswith(".") and _matches(parts, path[1:])
        )
    if not path or (path[0].startswith(".") and not head.startswith(".")):
        return False
    name = path[0]
    if not (fnmatch.fnmatchcase(name, head) if glob.has_magic(head) else name == head):
        return False
    return _matches(parts[1:], path[1:])


def _written(slugs: Iterable[str]) -> tuple[str, ...]:
    """The names of the files a build writes in the output folder, for the feeds
    ``slugs``: each one's documents and archive pages (two of them: a glob may count
    digits; :func:`feedpub.archive.page_stem`), the page and the subscription list
    (``build.SITE_NAMES``: modules that read this one; tests/test_config.py checks a
    build writes no other)."""
    return (
        *(f"{slug}{page}.{fmt}" for slug in slugs for page in ("", "-archive-1", "-archive-10")
          for fmt in ALL_FORMATS),
        "index.html",
        "feeds.opml",
    )  # fmt: skip


def _apart_from_config(r: _Reader, path: Path, output: Path, output_raw: str) -> None:
    """The output folder does not hold the config file: it is published whole, and so
    would be the config and what lies beside it (a deploy script, a ``.venv/``), as
    with ``output = "."`` once the cache and the content are moved out of it; a
    config.toml there that is a symlink to the file kept elsewhere too (the web server
    follows it, as ``rsync -L`` and ``cp -rL`` do)."""
    folder = os.path.realpath(output)
    entry = os.path.join(os.path.realpath(path.parent), path.name)  # (the link itself)
    if any(Path(p).is_relative_to(folder) for p in (os.path.realpath(path), entry)):
        r.problem(
            "site.output",
            f"{output_raw!r} holds this config file, {shown_path(path.name)}: the output folder is "
            "published whole, and so would be the config and every file beside it (a "
            "deploy script, .venv/). Give the feeds a folder of their own (output = "
            '"feeds", the default)',
        )


def _apart_from_content(r: _Reader, root: Path, content: tuple[str, ...], output: Path,
                        output_raw: str, cache: Path, given: set[str],
                        slugs: Iterable[str], exclude: tuple[str, ...]) -> None:  # fmt: skip
    """The output folder holds no content folder (it is published: every article file,
    unpublished ones too, would be), and the build's own files are no content glob's:
    neither the output folder nor the cache's is in one a ``**`` glob searches (as ever),
    and no other glob matches a file the build writes (``content/*/*`` with ``output =
    "content/feeds"``; ``*/*.txt`` with ``feeds`` matches none), unless ``exclude``
    leaves out every one of them. Either way the build would read its own files as
    articles. And the output is a folder, or nothing yet."""
    from .sources import exclusion  # (it reads configs: imported once this module is)

    out = os.path.realpath(output)
    left_out = exclusion(root, exclude) or (lambda _: False)
    # (each: the key, as the config has it, its folder, resolved, the files the build
    # writes there, and where the listing sees them; the listing skips the cache's files)
    own = (
        ("site.output", output_raw, out, _written(slugs), os.path.normpath(output)),
        ("site.cache", utf8_reading(str(cache.relative_to(root) if cache.is_relative_to(root)
                                        else cache)),
         os.path.dirname(os.path.realpath(cache)), (), os.path.normpath(cache)),
    )  # fmt: skip
    for pattern in content:
        normal = os.path.normpath(pattern)  # (as the listing takes it)
        head = glob_root(normal)
        base = os.path.realpath(root / head)
        if Path(base).is_relative_to(out):
            r.problem(
                "site.output",
                f"{output_raw!r} holds the content folder of {utf8_reading(pattern)!r}: it is published, "
                "and so would every article file be, unpublished ones included. Choose an "
                "output folder beside the content",
            )
            continue
        parts = Path(normal).parts[len(Path(head).parts) if head != "." else 0 :]
        for what, shown, folder, written, listed in own:
            if not Path(folder).is_relative_to(base):
                continue
            if all(left_out(os.path.join(listed, name)) for name in written or ("",)):
                continue
            below = Path(folder).relative_to(base).parts
            if "**" in parts:
                reached = _reaches(parts, below)
            else:
                reached = any(_matches(parts, (*below, name)) for name in written)
            if reached:
                key = what.removeprefix("site.")
                r.problem(  # (at the line of the glob, when the folder is the default)
                    what if key in given else "site.content",
                    f"{'' if key in given else f'the default {what} '}{shown!r} is in a "
                    f"folder the content glob {utf8_reading(pattern)!r} matches files in: each build "
                    f"would read its own files as articles. Point {what} at a folder no "
                    "content glob reaches, write the glob so that it names the article "
                    f"folders alone, or leave {shown!r} out with site.exclude",
                )
    if os.path.lexists(output) and not os.path.isdir(output):
        if os.path.islink(output) and _loops(output):
            r.problem("site.output", f"{output_raw!r} is a symbolic link that loops (to "
                      f"{utf8_reading(os.readlink(output))!r}): point it at a folder, or remove it (a "
                      "folder is made there)")  # fmt: skip
        elif os.path.islink(output) and not os.path.exists(output):  # (a link to nothing)
            r.problem("site.output", f"{output_raw!r} is a symbolic link to "
                      f"{utf8_reading(os.readlink(output))!r}, which does not exist: make that folder, "
                      "or point the link at one")  # fmt: skip
        else:
            r.problem("site.output", f"{output_raw!r} is not a folder: point it at a folder "
                                     "(made when missing)")  # fmt: skip


def _loops(path: Path) -> bool:
    """Whether following the links of ``path`` loops (``feeds -> feeds``)."""
    try:
        os.stat(path)
    except OSError as e:
        return e.errno == errno.ELOOP
    return False


def _labels(r: _Reader, table: Any) -> Labels:
    """``[site.labels]``: each text given, checked; the English ones for the rest."""
    if table is None:
        return ENGLISH
    if not isinstance(table, dict):
        r.problem("site.labels", "must be a table [site.labels] of texts")
        return ENGLISH
    known = [f.name for f in dataclasses.fields(Labels)]
    given: dict[str, Any] = {}
    for key, value in table.items():
        keypath = ("site", "labels", key)
        if key not in known:
            r.problem(keypath, _unknown_key(key, known))
        elif key == "months":
            if (months := _months(r, keypath, value)) is not None:
                given[key] = months
        elif not isinstance(value, str) or not shows_nothing(value):
            text = _text(r, table, keypath[:2], key)
            if text is None:
                continue
            missing = [h for h in _LABEL_HOLDS.get(key, ()) if h not in text]
            offered = _LABEL_MAY.get(key, ())
            stray = sorted({m[0] for m in _PLACEHOLDERS.finditer(text)} - set(offered))
            if missing:
                r.problem(keypath, f"must hold {' and '.join(missing)} (it is replaced by "
                                   "what it names)")  # fmt: skip
            elif stray:
                here = f"it offers {' and '.join(offered)}" if offered else "it offers none"
                verb = "is" if len(stray) == 1 else "are"
                r.problem(keypath, f"{' and '.join(stray)} {verb} not replaced here ({here})")
            else:
                given[key] = text
        else:  # (a zero-width space alone: the page showed a heading or a link of nothing)
            unseen = f" to a reader ({value!a} shows nothing)" if value.strip() else ""
            r.problem(keypath, f"is empty{unseen}: write the text, or leave the key out for "
                               "the English one")  # fmt: skip
    return dataclasses.replace(ENGLISH, **given) if given else ENGLISH


def _months(r: _Reader, keypath: tuple[str, ...], value: Any) -> tuple[str, ...] | None:
    """``months``: twelve texts, January first; None (and the problem said) else."""
    what = 'the 12 months\' names, January first ("Jan", "Feb", ...)'
    if not isinstance(value, list):
        r.problem(keypath, f"must be a list of {what}")
        return None
    if len(value) != 12:
        r.problem(keypath, f"must be a list of {what}: {len(value)} given")
        return None
    names: list[str] = []
    for number, name in enumerate(value, 1):
        if not isinstance(name, str) or shows_nothing(name):
            kind = (
                "not a text" if not isinstance(name, str)
                else "empty" if not name.strip()
                else f"empty to a reader ({name!a} shows nothing)"
            )  # fmt: skip
            r.problem(keypath, f"month {number} is {kind}: it must be {what}")
            return None
        checked = _checked_text(r, (*keypath, str(number)), name)
        if checked is None:
            return None
        if m := _PLACEHOLDERS.search(checked):  # (a date's pattern puts the month in)
            r.problem(keypath, f"month {number} holds {m[0]}, which is not replaced here")
            return None
        names.append(checked)
    return tuple(names)


def _positive_int(
    r: _Reader, table: dict[str, Any], prefix: KeyPath, key: str, default: int
) -> int:
    value = r.get(table, prefix, key, int, default)
    if value is None:
        return default
    if value < 1:
        r.problem((*_keys(prefix), key), "must be 1 or more")
        return default
    return int(value)


def _parse_feed(r: _Reader, slug: str, table: Any, default_max: int) -> FeedConfig | None:
    prefix = ("feeds", slug)
    if not SLUG_RE.match(slug):
        long = f", not {len(slug)}" if len(slug) > 64 and SLUG_RE.match(slug[:64]) else ""
        r.problem(
            prefix,
            f"slug must be 1 to 64 lowercase letters, digits and hyphens{long} (it becomes a "
            "file name and a URL: ASCII a-z only, as [feeds.tech]; the feed's title may be "
            "in any language)",
        )
    elif slug in WINDOWS_RESERVED:
        r.problem(prefix, f"{slug} is a name Windows reserves for a device, with any "
                  f"extension: {slug}.rss could not be checked out, unzipped or copied there; "
                  f"choose another (as {slug}-feed)")  # fmt: skip
    if not isinstance(table, dict):
        r.problem(prefix, "must be a table [feeds.<slug>]")
        return None
    for key in table:
        if key not in FEED_KEYS:
            r.problem((*prefix, key), _unknown_key(key, FEED_KEYS))
    title = _text(r, table, prefix, "title", name=True)
    description = _text(r, table, prefix, "description", "", one_line=False) or ""
    topics_raw = r.get(table, prefix, "topics", list)
    topics: tuple[str, ...] = ()
    keys: frozenset[str] | None = frozenset()
    if topics_raw is not None:
        if not topics_raw or not all(isinstance(t, str) and topic_key(t) for t in topics_raw):
            r.problem((*prefix, "topics"), 'must be a non-empty list of topic names, or ["*"]')
        elif None not in (checked := [_checked_text(r, (*prefix, "topics"), t)
                                      for t in topics_raw]):  # fmt: skip
            topics = tuple(t for t in checked if t is not None)
            keys = None if "*" in topics else frozenset(topic_key(t) for t in topics)
    max_items = _positive_int(r, table, prefix, "max_items", default_max)
    min_quality = r.get(table, prefix, "min_quality", (int, float), None)
    if min_quality is not None and not math.isfinite(min_quality):
        r.problem((*prefix, "min_quality"), f"must be a number, got {min_quality!r}")
    formats_raw = r.get(table, prefix, "formats", list, list(FORMATS))
    formats: tuple[str, ...] = FORMATS
    if formats_raw is not None:
        bad = [f for f in formats_raw if f not in ALL_FORMATS]
        if bad or not formats_raw:
            r.problem(
                (*prefix, "formats"), f"must be a non-empty list drawn from {list(ALL_FORMATS)}"
            )
        else:
            formats = tuple(f for f in ALL_FORMATS if f in formats_raw)
    archive = r.get(table, prefix, "archive", bool, False)
    archive_size = _positive_int(r, table, prefix, "archive_size", max_items)
    if title is None:
        return None
    return FeedConfig(
        slug=slug,
        title=title,
        description=description,
        topics=topics,
        topic_keys=keys,
        max_items=max_items,
        min_quality=None if min_quality is None else float(min_quality),
        formats=formats,
        archive=bool(archive),
        archive_size=archive_size or max_items,
    )
