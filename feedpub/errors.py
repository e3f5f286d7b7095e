"""One exception tree for everything feedpub reports to a user.

Library exceptions (YAML, TOML, lxml, OS) are wrapped at the boundary with
``raise ... from e``; only :mod:`feedpub.cli` turns these into messages and
exit codes.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterable
from typing import NamedTuple

#: The encoding this process names files in (and reads its command line in), when it
#: is not UTF-8: ASCII (``LC_ALL=C PYTHONUTF8=0``), ISO-8859-1; None when it is.
_FS_ENCODING = codecs.lookup(sys.getfilesystemencoding()).name
_FOREIGN_FS = None if _FS_ENCODING == "utf-8" else _FS_ENCODING


def utf8_reading(text: str) -> str:
    """``text`` as a UTF-8 locale reads it: a name or a command-line argument, which
    this process decodes in its locale's encoding, the same in any locale. In one whose
    encoding is not UTF-8 its bytes are read as UTF-8: ``économie`` typed in a UTF-8
    terminal under ``LC_ALL=C PYTHONUTF8=0`` is held as ``\\udcc3\\udca9conomie``, under
    ISO-8859-1 as ``Ã©conomie``, and is ``économie`` again (in ASCII a byte that is not
    UTF-8 stays a lone surrogate, shown ``\\xe9``, as a UTF-8 locale shows it). Bytes that
    are not UTF-8 in ISO-8859-1 (``é`` typed in a Latin-1 terminal) stay as that locale
    read them, and so does any text not from the file system or the command line (a
    topic read from a file cannot be encoded so, or is not UTF-8 once encoded)."""
    if _FOREIGN_FS is None or text.isascii():
        return text
    try:
        data = os.fsencode(text)
        return data.decode("utf-8")
    except UnicodeEncodeError:  # (text, not a name: ``Économie`` under ASCII)
        return text
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape") if _FOREIGN_FS == "ascii" else text


class FeedpubError(Exception):
    """Root of every error feedpub raises on purpose."""


class ConfigError(FeedpubError):
    """The configuration file is missing or wrong; ``problems`` lists every issue."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{p}" for p in problems))

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        return type(self), (self.path, self.problems)


def shown_path(path: str) -> str:
    """``path`` as a message shows it: always printable, on one line, and never
    ambiguous. A name that is printable and holds no backslash is shown as it is (the
    common case: two checks in C); otherwise with backslash escapes, as Python writes
    a string: an undecodable byte of a name that is not UTF-8 (which Python holds as
    a lone surrogate, U+DC80 to U+DCFF) as ``\\xe9``, a control character as ``\\n``,
    ``\\t``, ``\\r`` or ``\\x1b``, any other unprintable character (U+0085, U+00A0,
    U+2028, a right-to-left override U+202E, ...) as ``\\u0085``, and a backslash as
    ``\\\\``. So a newline in a name can never split a message line or start a fake
    one, a terminal escape sequence is never sent, and each escaped form belongs to
    one name only (``\\xe9`` is the byte 0xE9; the character é is shown as é).
    """
    path = utf8_reading(path)  # (the same in any locale: économie, not \xc3\xa9conomie)
    if path.isprintable() and "\\" not in path:
        return path
    return _escaped(path, backslash=True)


def shown_text(text: str) -> str:
    """A message's ``text`` with every character that is not printable escaped as
    :func:`shown_path` escapes it (``\\x1b``, ``\\u009b``, ``\\r``), but its backslashes
    left as they are: a message quotes the values it names as Python writes them
    (``'a\\x1b'``), already escaped. Used for what a message takes from a file
    (lxml's messages quote a value raw), so no control from it reaches the terminal."""
    return text if text.isprintable() else _escaped(text, backslash=False)


