"""Text, URL and HTML safety, shared by reading and by every output format.

- What an article's strings become: :func:`clean_text` (plain text, decoded once,
  repaired, normalised) and :func:`clean_url` (an absolute http(s) URL, or None);
- what HTML a feed may carry: :func:`sanitize`, against our allowlist;
- what the checks hold HTML and URLs to (:mod:`feedpub.formats` for the feeds,
  :mod:`feedpub.site` for the OPML list and the page): :func:`is_absolute`,
  :func:`has_scheme`, :data:`FORBIDDEN_TAGS`, :data:`URL_ATTRS`, :func:`html_findings`;
  and :func:`hardened_parser`, the XML parser every check reads bytes with.

What of a text a reader shows, which the config's checks need too, is
:mod:`feedpub.visible`'s (imported here as well).

Importing this module imports no third-party library: ftfy, nh3 and lxml are
imported when first needed (reading an article file needs none of them).
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import stringprep
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from html.entities import html5 as _NAMED
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import cut
from .visible import BIDI_CONTROL as _BIDI
from .visible import NONCHARACTERS, balanced_bidi
from .visible import UNSEEN as _UNSEEN

if TYPE_CHECKING:
    from lxml import etree

# XML 1.0 forbids C0 controls but TAB, LF, CR; lone surrogates; U+FFFE and U+FFFF.
# DEL and the C1 block are allowed but invisible and discouraged: drop them too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_IN_TEXT_CLASS = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{NONCHARACTERS}]"
#: (Written as a class that holds them and one range from U+1FFFE on, then the exact
#: class looked behind: re tests each character against a set's list of characters beyond
#: U+FFFF one by one, and the 32 noncharacters there made a search of an excerpt cost
#: 10 us, not 1. The same matches: tests/test_fastpath.py.)
_FORBIDDEN_IN_TEXT = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    f"\U0001fffe-\U0010ffff](?<={_FORBIDDEN_IN_TEXT_CLASS})"
)
#: The white space a single-line text runs together into one space: the ASCII kind and
#: the line and paragraph separators. The spaces a writer puts on purpose stay as written:
#: no-break (U+00A0, and U+202F, which French puts before "!" and in "10 000"),
#: typographic (U+2000 to U+200A, U+205F) and ideographic (U+3000, in Chinese and Japanese).
_BREAKING = "\t\n\x0b\x0c\r \x1c-\x1f\x85\u2028\u2029"
_SPACES = re.compile(f"[{_BREAKING}]+")
_BREAKING_BUT_SPACE = re.compile(f"[{_BREAKING.replace(' ', '')}]")
#: The controls that part lines, which XML forbids: a vertical tab (Word's Shift+Enter,
#: pasted into a CMS), a form feed, the file, group, record and unit separators. Each is
#: a line break (so a space in a text of one line), never taken out with nothing
#: between the words it parted ("Word\vBreak" was "WordBreak").
_SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1f]")
#: A character reference to one of them (``&#11;``, ``&#x1F;``), which HTML decodes to
#: nothing (a control it refuses), as a CMS writes Word's line break in an export.
_SEPARATOR_REFERENCE = re.compile(
    r"&#(?:0*(?:1[12]|2[89]|3[01])(?![0-9])|[xX]0*(?:[bBcC]|1[c-fC-F])(?![0-9a-fA-F]));?"
)
#: A numeric reference to a UTF-16 surrogate (``&#55357;``, ``&#xDE00;``), as an exporter
#: that escapes a text by its UTF-16 code units writes each half of an emoji (Apache
#: Commons Lang 2's ``escapeHtml``, a JavaScript loop over ``charCodeAt``): HTML decodes
#: each to U+FFFD, and readers showed "��" where the writer had put 😀.
_SURROGATE_REFERENCE = re.compile(
    r"&#(?:0*(5[5-7][0-9]{3})(?![0-9])|[xX]0*([dD][89a-fA-F][0-9a-fA-F]{2})(?![0-9a-fA-F]));?"
)
#: A numeric reference :func:`_paired_references` may change: to a surrogate, to zero,
#: or of a number that may be past U+10FFFF (seven digits or more, six hex digits or
#: more); the others (``&#8217;``) are left to :func:`unescape_attribute` at once.
_ODD_REFERENCE = re.compile(
    r"&#(?:0*(?:5[5-7][0-9]{3}|[1-9][0-9]{6,}|0)(?![0-9])"
    r"|[xX]0*(?:[dD][89a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{5,}|0)(?![0-9a-fA-F]))"
)
#: A single-line text that the last steps of cleaning leave as it is: words of no
#: breaking space or forbidden character, one space apart, no white space at either end.
#: (Every character from U+1FFFE on, not only the noncharacters there, is left to the
#: long way: a set of one range past U+FFFF is tested at once, not one by one, see
#: :data:`_FORBIDDEN_IN_TEXT`; a text with one, CJK's rarest, is only cleaned in full.)
_WORD_RUN = (
    f"[^{_BREAKING}\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe-\U0010ffff]+"
)
_CLEAN_LINE = re.compile(f"(?!\\s){_WORD_RUN}(?: {_WORD_RUN})*(?<!\\s)\\Z")
#: A terminal escape pasted into a text, written with ESC, as ECMA-48 (5.4) and xterm
#: have them: a control sequence (``ESC [``, parameter bytes 0x30 to 0x3F, intermediate
#: bytes 0x20 to 0x2F, a final byte 0x40 to 0x7E: ``\e[31m``, ``\e[?25l``, ``\e[200~``),
#: an operating system command or a device control string up to its terminator (BEL or
#: ``ESC \``: ``\e]0;title\a``, a hyperlink ``\e]8;;url\e\\``), a character set chosen
#: (``\e(B``, as ``tput sgr0`` writes it; ``\e%G``, ``\e#8``: an intermediate byte
#: but the space, then a final one), and an ESC with one final byte of its own (ECMA-48's
#: Fp, Fe and Fs: the cursor saved or restored, ``\e7``, ``\e8``, the keypad's mode,
#: ``\e=``, a terminal reset, ``\ec``; an operating system command left open, ``\e]``).
#: (ftfy takes out only ``ESC [`` with digits and a letter: the rest was shown,
#: "[?25lHidden", "]0;title", "cReset"; an ESC before anything else, as ``escape\e
#: null``, it takes out alone, as before.)
_ESCAPE = re.compile(
    r"\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|[]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|[\x21-\x2f][\x30-\x7e]|[\x30-\x7e])"
)
#: A line or paragraph separator (U+2028, U+2029), with the line break after it, if any
#: (YAML keeps one at a wrapped line's end): one line break, or a paragraph's.
_UNICODE_LINE = re.compile("\u2028(?:\r\n|\r|\n)?")
_UNICODE_PARAGRAPH = re.compile("\u2029(?:\r\n|\r|\n)?")


@functools.cache
def _ftfy() -> Callable[[str], str]:
    """ftfy's ``fix_text`` as we use it; imported only when a text needs it (importing
    ftfy costs a rebuild with one changed article 40 ms)."""
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        uncurl_quotes=False,
        fix_character_width=False,
        fix_latin_ligatures=False,
        fix_line_breaks=False,
        normalization="NFC",
        explain=False,
    )
    return functools.partial(ftfy.fix_text, config=config)


# Text that ftfy changes beyond NFC whatever its mojibake test says: its fixes of
# escapes, control characters (whose removal can bring two non-ASCII characters
# together), C1 controls and surrogates need one of these.
# (Its two ranges past U+FFFF taken as one, then the exact class looked behind: see
# _FORBIDDEN_IN_TEXT.)
_FTFY_BMP = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u206a-\u206f\ufff9-\ufffc\ud800-\udfff"
_FTFY_MAY_CHANGE = re.compile(
    f"[{_FTFY_BMP}\U0001d173-\U000e007f](?<=[{_FTFY_BMP}\U0001d173-\U0001d17a\U000e0000-\U000e007f])"
)
#: Every character :func:`clean_text` looks for before it shortens a text: the controls
#: that part lines (:data:`_SEPARATORS`), ESC, the line and paragraph separators, those
#: ftfy fixes (:data:`_FTFY_MAY_CHANGE`), the direction controls (:data:`_BIDI`) and the
#: forbidden (:data:`_FORBIDDEN_IN_TEXT`), in one class: a text with none of them, nearly
#: every one, is searched once, not five times. (Written as its characters with one
#: range past U+FFFF, then the exact class looked behind, as _FORBIDDEN_IN_TEXT is.)
_ODD_BMP = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u206f"
            "\ud800-\udfff\ufdd0-\ufdef\ufeff\ufff9-\ufffc\ufffe\uffff")  # fmt: skip
_ODD = re.compile(
    f"[{_ODD_BMP}\U0001d173-\U0010ffff](?<=[{_ODD_BMP}\U0001d173-\U0001d17a\U000e0000-\U000e007f"
    f"{NONCHARACTERS}])"
)
# Text that may be mojibake, which only ftfy's own test tells (see _ftfy_may_change).
# Every mojibake pattern it looks for (ftfy.badness.BADNESS_RE) needs two non-ASCII
# characters side by side (as most words of most languages but English have them:
# German, Polish, Greek, Russian), except a few that need a C1 control (above), Œ, œ,
# Ã or Â; kana, CJK and Hangul are in no code page ftfy tries.
# (Written as a character outside ASCII, kana, CJK and Hangul that is one of those four
# or has another such after it: a search then skips to such a character at once, where
# it tried two branches at every character: a fifth of the time. tests/test_fastpath.py.)
# A pair with one of five common marks in it (’ – — ― …: an apostrophe after a closing
# quote, ”’s, or an ellipsis, ”…, as 7 % of excerpts have) counts only after Ø, Ù, В,
# Î or Ð: ftfy's patterns hold those marks only right after one of these, Œ, œ, Ã or
# Â, never first (tests/test_fastpath.py reads ftfy's patterns to prove it).
_NOT_ASCII_OR_CJK = "[^\x00-\x7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
_COMMON_MARKS = "\u2013\u2014\u2015\u2019\u2026"
_MAY_BE_MOJIBAKE = re.compile(
    f"{_NOT_ASCII_OR_CJK}(?:(?<=[\u0152\u0153\xc3\xc2])|(?<=[\xd8\xd9\u0412\xce\xd0])"
    f"{_NOT_ASCII_OR_CJK}|(?<![{_COMMON_MARKS}]){_NOT_ASCII_OR_CJK[:-1]}{_COMMON_MARKS}])"
)
#: What a URL's path, query and fragment keep as it is: RFC 3986's reserved characters
#: but "[" and "]", which it allows only round an IPv6 host (the W3C validator calls
#: them invalid anywhere else: ``?ids[]=1`` becomes ``?ids%5B%5D=1``), and "#", which
#: only begins the fragment (a second, ``#/route#anchor``, is ``%23``: an Atom id "not in
#: canonical form" to the validator), and "%" where it begins an escape (one that begins
#: none is written ``%25``: ``50%-off``).
_URL_SAFE = "/?@!$&'()*+,;=%~:"
_STRAY_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")
#: A URL that cleaning leaves as it is: http(s), a lower-case host without a port, a
#: path, maybe a query, and only characters that need no quoting and no unescaping
#: (an "&" but one that begins a reference :func:`unescape_attribute` decodes).
_URL_CHAR = r"[A-Za-z0-9\-._~/=+,;:@!$'()*&]"
_RUN = rf"{_URL_CHAR}*+(?:%[0-9A-Fa-f]{{2}}{_URL_CHAR}*+)*+"  # (runs, then an escape: fast)
_PLAIN_URL = re.compile(
    rf"https?://[a-z0-9][a-z0-9.-]*/{_RUN}(?:\?(?:{_URL_CHAR}|%[0-9A-Fa-f]{{2}}){_RUN})?\Z"
)


# --------------------------------------------------------------------------- text


def clean_text(
    value: str, *, single_line: bool = False, limit: int | None = None, markup: bool = False
) -> str:
    """A plain-text field of an article file -> the text a reader must be shown.

    Article files are written by CMSs that HTML-escape their text (``we&#8217;ve``,
    ``Customer &amp; Partner``, ``&#038;``), so character references, named and
    numeric, are decoded here, exactly once (as an HTML parser decodes an attribute's
    value: a legacy name without its ``;`` right before a letter or a digit is no
    reference, so ``Barnes&notables`` and ``sales&copyright`` stay as written, where
    HTML's text would read "¬ables" and "©right"; ``&copy 2025`` is ©). What
    is left is plain text: markup in it (``<b>``, ``<script>``, ``3 < 5``) is text,
    which every format escapes once for its context. Then XML-forbidden characters
    go, mojibake is repaired, the text is normalised to NFC and, for a single-line
    text (a title, a name, a topic), runs of white space become one space (but the
    no-break, typographic and ideographic spaces, :data:`_BREAKING`); in a text
    of many lines (an excerpt), each line break is a ``\n`` (``\r\n`` and ``\r``, as
    a CMS on Windows writes them, too: as XML and HTML read them; U+2028 too, and
    U+2029 a paragraph break, ``\n\n``: Unicode's own line and paragraph separators,
    YAML's ``\\L`` and ``\\P``, which no reader shows as one; U+0085 is mojibake of
    Windows-1252's "…", which ftfy makes it).
    The result is never cleaned again (that would decode a second time).

    With ``markup``, the value is HTML (its references are part of the markup, and
    stay as they are for the sanitiser that shows it).
    """
    if "&" in value and not markup:
        if "&#" in value:  # (HTML decodes &#11; to nothing: a line break, as the character)
            value = _SEPARATOR_REFERENCE.sub("\n", value)
            if _ODD_REFERENCE.search(value):  # (one C scan: nearly every text has none)
                value = _paired_references(value)  # (an emoji's two halves: 😀, not "��")
        value = unescape_attribute(value)  # (``Barnes&notables`` is no "¬ables")
    # one search for every character the steps below look for one by one, which nearly
    # every text holds none of: without (odd False), they are skipped
    odd = _ODD.search(value) is not None
    if odd and _SEPARATORS.search(value):  # (before ftfy, which takes U+000B out with letters)
        value = _SEPARATORS.sub("\n", value)
    if odd and "\x1b" in value:  # a terminal escape (``\e[31m``, ``\e]0;title\a``): taken out
        value = _ESCAPE.sub("", value)
    if not value.isascii():
        if odd and ("\u2028" in value or "\u2029" in value):  # (a line break to bidi, ftfy)
            value = _UNICODE_PARAGRAPH.sub("\n\n", _UNICODE_LINE.sub("\n", value))
        nfc = unicodedata.normalize("NFC", value)
        # ftfy normalises, then looks again: composing "e" and U+0301 can make a pair.
        # Else what ftfy would do to it: nothing but NFC (tests/test_fastpath.py).
        if _ftfy_may_change(value, nfc, odd):
            value, odd = _ftfy()(value), True
        else:
            value, odd = nfc, odd or nfc is not value  # (another text: looked at again)
        if odd and _BIDI.search(value):
            value = balanced_bidi(value)
        if _UNSEEN.match(value):  # (a zero-width space alone: a title no reader shows)
            return ""
    elif odd and "\x1b" in value:  # an ESC left (before a control, at the end): ftfy takes it
        value = _ftfy()(value)  # out, in ASCII text too
    if odd:  # (else nothing to take out)
        if single_line and _CLEAN_LINE.match(value) and (limit is None or len(value) <= limit):
            return value  # what the steps below would give (tests/test_fastpath.py)
        value = _FORBIDDEN_IN_TEXT.sub("", value)
    if "\r" in value and not single_line:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return shorten(value, single_line=single_line, limit=limit)


def _paired_references(value: str) -> str:
    """``value`` with each UTF-16 surrogate pair written as two numeric references, one
    right after the other (``&#55357;&#56832;``, ``&#xD83D;&#xDE00;``), made the one
    character the pair stands for (😀), as JSON and YAML read ``\\ud83d\\ude00``. A
    reference HTML decodes to U+FFFD, which the writer never wrote (a surrogate that is
    half of no such pair, ``&#0;``, one past U+10FFFF), is taken out, as ``&#1;`` is:
    readers showed "�", and the W3C validator warned of bad characters in every feed
    that held it."""
    out: list[str] = []
    at = 0
    for high, low in itertools.pairwise(_SURROGATE_REFERENCE.finditer(value)):
        if high.start() < at or high.end() != low.start():
            continue
        first = int(high[1]) if high[1] else int(high[2], 16)
        second = int(low[1]) if low[1] else int(low[2], 16)
        if 0xD800 <= first <= 0xDBFF and 0xDC00 <= second <= 0xDFFF:
            out += (
                value[at : high.start()],
                chr(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)),
            )
            at = low.end()
    value = "".join(out) + value[at:] if out else value
    return _NUMERIC_REFERENCE.sub(_unless_lost, value) if "&#" in value else value


#: A numeric character reference, as HTML reads one (its ``;`` may be left out); one of
#: more digits than any character has is read by neither group.
_NUMERIC_REFERENCE = re.compile(
    r"&#(?:0*([0-9]{1,8})(?![0-9])|[xX]0*([0-9a-fA-F]{1,7})(?![0-9a-fA-F])"
    r"|[0-9]+|[xX][0-9a-fA-F]+);?"
)


def _unless_lost(m: re.Match[str]) -> str:
    """A numeric reference as it is, or nothing when HTML would decode it to U+FFFD."""
    if m[1] is None and m[2] is None:  # (digits past any character's)
        return ""
    n = int(m[1]) if m[1] is not None else int(m[2], 16)
    return "" if n == 0 or 0xD800 <= n <= 0xDFFF or n > 0x10FFFF else m[0]


#: The longest text ftfy reads as one piece (its ``max_decode_length``): a longer line
#: is cut into pieces, which :func:`_ftfy_may_change` does not do.
_FTFY_PIECE = 1_000_000


def _ftfy_may_change(value: str, nfc: str, odd: bool = True) -> bool:
    """Whether ftfy may give back more than ``nfc``, the NFC form of ``value``. Not when
    neither holds a character of :data:`_FTFY_MAY_CHANGE` (which ftfy's other fixes
    need) and the test ftfy itself asks before it tries any encoding fix,
    ``ftfy.badness.is_bad``, finds nothing in any of the pieces ftfy fixes one by one
    (each line with its line break) of either (so that its one anchored pattern, Ã or
    Â at the start, reads as ftfy reads it). Asking the test alone skips ftfy's other
    steps, about 35 us a text: a Russian or German title costs 20 us instead of 55 us.
    (``odd`` False: ``value`` holds no character of :data:`_ODD`, found so already.)"""
    other = nfc is not value  # (normalize gives back the very string when it is NFC)
    if (odd and _FTFY_MAY_CHANGE.search(value)) or (other and _FTFY_MAY_CHANGE.search(nfc)):
        return True
    if not (_MAY_BE_MOJIBAKE.search(value) or (other and _MAY_BE_MOJIBAKE.search(nfc))):
        return False
    if len(value) > _FTFY_PIECE or len(nfc) > _FTFY_PIECE:
        return True
    from ftfy.badness import is_bad  # (imports ftfy, as fixing the text would)

    for text in (value, nfc) if other else (value,):
        start = 0
        while start < len(text):
            end = text.find("\n", start) + 1 or len(text)
            if is_bad(text[start:end]):
                return True
            start = end
    return False


def shorten(value: str, *, single_line: bool, limit: int | None) -> str:
    """White space made single (on one line) or trimmed, then cut to ``limit``
    characters at a word, with an ellipsis: the last steps of :func:`clean_text`,
    for a text that is clean already."""
    if single_line and ("  " in value or _BREAKING_BUT_SPACE.search(value)):
        value = _SPACES.sub(" ", value)  # (else each run of them is one space already)
    value = value.strip()
    if limit is not None and len(value) > limit:
        cut = value.rfind(" ", 0, limit)
        value = value[: cut if cut > limit // 2 else _grapheme_start(value, limit)].rstrip()
        if _BIDI.search(value):  # (the cut took the closers the text's end had: again)
            value = balanced_bidi(value)
        value += "…"
    return value


def _grapheme_start(text: str, at: int) -> int:
    """``at``, or the start of the character as a reader sees it (a grapheme cluster)
    that ``at`` falls inside: a cut there never leaves a letter without its accents, a
    family emoji as a woman and a joiner, a flag as one letter of its country code.
    (Unicode's rules that matter for a cut: what extends the character before it, a
    zero-width joiner and what follows one, regional indicators in pairs.)"""
    while 0 < at < len(text):
        ch = text[at]
        if _extends(ch) or text[at - 1] == "\u200d":
            at -= 1
        elif _is_regional(ch) and _is_regional(text[at - 1]):
            run = at
            while run > 0 and _is_regional(text[run - 1]):
                run -= 1
            if (at - run) % 2 == 0:
                break  # a whole number of flags before: a boundary
            at -= 1
        else:
            break
    return at


def _extends(ch: str) -> bool:
    """Whether ``ch`` belongs to the character before it: a combining mark, a joiner, a
    variation selector, a skin tone, a tag (of a subdivision flag)."""
    point = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or point == 0x200D
        or 0xFE00 <= point <= 0xFE0F
        or 0x1F3FB <= point <= 0x1F3FF
        or 0xE0020 <= point <= 0xE007F
        or 0xE0100 <= point <= 0xE01EF
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


#: A character reference, as :func:`html.unescape` finds one (its pattern).
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def unescape_attribute(value: str) -> str:
    """``value`` with its character references decoded as an HTML parser decodes an
    attribute's value (``href="…"``): as :func:`html.unescape` decodes text, but for
    a named reference without its semicolon that is followed by a letter, a digit or
    ``=``, which stays as it is ("for historical reasons", says the HTML standard: so
    ``?id=1&section=2&region=eu`` keeps its ``&sect`` and ``&reg``, which text would
    read as § and ®)."""
    if "&" not in value or not _MAY_DECODE.search(value):
        return value
    return _REFERENCE.sub(_attribute_reference, value)


#: Where an "&" may begin a reference :func:`unescape_attribute` decodes: ``&#``, or
#: ``&`` and two characters a name may hold. After one or none (``R&D``, ``AT&T``,
#: ``& ``, ``&t;``) it begins none: every name holds two letters or more. Nor before
#: letters or digits and "=" (a query's ``&w=1200``, ``&sect=2``), which an attribute's
#: value keeps as written, as a known name before a letter, a digit or "=" is kept (and
#: no name holds "=").
_MAY_DECODE = re.compile("&(?:#|(?![A-Za-z0-9]+=)[^\t\n\f <&#;]{2})")


def _attribute_reference(m: re.Match[str]) -> str:
    name = m[1]
    if name[0] == "#":
        return _numeric_reference(m[0])
    if name in _NAMED:  # (a whole name without ";" is followed by none of those: the
        return html.unescape(m[0])  # pattern would have taken it)
    for end in range(len(name) - 1, 1, -1):  # the longest known name it begins with,
        if name[:end] in _NAMED:  # as html.unescape looks for it (none ends with ";")
            after = name[end]
            if after == "=" or (after.isascii() and after.isalnum()):
                return m[0]
            return _NAMED[name[:end]] + name[end:]
    return m[0]


#: The zeros a numeric reference's number begins with (``&#00065;``).
_LEADING_ZEROS = re.compile(r"(?<=&#)0+(?=[0-9])|(?<=&#[xX])0+(?=[0-9a-fA-F])")


def _numeric_reference(reference: str) -> str:
    """The character a numeric reference stands for, as :func:`html.unescape` decodes
    it, whatever its length: Python reads no number of more than 4,300 digits, and
    ``&#`` with 5,000 zeros before ``65;`` (``A``) was a ValueError, "cannot load;
    please report this", and no feed written. One past every character is U+FFFD."""
    if len(reference) > 16:  # (a short one, &#8217;, as it is: html.unescape reads it)
        reference = _LEADING_ZEROS.sub("", reference, count=1)
        if len(reference) >= 100:
            return "\ufffd"
    return html.unescape(reference)


def clean_url(value: object) -> str | None:
    """An absolute http(s) URL with HTML entities decoded, or ``None``.

    ``&#038;`` becomes ``&``, references decoded once as in an HTML attribute's value
    (:func:`unescape_attribute`: ``&region=eu`` stays); leading spaces and control characters are removed
    before the scheme is read, so `` JaVaScRiPt:`` and ``\\x01javascript:`` are
    refused like ``javascript:``. Unsafe characters are percent-encoded and a
    non-ASCII host is IDNA-encoded. The URL is written in the form RFC 3986 (6.2.2)
    calls normal, which the W3C validator asks of an Atom id: its scheme and host in
    lower case, no default port, a %-escape in upper case (``%C3%A9``, not ``%c3%a9``,
    as WordPress writes them) and none of a letter, digit, ``-``, ``.``, ``_`` or ``~``
    (``%7E`` is ``~``), no ``.`` or ``..`` folder in its path, no dot ending its host.
    """
    if not isinstance(value, str):
        return None
    # its references decoded (nearly every "&" a query's, which stays), as the long way
    # decodes them first; then a URL clean already is the common case
    url = unescape_attribute(value)
    if (_PLAIN_URL.match(url) and ("%" not in url or _normal_escapes(url) == url)
            and url.find("/.", 8) < 0 and "./" not in url):  # fmt: skip
        return url  # what the long way gives (tests/test_fastpath.py)
    return _clean_url(value)


_PERCENT_ESCAPE = re.compile("%([0-9A-Fa-f]{2})")
#: The characters a URL never needs to escape (RFC 3986's unreserved), by their escape.
_UNRESERVED = {f"{c:02X}": chr(c) for c in range(128)
               if chr(c).isalnum() or chr(c) in "-._~"}  # fmt: skip


def _normal_escape(m: re.Match[str]) -> str:
    code = m[1].upper()
    return _UNRESERVED.get(code) or f"%{code}"


def _normal_escapes(text: str) -> str:
    """``text`` with each %-escape in the normal form of RFC 3986, 6.2.2.1-2."""
    return _PERCENT_ESCAPE.sub(_normal_escape, text)


def _without_dot_folders(path: str) -> str:
    """A URL's path without its ``.`` and ``..`` segments (RFC 3986, 5.2.4), as a browser
    reads it: ``/a/./b`` is ``/a/b``, ``/a/../b`` is ``/b``."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment in (".", ".."):
            if segment == ".." and len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")  # (it names a folder: "/a/.." is "/")
            continue
        out.append(segment)
    return "/".join(out)


_DEFAULT_PORT = {"http": 80, "https": 443}
#: What in a host IDNA refuses to encode (the codec's reasons: not only a label's length).
IDNA_REFUSES = ("a label empty or over 63 characters, a character IDNA refuses (U+FFFD, for "
                "one), or a right-to-left letter beside others in a label")  # fmt: skip


def _clean_url(value: str) -> str | None:
    url, refused = _url_or_refusal(value)
    return None if refused else url


def url_refusal(value: str) -> str | None:
    """Why :func:`clean_url` refuses ``value``, when the cause is one a writer can fix
    in place (a user name or password, an IPv6 address, a port, a character in the
    host), as the words after the URL in a message: what it holds, and what to write;
    None when it takes the URL, or refuses it for want of an absolute http(s) URL at
    all. The rules are those :func:`clean_url` applies (this is the same function)."""
    url, refused = _url_or_refusal(value)
    return url if refused and url else None


def _url_or_refusal(value: str) -> tuple[str, bool]:
    """``(the clean URL, False)``, or ``(why it is refused, True)``: ``""`` when it is no
    absolute http(s) URL at all, or see :func:`url_refusal`."""
    value = _FORBIDDEN.sub("", unescape_attribute(value)).strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # ("https://[::1": a [ never closed)
        return _IPV6 if "[" in value else "", True
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return "", True
    netloc = parts.netloc
    if not any(c.isalnum() for c in parts.hostname):
        return "", True  # no host at all ("https://./")
    after = value.translate(_URL_BLANKS).partition("//")[2]  # (urlsplit drops them)
    if "@" in netloc and "@" in parts.path + parts.query + parts.fragment:
        return _USERINFO_SAID, True  # (a password with an "@" in it: where it ends, unknown)
    if "@" in netloc:
        # a user name, the oldest trick to make a URL look like another site's
        # ("https://bank.example@evil.example/"): the W3C validator refuses it too
        bare = urlunsplit((parts.scheme, netloc.rpartition("@")[2], parts.path, parts.query,
                           parts.fragment))  # fmt: skip
        # what to write: the URL without them, when that is taken; else what it holds
        # besides ("https://user@e.com:99999/a": its port; the same scheme and host, so
        # never refused as no URL at all)
        also, refused = _url_or_refusal(bare)
        then = f"; it also {also}" if refused else f", {cut(bare, 100)}"
        return ("holds a user name or password (before its @): every reader would see "
                f"them, and it can pass for another site's link; write it without them{then}"), True  # fmt: skip
    if "[" in netloc:  # an IPv6 address: no news link, and the W3C validator refuses it
        return _IPV6, True
    if ":" in netloc and "@" in after and (not _port_ok(netloc) or _odd(netloc)):
        # a password that holds "/", "?" or "#" ("https://bob:pa/ss@e.com/a"): the host ends
        # there, and the password reads as its port; never said back, nor taken for one
        return _USERINFO_SAID, True
    try:
        if not netloc.isascii():
            netloc = _idna(netloc)
    except UnicodeError:
        return (f"has a host IDNA cannot encode ({cut(parts.hostname, 60)!r}: {IDNA_REFUSES}): "
                "write the site's domain name"), True  # fmt: skip
    if odd := _odd(netloc):
        said = "a space" if odd[0] == " " else repr(odd[0])
        return (f"has {said} in its host ({cut(parts.netloc, 60)!r}), which no host holds: write "
                "the site's domain name as it is, without it"), True  # fmt: skip
    try:
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        written = netloc.partition(":")[2]  # (as urllib reads it: after the first ":")
        shown = cut(written, 20)  # (a message quotes no line of a megabyte)
        if written.isascii() and written.isdigit():
            return (f"has the port {shown}, which is out of range: a port is a number "
                    f"up to 65535, or none ({scheme} takes {_DEFAULT_PORT[scheme]})"), True  # fmt: skip
        return (f"has the port {shown!r}, which is no number: a port is digits alone "
                f"(80), or none ({scheme} takes {_DEFAULT_PORT[scheme]})"), True  # fmt: skip
    netloc = netloc.lower()
    if ":" in netloc and (port is None or port == _DEFAULT_PORT[scheme]):
        # the scheme's own port, written or left empty, is no port (RFC 3986, 6.2.3):
        # "https://e.com:443/a" is "https://e.com/a", one article, one id in every feed
        netloc = netloc.rpartition(":")[0]
    host, colon, port_written = netloc.partition(":")
    if host.endswith(".") and "." in host.rstrip("."):  # ("e.com." is e.com, as DNS
        netloc = host.rstrip(".") + colon + port_written  # reads it; "e.com.." too)
    path = _quoted(parts.path)
    url = urlunsplit(
        (
            scheme,
            netloc,
            (_without_dot_folders(path) if "." in path else path) or "/",
            _quoted(parts.query),
            _quoted(parts.fragment),
        )
    )
    return url, False


def _port_ok(netloc: str) -> bool:
    """Whether ``netloc`` (with a ":") has a port a URL may have, after its first ":" as
    urllib reads it: ASCII digits up to 65535, or none (``e.com:``, the scheme's own)."""
    written = netloc.partition(":")[2]
    digits = written.lstrip("0")  # (000080 is 80, as urllib reads it; a 5,000-digit port
    # is never converted: Python refuses past 4,300 digits)
    return not written or (written.isascii() and written.isdigit() and len(digits) <= 5
                           and int(digits or "0") <= 65535)  # fmt: skip


def _odd(netloc: str) -> list[str]:
    """The characters of ``netloc`` that no host holds, in the order looked for."""
    return [c for c in " <>\"'`\\{}|^" if c in netloc]


_USERINFO_SAID = (
    "holds what reads as a user name and a password (a ':' in its host, an '@' after it): "
    "every reader would see them; write it without them"
)


_IPV6 = ("has an IPv6 address for its host (in [ and ]), which feedpub does not take: "
         "write the site's domain name (or an IPv4 address)")  # fmt: skip

#: What may be a URL's user name and password: after its scheme (if any), up to its
#: last "@" (a password may hold "@", "/" or "?").
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)?(/*|\\*)(.*)@")


#: What ``urlsplit`` takes out of a URL wherever it stands: tabs and line breaks.
_URL_BLANKS = {9: None, 10: None, 13: None}


def masked_url(url: str) -> str:
    """``url`` as a message says it back: a password in it (what stands before an "@"
    with a ":" in it, or before an "@" with no "/") as ``***``. The message may go to
    cron's mail; a ``/@name`` path stays as written. A password is looked for as a URL
    is read (its references decoded, ``&#64;`` an "@"; tabs and line breaks out), so that
    none is said back for the way it was written."""
    read = _FORBIDDEN.sub("", unescape_attribute(url)).translate(_URL_BLANKS)
    m = _USERINFO.match(read)
    if m is None or ("/" in m[3] and ":" not in m[3]):
        return url  # (no password: as written, what an editor looks for)
    return f"{m[1] or ''}{m[2]}***@{read[m.end() :]}"


#: Where Python's IDNA codec parts a host into labels (``encodings.idna.dots``), and the
#: characters its nameprep maps to nothing (RFC 3454's table B.1: the soft hyphen, the
#: zero-width joiners, the variation selectors...).
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_MAPPED_TO_NOTHING = dict.fromkeys(stringprep.b1_set)


@functools.lru_cache(maxsize=4096)  # a site's host, in every URL to it
def _idna(netloc: str) -> str:
    """A host (and port) with non-ASCII labels, IDNA-encoded (``bücher.example``:
    ``xn--bcher-kva.example``), its port as written (the codec took a port after a
    last label that is not ASCII for part of that label: ``テスト:8080`` was
    ``xn--:8080-kq4djdra``); UnicodeError where the codec refuses it (not cached:
    refused each time). Python's codec costs about 100 us a host (its nameprep is
    written in Python), which every URL to an IDN site paid before.

    A label of 256 characters or more besides those nameprep drops is refused before
    the codec reads it, as the codec refuses it (a label is at most 63 bytes encoded,
    and nameprep's NFKC makes one character of at most four): its punycode reads a
    label once for each different character in it, and a host of 8,000 CJK characters
    (24 KB) took 15 s to be refused."""
    host, colon, port = netloc.partition(":")  # (the port after the first ":", as urllib)
    for label in _LABEL_DOTS.split(host):
        if len(label) >= 256 and len(label.translate(_MAPPED_TO_NOTHING)) >= 256:
            raise UnicodeError("label too long")
    return host.encode("idna").decode("ascii") + colon + port


def _quoted(part: str) -> str:
    """A URL's path, query or fragment with what it may not hold as it is %-encoded."""
    if "%" in part:
        part = _STRAY_PERCENT.sub("%25", part)
    quoted = quote(part, safe=_URL_SAFE)
    return _normal_escapes(quoted) if "%" in quoted else quoted


# --------------------------------------------------------------------------- HTML


ALLOWED_TAGS = {"p", "a", "img", "ul", "li", "h3", "small", "time", "figure", "br", "em"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "time": {"datetime"},
}


def load_text_tools() -> None:
    """Import ftfy, which :func:`clean_text` needs for a text that may hold mojibake,
    and :mod:`feedpub.fasthtml`, which :func:`sanitize` and :func:`html_findings` need:
    for a build to do once, before it forks the processes that make Articles (reading
    a file for its Summary needs neither)."""
    _ftfy()
    from . import fasthtml  # noqa: F401


@functools.cache
def _recogniser() -> Callable[[str], tuple[tuple[str, str], ...] | None]:
    """:func:`feedpub.fasthtml.canonical`, imported at its first use (not to read a file
    for its Summary), then kept: an import statement in :func:`sanitize` and
    :func:`html_findings` cost each call of theirs 0.6 us."""
    from .fasthtml import canonical

    return canonical


def sanitize(fragment: str) -> str:
    """Clean HTML against our allowlist: no scripts, frames, styles, handlers or odd URLs.
    What :func:`clean_html` gives, without it for a fragment it would give back as it
    is (:mod:`feedpub.fasthtml`)."""
    if _recogniser()(fragment) is not None:
        return fragment
    return clean_html(fragment)


def clean_html(fragment: str) -> str:
    """The sanitiser of record: nh3 against :data:`ALLOWED_TAGS` and
    :data:`ALLOWED_ATTRIBUTES`, http(s) URLs only, every link ``rel="noopener noreferrer"``."""
    import nh3  # here: reading articles never needs it, nor a body sanitize recognises

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# --------------------------------------------------------------------------- checks

#: Elements no HTML we publish may hold (in a feed's content or on the page).
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link",
    "meta", "base", "form", "input", "button", "textarea", "select", "svg", "math",
}  # fmt: skip
#: Attributes holding a URL, which must be absolute http(s).
URL_ATTRS = {"href", "src", "cite", "action", "poster", "background", "formaction", "srcset"}


#: An absolute http(s) URL that :func:`is_absolute` need not split: a lower-case
#: scheme, an ASCII host without port or user, then no space (tests/test_fastpath.py).
_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#]\S*)?\Z")


def is_absolute(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host, with no space around it."""
    return bool(url and _ABSOLUTE.match(url)) or _is_absolute(url)


@functools.lru_cache(maxsize=65536)  # the same URLs recur in every feed of a build
def _is_absolute(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and url == url.strip()


def has_scheme(iri: str) -> bool:
    """Whether ``iri`` has a scheme (is absolute, as an Atom id must be). An id of the
    plain form :data:`_ABSOLUTE` takes (every article's) has one, and is not split."""
    return bool(_ABSOLUTE.match(iri)) or _has_scheme(iri)


@functools.lru_cache(maxsize=65536)
def _has_scheme(iri: str) -> bool:
    try:
        return urlsplit(iri).scheme != ""
    except ValueError:  # "http://[": not an IRI at all
        return False


@functools.lru_cache(maxsize=4096)  # an article's HTML is the same in each of its feeds
def html_findings(text: str) -> tuple[tuple[str, str], ...]:
    """``(rule, message)`` for each forbidden element, event handler, style and URL that
    is not absolute http(s) in an HTML fragment: what :func:`parsed_html_findings`
    finds, without parsing a fragment :mod:`feedpub.fasthtml` recognises (it holds no
    element or attribute that can break a rule but its URLs)."""
    urls = _recogniser()(text)
    if urls is None:
        return parsed_html_findings(text)
    if all(is_absolute(url) for _, url in urls):  # (its URL attributes: href and src)
        return ()
    return tuple(_attribute_findings(urls))


def parsed_html_findings(text: str) -> tuple[tuple[str, str], ...]:
    """The findings of record: the fragment parsed by lxml's HTML parser, every
    element and attribute of what it makes looked at."""
    from lxml import etree

    parser = _html_parser()
    # The whole document the parser makes of it, its <html> and <body> tags read as
    # <div>s: as a fragment (a reader's innerHTML) reads them, they end nothing, and their
    # attributes are checked wherever they stand (libxml2 dropped what followed </html>,
    # put a <script> in a head, and kept no handler of a second <body>). Given as UTF-8
    # bytes, whatever an XML declaration in it says.
    as_read = _DOCUMENT_TAG.sub(r"<\1div", text).encode("utf-8", "surrogatepass")
    try:
        root = etree.fromstring(as_read, parser)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return ()
    found: list[tuple[str, str]] = []
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # (libxml2 drops what lies deeper than 255 elements, without a word: a <script>
        # under 254 <div>s went unseen)
        found.append(("html", "HTML nested too deeply or too large to be checked (elements "
                              "over 255 deep, or a text over 10 MB): a reader's parser may "
                              "show what lies past it"))  # fmt: skip
    for node in () if root is None else root.iter():
        if isinstance(node.tag, str):
            attrs = ((str(k), str(v)) for k, v in node.attrib.items())
            found += _element_findings(str(node.tag), attrs)
    return tuple(found)


#: The start and end tags of the elements a document has once (``<html>``, ``<body>``,
#: ``<head>``), which a fragment's parser reads as nothing but their attributes.
_DOCUMENT_TAG = re.compile(r"<(/?)(?:html|body|head)(?=[\s/>])", re.IGNORECASE)


@functools.cache
def _html_parser() -> etree.HTMLParser:
    """lxml's HTML parser (17 ms to import: here, for the fragments it is needed for),
    made once a process, whose error log tells a fragment it cut."""
    from lxml import html as lxml_html

    return lxml_html.HTMLParser(encoding="utf-8")


#: Elements a feed's content may not hold either, which libxml2 parses other than a
#: reader does: a browser reads what <noscript> holds as text when it runs scripts, and
#: a <title/>, <xmp/>, <noembed/> or <noframes/> written as if empty runs on as text to
#: its end tag (HTML ignores the slash), where libxml2 parses what follows as markup: a
#: "</noscript>" or "</title>" hidden in an attribute then let the rest past the check.
RAW_TEXT_TAGS = {"noscript", "title", "xmp", "noembed", "noframes", "plaintext"}


def _element_findings(tag: str, attrs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    low = tag.lower()
    if low in FORBIDDEN_TAGS or low in RAW_TEXT_TAGS:
        yield "html", f"forbidden element <{tag}> in HTML content"
    yield from _attribute_findings(attrs)


def _attribute_findings(attrs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for name, value in attrs:
        low = name.lower()
        if low.startswith("on"):
            yield "html", f"event handler {name}= in HTML content"
        elif low == "style":
            yield "html", "style attribute in HTML content"
        elif low in _URL_LISTS:
            for url in _srcset_urls(value):  # (each candidate, not the first alone)
                if not is_absolute(url):
                    yield "html", f"{name}= candidate {url!r} is not an absolute http(s) URL"
        elif low in URL_ATTRS and not is_absolute(value):
            yield "html", f"{name}={value!r} is not an absolute http(s) URL"


#: Attributes that hold a list of image candidates (a URL, then its width or density).
_URL_LISTS = {"srcset", "imagesrcset"}


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` as HTML reads it: each a run of non-white-space (commas
    at its end dropped), then its descriptors, up to a comma outside parentheses."""
    urls: list[str] = []
    pos, end = 0, len(value)
    while pos < end:
        while pos < end and (value[pos] in " \t\n\r\f,"):
            pos += 1
        start = pos
        while pos < end and value[pos] not in " \t\n\r\f":
            pos += 1
        url = value[start:pos]
        if not url:
            break
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # its descriptors ("2x", "640w"), up to the next candidate
            depth = 0
            while pos < end and not (value[pos] == "," and depth == 0):
                depth += {"(": 1, ")": -1 if depth else 0}.get(value[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


def hardened_parser(collect_ids: bool = True) -> etree.XMLParser:
    """An XML parser for bytes we did not write: no network, no DTD, no entity
    expansion, no huge trees. ``collect_ids=False`` keeps no table of ``xml:id``
    values (libxml2 then neither refuses a repeated or malformed one nor spends
    the time: about half a feed's parse); only for bytes known to hold none.

    This thread's (made once: making one costs as much as parsing a small feed, and
    lxml resets a parser for each document it parses)."""
    name = "with_ids" if collect_ids else "without_ids"
    parser: etree.XMLParser | None = getattr(_PARSERS, name, None)
    if parser is None:
        from lxml import etree

        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=False,
            collect_ids=collect_ids,
        )
        setattr(_PARSERS, name, parser)
    return parser


#: Each thread's hardened parsers (``with_ids``, ``without_ids``).
_PARSERS = threading.local()
