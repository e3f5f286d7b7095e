"""The output formats, in one registry: what each is called, its media type, how a
document is rendered in it and how its bytes are checked.

The rest of feedpub names a format only through this module, and renders and
checks through its two doors, :func:`render` and :func:`check`. Each
:class:`Format` names the functions that render and check it, in a module of
this package; they are imported when something is rendered or checked (they
pull in lxml, nh3, jsonschema and the schemas), so that a build with nothing
to do stays quick. A new format is one module and one entry in :data:`FORMATS`.

- :mod:`.items`: what every format writes of an article the same way;
- :mod:`.xmlfeed` and :mod:`.xmlcheck`: RSS 2.0 and Atom 1.0 (one FeedGenerator
  writes both formats of a document); :mod:`.xmlfast`, the renderer the registry
  names for them, writes xmlfeed's bytes as text, in half the time, and leaves to
  xmlfeed (and feedgen) what it cannot be sure of; and each article's part of a
  document, once for all the documents that show it (:func:`entry`, :func:`assemble`);
  and :mod:`.xmlparts` checks an assembled document by its parts, each entry once a
  build (:func:`prove`, :func:`check_assembled`);
- :mod:`.jsonfeed` and :mod:`.jsoncheck`: JSON Feed 1.1;
- :mod:`.checks`: what the checks of every format share.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from ..archive import Document
    from ..config import Config, FeedConfig, Labels
    from ..model import Article
    from .xmlfast import Entry
    from .xmlparts import Proof


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: ``name`` is its value in ``formats = [...]`` and the
    extension of its files; ``label`` is how people call it, ``spec`` the
    specification a document in it follows.

    ``renderer`` and ``checker`` name a function of a module of this package as
    ``"module:function"``: the renderer is a :class:`Renderer` (formats that share
    one are rendered by one call), the checker a :class:`Checker`. :func:`check`
    knows a document's format by how it begins after a byte order mark and white space
    (``lead``, a pattern of bytes, for a format that is not XML) or else by the tag of
    its XML root element (``root``); the checker gets
    the bytes of the first kind, the root element of the second.

    A format that is ``assembled`` writes each article the same way in every document
    (see :func:`entry`): its documents can be put together from parts made once an
    article.
    """

    name: str
    label: str
    content_type: str
    spec: str
    renderer: str
    checker: str
    lead: bytes = b""  # (a regular expression, matched at the document's start)
    root: str = ""
    assembled: bool = False