def cut(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when it is longer: what a
    message quotes of a value is never a line of a megabyte."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def counted(n: int, word: str, words: str | None = None) -> str:
    """``n`` and ``word`` as a message says them: ``1 item``, ``2 items``, ``0 items``
    (``words`` when the plural is not ``word`` and an s)."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def _escaped(path: str, backslash: bool) -> str:
    out = []
    for ch in path:
        code = ord(ch)
        if ch == "\\" and backslash:
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(repr(ch)[1:-1])  # \n, \t, \r, \x1b, \x7f
        elif code <= 0xFFFF:  # never \xNN above 0x7f: that is a byte's escape
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


class ArticleError(FeedpubError):
    """One article file cannot be used. ``line`` is 1-based, in the file itself; 0 when
    there is none (a folder that cannot be listed).

    ``path`` is the name as the file system gave it (a name that is not UTF-8 holds
    lone surrogates, see :func:`shown_path`); the message shows it escaped.
    """

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(path, line, message)

    def __str__(self) -> str:
        # made when shown, not when made: the cache makes one for every rejected file
        where = f"{shown_path(self.path)}:{self.line}" if self.line else shown_path(self.path)
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:
        # what a worker process sends back: rebuilt from the three fields (the
        # default would call __init__ with the one message string)
        return type(self), (self.path, self.line, self.message)


class UnreadableError(ArticleError):
    """An article file the system would not let be read (no permission, an I/O error):
    read again by every build, as making it readable keeps its size and mtime."""


class Notice(NamedTuple):
    """What in an article file is allowed but most likely a mistake (see
    :mod:`feedpub.notices`): said as an :class:`ArticleError` is, but never an error."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{shown_path(self.path)}:{self.line}: {self.message}"


class LockError(FeedpubError):
    """Another build holds the lock on the output folder."""


class UnknownTopicError(FeedpubError):
    """A preview asked for a topic or slug that matches nothing."""

    def __init__(self, name: str, suggestions: list[tuple[str, str]], why: str = "") -> None:
        self.name = name
        self.suggestions = suggestions
        self.why = why
        hint = did_you_mean(suggestions)
        # (the name as given on the command line: escaped, as a file name is)
        # (an empty one, ``preview "$TOPIC"`` with TOPIC unset, is said so; ``why``: what
        # else is wrong with it, as a blank one, "  ", or "*")
        empty = " (the topic is empty)" if not name else why
        super().__init__(f"no feed or topic named '{shown_path(name)}'{empty}.{hint}")

    def __reduce__(self) -> tuple[type, tuple[str, list[tuple[str, str]], str]]:
        return type(self), (self.name, self.suggestions, self.why)


def did_you_mean(suggestions: Iterable[tuple[str, str]]) -> str:
    """`` Did you mean: the topic Space, the feed space?`` for the ``(kind, name)`` that a
    name typed may be a slip for (see :func:`feedpub.select.near`): each said to be a
    feed or a topic, a slug and a topic that differ in case alone being two things
    ``preview`` shows apart. Empty for none."""
    said = ", ".join(f"the {kind} {shown_path(name)}" for kind, name in suggestions)
    return f" Did you mean: {said}?" if said else ""


#: A word processor's quotes (“ ” ‘ ’ „ ‚), which YAML and TOML read as letters, and
#: the straight quote each stands for.
WORD_QUOTES = {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"}


def likely_meant(name: str, known: Iterable[str], within: int = 2) -> str | None:
    """The one of ``known`` that ``name`` is most likely a slip for: the same but for
    case, or at most ``within`` letters added, left out, changed or swapped with their
    neighbour (one at most, for a name of four letters or fewer); None when none is."""
    folded = name.casefold()
    best = min(((_distance(folded, k.casefold()), k) for k in sorted(known)), default=None)
    if best is None or best[0] > min(within, 1 if len(best[1]) <= 4 else 2):
        return None
    return best[1]


def _distance(a: str, b: str) -> int:
    """The letters to add, remove, change, or swap with their neighbour, that make
    ``a`` into ``b`` (optimal string alignment); 3 for any more than 2."""
    if abs(len(a) - len(b)) > 2:  # (more than enough: never a suggestion)
        return 3
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        last, row = row, [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            row[j] = min(last[j] + 1, row[j - 1] + 1, last[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], before[j - 2] + 1)
        before = last
    return row[-1]
