"""What of a text a reader shows: nothing at all (:func:`shows_nothing`: a title of
zero-width spaces alone), or the rest of its line turned round by a direction control
(:func:`balanced_bidi`); and the characters HTML refuses (:data:`NONCHARACTERS`).

The config's checks need these, and every command reads the config, so they are kept
apart from :mod:`feedpub.sanitize`, whose patterns would cost a build that reads no
article file (nothing changed, as under cron) about 15 ms to compile, a fifteenth of
its time.
"""

from __future__ import annotations

import re

#: Unicode's noncharacters (U+FDD0 to U+FDEF, the last two of every plane), which XML
#: allows and HTML does not: "Invalid HTML" to the W3C validator in every body that
#: held one. Taken out of texts (a URL writes them as %-escapes, which any URL may hold).
NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)
)

#: A text of nothing a reader shows: white space, controls, and the characters Unicode
#: has a reader ignore (Default_Ignorable_Code_Point: zero-width spaces and joiners, the
#: soft hyphen, direction marks and controls, variation selectors, the BOM, the Hangul
#: fillers, tags). A title of these alone was an item with a blank headline.
UNSEEN = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]*\\Z"
)


def shows_nothing(text: str) -> bool:
    """Whether a reader shows nothing of ``text``: white space, controls and the
    characters Unicode has a reader ignore (a zero-width space, a soft hyphen) alone."""
    return UNSEEN.match(text) is not None


#: The explicit direction controls: embeddings and overrides (LRE, RLE, LRO, RLO), closed
#: by PDF; isolates (LRI, RLI, FSI), closed by PDI.
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PDF, _PDI = "\u202c", "\u2069"


def balanced_bidi(text: str) -> str:
    """``text`` without its direction overrides (LRO, RLO: ``Price \u202e99 USD`` is
    shown "Price DSU 99"; no headline means that, and the spoofing of "Trojan Source"
    does) and with each other direction control it opens closed at the end of its line,
    each closing one that closes nothing dropped: no text after it, in a reader's list
    or in the sender's address rss2email makes of a provider's name, is turned round.
    Paired as the Unicode bidirectional algorithm pairs them (UAX #9): a PDF closes the
    embedding or override opened last, a PDI its isolate and what was opened inside it;
    a line break ends them all (``\r\n`` and ``\r`` are ``\n`` here, as they become)."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        opened: list[str] = []
        isolates = 0  # of ``opened`` (counted: a PDI must not search a long stack)
        kept: list[str] = []
        for ch in line:
            if ch == _PDF:
                if not opened or opened[-1] in _ISOLATES:
                    continue  # closes nothing (an isolate is closed by a PDI only)
                if opened.pop() in _OVERRIDES:
                    continue  # (the override's, gone with it)
            elif ch == _PDI:
                if not isolates:
                    continue
                while opened.pop() not in _ISOLATES:
                    pass
                isolates -= 1
            elif BIDI_CONTROL.match(ch):
                opened.append(ch)
                isolates += ch in _ISOLATES
                if ch in _OVERRIDES:
                    continue
            kept.append(ch)
        kept += [_PDI if o in _ISOLATES else _PDF for o in reversed(opened) if o not in _OVERRIDES]
        out.append("".join(kept))
    return "\n".join(out)


_ISOLATES = frozenset("\u2066\u2067\u2068")
_OVERRIDES = frozenset("\u202d\u202e")