RSS = Format(
    "rss", "RSS", "application/rss+xml", "RSS 2.0",
    renderer="xmlfast:render", checker="xmlcheck:check_rss", root="rss", assembled=True,
)  # fmt: skip
ATOM = Format(
    "atom", "Atom", "application/atom+xml", "Atom 1.0",
    renderer="xmlfast:render", checker="xmlcheck:check_atom",
    root="{http://www.w3.org/2005/Atom}feed", assembled=True,
)  # fmt: skip
JSON = Format(
    "json", "JSON Feed", "application/feed+json", "JSON Feed 1.1",
    renderer="jsonfeed:render", checker="jsoncheck:check",
    # any JSON value, as RFC 8259 begins one (a scalar is no JSON Feed, but JSON all the
    # same: told so by the schema, "(top): null is not of type 'object'")
    lead=rb'[{\["0-9-]|(?:true|false|null)(?![A-Za-z0-9_])',
)  # fmt: skip
#: Every format, in the order readers take them best: every reader takes RSS 2.0,
#: nearly all Atom, far fewer JSON Feed (``feeds.opml`` subscribes to the first a
#: feed has).
FORMATS: dict[str, Format] = {f.name: f for f in (RSS, ATOM, JSON)}


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: ``line`` in the document, ``item`` names the item/entry when known."""

    line: int
    rule: str
    message: str
    item: str = ""

    def __str__(self) -> str:
        where = f" (item {self.item})" if self.item else ""
        return f"line {self.line}: {self.rule}: {self.message}{where}"


class Renderer(Protocol):
    """Renders one document of a feed in each of ``fmts`` (formats that name it)."""

    def __call__(
        self,
        config: Config,
        feed: FeedConfig,
        items: Sequence[Article],
        fmts: Sequence[str],
        doc: Document[Any] | None,
    ) -> dict[str, bytes]: ...


class Checker(Protocol):
    """The problems of a document in one format (its bytes or its XML root), sorted."""

    def __call__(self, document: Any, now: datetime | None) -> list[Problem]: ...


def render(
    config: Config,
    feed: FeedConfig,
    items: Sequence[Article],
    fmts: Sequence[str],
    doc: Document[Any] | None = None,
) -> dict[str, bytes]:
    """The bytes of one document of ``feed`` (by default its subscription document)
    holding ``items`` in the order given, in each of ``fmts``."""
    by_renderer: dict[str, list[str]] = {}
    for name in fmts:
        if name not in FORMATS:
            raise ValueError(f"unknown format {name!r}")
        by_renderer.setdefault(FORMATS[name].renderer, []).append(name)
    out: dict[str, bytes] = {}
    for renderer, names in by_renderer.items():
        out.update(cast(Renderer, _function(renderer))(config, feed, items, names, doc))
    return {f: out[f] for f in fmts}


def entry(article: Article, labels: Labels | None = None) -> Entry | None:
    """What the ``assembled`` formats write of ``article``, the same in every document
    that shows it (its body in the words of ``labels``, by default English): made once,
    for all of them. None when only :func:`render` can be sure of the bytes (a character
    XML forbids, say)."""
    fn = cast(Any, _function("xmlfast:entry"))
    return cast("Entry | None", fn(article) if labels is None else fn(article, labels))


def assemble(
    config: Config,
    feed: FeedConfig,
    entries: Sequence[Entry],
    fmts: Sequence[str],
    doc: Document[Any],
) -> dict[str, bytes] | None:
    """The bytes :func:`render` gives for ``doc`` of ``feed`` in each of ``fmts`` (all
    ``assembled``), from the :func:`entry` of each of its articles, in order. None when
    only :func:`render` can be sure of them (a text of the feed's own)."""
    if not all(FORMATS[f].assembled for f in fmts):
        raise ValueError(f"not every one of {list(fmts)} is assembled from entries")
    fn = cast(Any, _function("xmlfast:assemble"))
    return cast("dict[str, bytes] | None", fn(config, feed, entries, fmts, doc))


def prove(config: Config, entries: Sequence[Entry], now: datetime | None) -> list[Proof | None]:
    """Each of ``entries`` checked once, for every document assembled from it (see
    :mod:`.xmlparts`): its Proof, or None where a document that holds it must be
    checked whole."""
    fn = cast(Any, _function("xmlparts:prove"))
    return cast("list[Proof | None]", fn(config, entries, now))


def written(rss: bytes, atom: bytes, count: int) -> list[Entry] | None:
    """The :func:`entry` of each of the ``count`` articles of a feed's two documents
    :func:`assemble` put together (its RSS and its Atom, as written before), taken out
    of their bytes (see :mod:`.xmlparts`); None when they are not such documents."""
    fn = cast(Any, _function("xmlparts:written"))
    return cast("list[Entry] | None", fn(rss, atom, count))


def check_assembled(data: bytes, fmt: str, entries: Sequence[Entry],
                    proofs: Sequence[Proof | None], now: datetime | None) -> list[Problem]:  # fmt: skip
    """What :func:`check` finds in ``data``, the document in ``fmt`` :func:`assemble`
    made of ``entries`` (whose proofs :func:`prove` gave): checked by its parts, the
    entries once a build, not once a document (see :mod:`.xmlparts`)."""
    fn = cast(Any, _function("xmlparts:check"))
    return cast("list[Problem]", fn(data, fmt, entries, proofs, now))


_WHITE_SPACE = b" \t\r\n"


def check(data: bytes, now: datetime | None = None) -> tuple[str | None, list[Problem]]:
    """The format of a document's bytes (None when it is none of ours) and what is
    wrong with it, each problem with its line."""
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip(_WHITE_SPACE)[:8]
    for fmt in FORMATS.values():
        if fmt.lead and re.match(fmt.lead, start):
            return fmt.name, cast(Checker, _function(fmt.checker))(data, now)
    *firsts, last = (f.spec for f in FORMATS.values())
    feed = f"not a feed ({', '.join(firsts)} or {last})"
    # (said as what it is, not in libxml2's words "Document is empty" and "Start tag
    # expected": a .json file was told it was not well-formed XML. A byte that is not
    # printable ASCII may begin XML in UTF-16 or UTF-32, which libxml2 reads.)
    if not start:
        return None, [Problem(1, "format", f"empty, or only white space: {feed}")]
    if 0x20 < start[0] < 0x7F and start[:1] != b"<":
        return None, [Problem(1, "format", f"neither XML nor JSON: {feed}")]
    from .xmlcheck import parse

    root, problems = parse(data)
    if root is None:
        return None, problems
    for fmt in FORMATS.values():
        if fmt.root and root.tag == fmt.root:
            return fmt.name, cast(Checker, _function(fmt.checker))(root, now)
    specs = " or ".join(f.spec for f in FORMATS.values() if f.root)
    return None, [Problem(root.sourceline or 1, "format", f"not {specs}: <{root.tag}>")]


def prepare(names: Sequence[str]) -> None:
    """Import what renders and checks the formats ``names`` (lxml, the schemas) before
    it is needed: a build does it while it waits for the articles to be read (or before
    it renders, when it read them itself), so that the processes that render, forked
    after, find it done. (nh3 and lxml's HTML parser are not: the bodies feedpub
    writes need neither, see :mod:`feedpub.fasthtml`.)"""
    for name in names:
        _function(FORMATS[name].renderer)
        _function(FORMATS[name].checker)
        if FORMATS[name].assembled:
            _function("xmlparts:check")


@functools.cache
def _function(ref: str) -> object:
    """The function ``"module:function"`` of this package, its module imported now."""
    module, _, name = ref.partition(":")
    # as an import statement does it (importlib.import_module is not shown by -X importtime)
    return getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
