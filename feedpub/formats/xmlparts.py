"""An assembled RSS or Atom document checked by its parts: the verdict of checking it
whole (:func:`feedpub.formats.check`), for less.

A document :mod:`.xmlfast` assembles is its head, the entries of its articles (an RSS
item, an Atom entry: the same bytes in every document that shows the article) and its
foot. Checked whole, an article that three feeds show has its item parsed, validated
and checked three times a format. Here each entry is checked once a build, among the
others of its batch, in a document of the build (:func:`prove`); then each document
by its head and foot alone, and by the one rule that spans entries (:func:`check`).

Why that is the same verdict:

- **Well-formed**: the head and foot parse as a document; each entry parsed as
  exactly one element between the same head and foot, at the line it began on, with
  nothing but white space around it. The root element (its namespaces, its
  ``xml:lang``) is the same, compared by its bytes' CRC.
- **RELAX NG**: in rss.rng the channel is an interleave in which the items are a
  ``zeroOrMore``, and in atom.rng the entries are a ``zeroOrMore`` after the feed's
  own elements: a document is valid exactly when it is without its entries and each
  entry is, where it stands.
- **IDs**: an entry that holds ``xml:id`` (feedpub writes none; one taken from a file
  someone edited may) is not proven, so its documents are checked whole: libxml2
  refuses two equal IDs in one document, which no entry checked alone shows.
- **The rules in code** read one item at a time, given ``now`` (the build's) and, for
  Atom's author rule, whether the feed has an author: an entry with no author of its
  own is taken only into a document that has one. The rule that spans items, one id
  per item, is applied to the ids the checks read of each entry.

Whenever one of these does not hold (an entry not proven, a head with a problem, two
entries with one id), the document is checked whole, as before, so that its problems
are reported with their lines in it.

And the other way round, :func:`written`: the entries of a document assembled before
(the feed the last build wrote), taken out of its bytes, for a build that shows the
same articles again in new documents and need not parse them again to write their
entries. They are proven again like any other.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from ..archive import Document
from ..config import Config
from . import ATOM, FORMATS, RSS, Problem
from . import check as check_whole
from .xmlcheck import Seen, check_atom, check_rss, parse, structure
from .xmlfast import FOOT, Entry, agrees_with_lxml, assemble

_CHECKERS = {RSS.name: check_rss, ATOM.name: check_atom}


class Proof(NamedTuple):
    """What the checks read of an entry in a document of the build that passed them,
    kept small (the build holds one for each article it shows): in each format, the CRC
    of its id as the rule that ids are unique reads it (None without one: two ids with
    one CRC only send a document to be checked whole), of the bytes checked, and of that
    document's first two lines (its declaration and root element); whether its Atom
    entry has an author of its own; the time they were checked as of."""

    ids: tuple[int | None, int | None]
    crc: tuple[int, int]
    root: tuple[int, int]
    authored: bool
    now: datetime | None


#: The most lines a batch of entries takes in its document: libxml2 counts lines up to
#: 65,535 only, and each entry is known by the line it begins on.
BATCH_LINES = 50_000
#: The most entries a batch holds: its document's tree, while it is checked, is what
#: the check adds to a worker's memory.
BATCH = 64


def prove(config: Config, entries: Sequence[Entry], now: datetime | None) -> list[Proof | None]:
    """Each entry's :class:`Proof`, or None where it has a problem (then every document
    that shows it is checked whole). The entries are checked in batches, as the items
    of one document of the site's first feed; a batch with a problem is checked again
    in pieces, and a piece with a problem entry by entry (:data:`PIECE`)."""
    out: list[Proof | None] = []
    if not config.feeds:
        return [None] * len(entries)
    batch: list[Entry] = []
    sizes: list[tuple[int, int]] = []  # (the lines of each entry of the batch, in each format)
    lines = 0
    for e in entries:
        size = (e.rss.count(b"\n"), e.atom.count(b"\n"))
        if batch and (lines + max(size) > BATCH_LINES or len(batch) == BATCH):
            out += _proven(config, batch, sizes, now)
            batch, sizes, lines = [], [], 0
        batch.append(e)
        sizes.append(size)
        lines += max(size)
    return out + _proven(config, batch, sizes, now) if batch else out


#: A batch with a problem is checked again in pieces of this many entries, and a piece
#: with a problem entry by entry: at most three passes, however many have one.
PIECE = 16


def _proven(config: Config, entries: Sequence[Entry], sizes: Sequence[tuple[int, int]],
            now: datetime | None) -> list[Proof | None]:  # fmt: skip
    together = _prove(config, entries, sizes, now)
    if together is not None:
        return list[Proof | None](together)
    if len(entries) == 1:
        return [None]
    step = PIECE if len(entries) > PIECE else 1
    out: list[Proof | None] = []
    for i in range(0, len(entries), step):
        out += _proven(config, entries[i : i + step], sizes[i : i + step], now)
    return out


def _prove(config: Config, entries: Sequence[Entry], sizes: Sequence[tuple[int, int]],
           now: datetime | None) -> list[Proof] | None:  # fmt: skip
    feed = config.feeds[0]
    seen: dict[str, list[Seen]] = {}
    roots: dict[str, int] = {}
    for index, fmt in enumerate((RSS.name, ATOM.name)):
        parts = [_part(e, fmt) for e in entries]
        data = (assemble(config, feed, entries, [fmt], Document(feed.slug, [])) or {}).get(fmt)
        head = _head(data, fmt, parts) if data is not None else None
        if data is None or head is None or b"xml:id" in data:  # (see the module's IDs)
            return None
        root, _ = parse(data, without_ids=True)
        items: list[Seen] = []
        if root is None or root.tag != FORMATS[fmt].root or _CHECKERS[fmt](root, now, items):
            return None
        line = data.count(b"\n", 0, head) + 1
        starts = []
        for size in sizes:
            starts.append(line)
            line += size[index]
        others, _ = structure(root)
        if [s.line for s in items] != starts or any(n >= starts[0] for n in others):
            return None
        seen[fmt] = items
        roots[fmt] = _root(data)
    root = (roots[RSS.name], roots[ATOM.name])
    return [Proof((_crc(r.id), _crc(a.id)), (zlib.crc32(e.rss), zlib.crc32(e.atom)), root,
                  a.authored, now)
            for r, a, e in zip(seen[RSS.name], seen[ATOM.name], entries, strict=True)]  # fmt: skip


def _crc(text: str | None) -> int | None:
    return None if text is None else zlib.crc32(text.encode("utf-8", "surrogatepass"))


def check(data: bytes, fmt: str, entries: Sequence[Entry], proofs: Sequence[Proof | None],
          now: datetime | None) -> list[Problem]:  # fmt: skip
    """The problems of ``data``, the document in ``fmt`` assembled from ``entries``
    (whose proofs are ``proofs``): those :func:`feedpub.formats.check` finds in it."""
    parts = [_part(e, fmt) for e in entries]
    head = _head(data, fmt, parts)
    index, root_crc = (0 if fmt == RSS.name else 1), _root(data)
    if (head is None or not entries or len(proofs) != len(entries)
            or any(p is None or p.root[index] != root_crc or p.now != now
                   or p.crc[index] != zlib.crc32(b) for p, b in zip(proofs, parts, strict=True))):  # fmt: skip
        return check_whole(data, now)[1]
    ids = [p.ids[index] for p in proofs if p is not None and p.ids[index] is not None]
    if len(set(ids)) != len(ids):  # (or two ids with one CRC: checked whole all the same)
        return check_whole(data, now)[1]
    root, _ = parse(data[:head] + FOOT[fmt])
    items: list[Seen] = []
    if root is None or root.tag != FORMATS[fmt].root or _CHECKERS[fmt](root, now, items):
        return check_whole(data, now)[1]
    _, authored = structure(root)
    if items or not (authored or all(p.authored for p in proofs if p)):
        return check_whole(data, now)[1]
    return []


def _part(entry: Entry, fmt: str) -> bytes:
    return entry.rss if fmt == RSS.name else entry.atom


def _head(data: bytes, fmt: str, parts: list[bytes]) -> int | None:
    """The length of the head of ``data``, when it is a head, ``parts`` and the foot of
    ``fmt``, in that order; else None."""
    foot = FOOT[fmt]
    head = len(data) - sum(map(len, parts)) - len(foot)
    if head <= 0 or not data.endswith(foot) or data[head - 1 : head] != b"\n":
        return None
    at = head
    for part in parts:  # (each compared where it stands: none copied)
        if not data.startswith(part, at):
            return None
        at += len(part)
    return head


def _root(data: bytes) -> int:
    """The CRC of a document's first two lines: its declaration and root element."""
    end = data.find(b"\n", data.find(b"\n") + 1)
    return zlib.crc32(data[: end + 1 if end >= 0 else len(data)])


#: The lines an entry of an assembled document begins and ends with, in each format.
#: A text or attribute value of an entry never holds a ``<`` as it is (it is written
#: ``&lt;``), so no line within an entry is either.
_BOUNDS = {
    RSS.name: (b"    <item>\n", b"    </item>\n"),
    ATOM.name: (b"  <entry>\n", b"  </entry>\n"),
}
#: An Atom entry's own ``updated``: the first in it (it comes before every element
#: that holds another, and none does).
_UPDATED = re.compile(rb"\n    <updated>([^<]*)</updated>\n")


def written(rss: bytes, atom: bytes, count: int) -> list[Entry] | None:
    """The entries of the ``count`` articles of two documents :func:`.xmlfast.assemble`
    put together from them (one feed's, as RSS and as Atom), in order, as they stand
    there: each article's :class:`Entry` again, without its Article. None when either
    is not such a document, or when this process would not assemble documents
    (:func:`.xmlfast.agrees_with_lxml`)."""
    if not agrees_with_lxml():
        return None
    items, entries = _split(rss, RSS.name, count), _split(atom, ATOM.name, count)
    if items is None or entries is None:
        return None
    out: list[Entry] = []
    for item, entry in zip(items, entries, strict=True):
        m = _UPDATED.search(entry)
        try:
            updated = datetime.fromisoformat(m.group(1).decode()) if m else None
        except (ValueError, UnicodeDecodeError):
            return None
        if updated is None or updated.tzinfo is None:
            return None
        out.append(Entry(item, entry, updated))
    return out


def _split(data: bytes, fmt: str, count: int) -> list[bytes] | None:
    """The ``count`` entries of ``data``, a document in ``fmt`` whose head ends with a
    line break and is followed by its entries, then its foot; else None."""
    begin, end = _BOUNDS[fmt]
    foot = FOOT[fmt]
    if count <= 0 or not data.endswith(foot):
        return None
    stop = len(data) - len(foot)
    at = data.find(b"\n" + begin) + 1
    if at == 0 or b"\n" + end in data[:at]:
        return None
    parts: list[bytes] = []
    while at < stop:
        following = data.find(b"\n" + begin, at, stop) + 1
        part = data[at : following or stop]
        if not part.endswith(end) or len(parts) == count:
            return None
        parts.append(part)
        at = following or stop
    return parts if len(parts) == count else None
