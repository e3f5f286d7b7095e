"""The fast paths give exactly what the parser of record gives.

- fastyaml.fast_load: the same objects as PyYAML's loader (types included) for every
  block it accepts, and ``None`` for every block PyYAML rejects or would need judging;
  and with ``only`` (nested blocks of the other keys checked, not built) the same
  decision and the same values, but for those blocks;
- clean_text: skipping ftfy where it cannot change the text gives the same string;
- load_summary (what a build makes of every file) agrees with load_article (what it
  makes of the articles a feed shows): the same fields, the same rejections.

Checked on the benchmark corpus, the sample content, the seeds, the hostile fixtures
and generated input.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import articles, fastyaml, sanitize
from feedpub.articles import split_front_matter
from feedpub.errors import ArticleError
from feedpub.fastyaml import UNBUILT, fast_load
from feedpub.model import Summary
from feedpub.sanitize import clean_text

from .conftest import DATA, ROOT, SEEDS, draft_of

sys.path.insert(0, str(ROOT / "bench"))
from corpus import DATES, generate


def pyyaml(block: str) -> Any:
    """What the parser of record reads: PyYAML's loader (an escaped surrogate pair in
    double quotes joined, see articles._pyyaml)."""
    return articles._pyyaml(block)


def same_as_pyyaml(block: str) -> bool:
    """Whether fast_load accepted ``block`` (True) or deferred (False); fails on a difference."""
    fast = fast_load(block)
    for only in (articles.SUMMARY_FIELDS, frozenset({"a"}), frozenset()):
        assert same_in_brief(fast, fast_load(block, only), only), (only, block[:500])
    try:
        slow = pyyaml(block)
    except Exception:  # (PyYAML's errors, and what it raises on odd input by mistake)
        assert fast is None, block[:500]
        return False
    if fast is None:
        return False
    assert repr(fast) == repr(slow), block[:500]
    return True


def same_in_brief(whole: Any, brief: Any, only: frozenset[str]) -> bool:
    """Whether ``brief`` (fast_load with ``only``) is ``whole`` but for the nested blocks
    of keys outside ``only``, which are UNBUILT."""
    if whole is None or brief is None:
        return whole is None and brief is None
    if not isinstance(whole, dict) or not isinstance(brief, dict):
        return repr(whole) == repr(brief)
    if list(whole) != list(brief):
        return False
    for key, value in whole.items():
        if brief[key] is UNBUILT:
            if key in only or not isinstance(value, dict | list | type(None)):
                return False
        elif repr(brief[key]) != repr(value):
            return False
    return True


def blocks(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*.txt")):
        text = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
        try:
            yield path, split_front_matter(text)[0]
        except ValueError:
            continue


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, 2000, seed=7)
    return out / "content"


def test_fast_yaml_matches_pyyaml_on_the_benchmark_corpus(corpus: Path) -> None:
    taken = [same_as_pyyaml(block) for _, block in blocks(corpus)]
    assert len(taken) == 2000
    assert sum(taken) >= 0.95 * len(taken)  # the fast path does carry the load


@pytest.mark.parametrize(
    "folder", [ROOT / "content", SEEDS, DATA / "hostile"], ids=["content", "seeds", "hostile"]
)
def test_fast_yaml_matches_pyyaml_on_real_and_hostile_files(folder: Path) -> None:
    results = {path.name: same_as_pyyaml(block) for path, block in blocks(folder)}
    assert results
    if folder != DATA / "hostile":
        assert all(results.values()), [k for k, v in results.items() if not v]


@pytest.mark.parametrize(
    "block",
    [
        "a: &x 1\nb: *x\n",
        "a: !!python/object:os.system x\n",
        "a: 1\na: 2\n",
        "a: 2024-02-30\n",
        "a: [1, 2]\n",
        "a: |\n  text\n",
        'a: "x\\ny"\n',
        "a: x # comment\n",
        "a: x\n  y\n",
        "<<: {b: 1}\n",
        "a:\n\t- x\n",
        "a: b: c\n",
        "a: 'it''s'\n",
        "? a\n: b\n",
        "a: \x07\n",
        "- a\n- b\n",
        "a:\n- b\n- c\nd: e\n",
        "on: 1\n",
        "a: yes\nb: 0o17\nc: 017\nd: 1_000\ne: .inf\n",
        "a: 1:30\nb: ~\nc: null\nd: 2020-05-19 21:00:00\ne: 2020-05-19\n",
        "a:\n  - x: 1\n    y: 2\n  - z\n",
        # document markers (never inside a block split_front_matter gives, but still)
        "a: 1\n...\n",
        "a: 1\n...\nb: 2\n",
        "a:\n  - x\n...\n",
        "a:\n  b: 1\n  ---\n",
        "a:\n  b: 1\n  ...\n",
        "a:\n  - ...\n  - ---\n",
        "a: ---\nb: ...\nc: x...\n",
        "a:\n  b: c\n ... \n",
        "... \na: 1\n",
        # commas and brackets inside a plain scalar are text in a block (yaml.dump writes so)
        "a: x, y and z\n",
        "a: x [1] {2} ,\n",
        "a: 1,000\nb: 1,5\nc: 3,\n",
        "a:\n- one, two\n- x]\n- y}\n",
        "a: [x\n",
        "a: {x\n",
        "a: ,x\n",
        "a: x, [y]: z\n",
        # a plain scalar wrapped over lines (yaml.dump wraps at 80 columns)
        "a: one two\n  three four\nb: 1\n",
        "a: x\n   y\n  z\n",
        "a: 1\n  2\n",
        "a:\n- long\n  item\n- b\n",
        "b:\n  c: long\n    more\n  d: 1\n",
        "a: x\n\n  y\n",
        "a: x\n  # c\n  y\n",
        "a: x\n  - y\n",
        "a: x\n  y: z\n",
        "a: 'q'\n  y\n",
        '"a": "q"\n  y\n',
        "a: x\n  ...\n",
        "a: x\n  ---\n",
        "a: x:\n  y\n",
        "a: x\n  y #c\n",
        "a: x\n  [y]\n",
        "a: x\n  y:\n",
        "a: 2020-01-01\n  x\n",
        "a: true\n  x\n",
        "a: 2024-01-20 11:36:37+00:00\nb: 2024-02-30 11:36:37+00:00\nc: 2024-01-20 11:36:37+01:00\n",
        "a: 2024-01-20 24:36:37+00:00\n",
        # flow sequences of scalars on one line (Jekyll's "tags: [a, b]")
        'a: [x, y z, 1, true, ~, -1, 2.5, 2020-01-01]\nb: [ ]\nc: ["q, r"]\n',
        'a: ["x", \'y\', ""]\nb: [x,y]\nc: [ x , y ]\n',
        "a: [x, [y]]\n",
        "a: [x: y]\n",
        "a: [x, {y: 1}]\n",
        "a: [x,]\n",
        "a: [x,, y]\n",
        "a: [x #c]\n",
        'a: ["x\\ny"]\n',
        "a: ['it''s']\n",
        'a: [x"y]\n',
        "a: [-, x]\n",
        "a: [? x]\n",
        "a: [&x y, *x]\n",
        "a: [!t x]\n",
        "a: [x\n  , y]\n",
        "a: [x, y]z\n",
        "a:\n- [x, y]\n- [1]\n",
        "a: [x, 'y, z']\n",
        "a: [http://x/y]\n",
        "a: [%x]\n",
    ],
)
def test_fast_yaml_defers_or_agrees_on_every_tricky_form(block: str) -> None:
    same_as_pyyaml(block)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    "aZ: -\n\t\r\x00\x01\x1f\x7f\x80\x85\x9f\xa0é’\u2028\u2029\ufeff\ufffe\uffff😀"
), max_size=40))  # fmt: skip
@example("title: plain ASCII\n")
@example("title: \x7f\n")
@example("title: caf\xe9\n")
def test_a_block_goes_to_pyyaml_exactly_when_it_holds_a_deferred_character(block: str) -> None:
    """The check before the fast path (by ASCII bytes, or by printability) finds what
    ``_DEFER`` finds, no more, no less."""
    assert fastyaml._defers(block) == (fastyaml._DEFER.search(block) is not None), repr(block)


_DEFER_TEST_ALPHABET = (
    "aZ: -\n\t\r\x00\x01\x1f\x7f\x80\x85\x9f\xa0\xc2é’\u2028\u2029\ufeff\ufffe\uffff😀"
)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_DEFER_TEST_ALPHABET), max_size=40),
    st.text(alphabet=st.sampled_from(_DEFER_TEST_ALPHABET), max_size=20),
    st.text(alphabet=st.sampled_from(_DEFER_TEST_ALPHABET), max_size=20),
)
@example("title: café\n", "---\n", "---\n")
@example("title: café\n", "---\n", "---\nbody\twith a tab\n")
@example("title: café\n", "---\r\n", "---\r\n")
@example("title: caf\x85é\n", "", "")
@example("title: café\u2028\n", "", "")
def test_a_block_checked_with_its_file_bytes_defers_exactly_when_it_holds_a_deferred_character(
    block: str, before: str, after: str
) -> None:
    """The check by the bytes of the file the block was read from (any bytes that hold
    the block's: its controls and C1 characters looked for there) finds what ``_DEFER``
    finds in the block, no more, no less."""
    source = (before + block + after).encode()
    expected = fastyaml._DEFER.search(block) is not None
    assert fastyaml._defers(block, source) == expected, (block, source)


#: The line pattern with its rest written the plain way (the one it replaced), a group
#: for each part of a line's head (dash, key, colon).
_LINE_AS_WRITTEN_FIRST = re.compile(
    r"^( *)(?=[^ #\n])(-(?: +|$))?"
    r"""(?:([A-Za-z_][A-Za-z0-9_-]*|"[A-Za-z_][A-Za-z0-9_-]*"|'[A-Za-z_][A-Za-z0-9_-]*')"""
    r"(:(?: +|$)))?((?:.*[^ \n])?) *$",
    re.M,
)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=" -:#\n\tab_'\"é", max_size=40))
def test_the_line_pattern_splits_a_block_as_its_plain_form_does(block: str) -> None:
    """The same lines, the same indent and rest, the head the dash, key and colon as one
    (and :func:`fastyaml._parts` splits it into them again)."""
    lines = fastyaml._LINE.findall(block)
    plain = _LINE_AS_WRITTEN_FIRST.findall(block)
    assert lines == [(i, d + k + c, r) for i, d, k, c, r in plain], repr(block)
    assert [(i, *fastyaml._parts(h), r) for i, h, r in lines] == plain, repr(block)


#: The top-level segment pattern as first written, without possessive quantifiers (its
#: key may be quoted, as a line's may).
_SEGMENT_AS_WRITTEN_FIRST = re.compile(
    r"""(([A-Za-z_][A-Za-z0-9_-]*|"[A-Za-z_][A-Za-z0-9_-]*"|'[A-Za-z_][A-Za-z0-9_-]*'):"""
    r"(?: +|(?=\n|\Z))((?:[^\n]*[^ \n])?) *(?:\n|\Z)"
    r"((?:(?:[ #-][^\n]*)?\n)*(?:[ #-][^\n]*)?))"
)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=" -:#\n\tab_'\"é", max_size=40))
def test_the_segment_pattern_splits_a_block_as_its_plain_form_does(block: str) -> None:
    """Where the segments cover the block (else the walk decides), the same segments.
    (The plain form was also tried where no segment begins: between line starts.)"""

    def cover(segments: list[tuple[str, ...]]) -> list[tuple[str, ...]] | None:
        return segments if sum(len(s[0]) for s in segments) == len(block) else None

    assert cover(fastyaml._SEGMENT.findall(block)) == cover(
        _SEGMENT_AS_WRITTEN_FIRST.findall(block)
    ), repr(block)


def test_deep_nesting_and_aliases_in_flow_collections_never_take_the_fast_path() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(30)) + "  " * 30 + "leaf: 1\n"
    assert fast_load(deep) is None
    assert fast_load("a: &anchor x\nb: [*anchor]\n") is None
    assert fast_load("a: &anchor x\nb: *anchor\n") == {"a": "x", "b": "x"}
    data = b'---\ntitle: "T"\nsecured: "SECRET-FAST"\nwebUrl: "https://e.example/x"\npublishedDateTime: 2020-01-01T00:00:00Z\n---\n'
    mapping, _ = articles.parse_front_matter("x.txt", data)
    assert "secured" not in mapping and b"SECRET-FAST" not in repr(mapping).encode()


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
    st.datetimes(), st.dates(), st.sampled_from(["yes", "no", "on", "1:20", "0x1F", "~", "1e3", "- x", ": x"]),
)  # fmt: skip
documents = st.recursive(
    st.dictionaries(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True), scalars, max_size=5
    ),
    lambda inner: st.dictionaries(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True),
        inner | st.lists(inner | scalars, max_size=3),
        max_size=4,
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.sampled_from([2, 4]))
def test_fast_yaml_matches_pyyaml_on_generated_yaml(
    doc: dict[str, Any], quoted: bool, indent: int
) -> None:
    try:
        text = yaml.safe_dump(
            doc, allow_unicode=True, default_style='"' if quoted else None, indent=indent
        )
    except yaml.YAMLError:
        return
    same_as_pyyaml(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a: ", "b:", "- ", "  ", "\n", '"', "'", "x", "1", ":", "#", "true", "2020-01-01",
                                 "&", "*", "!", "[", "{", "|", "\t", ",", "\\", "c: d\n", "...", "---"]), max_size=30).map("".join))  # fmt: skip
def test_fast_yaml_matches_pyyaml_on_yaml_shaped_noise(block: str) -> None:
    same_as_pyyaml(block)


#: The widths and flow styles generated documents are dumped with.
dumps = st.sampled_from([(80, False), (40, False), (80, None), (10**6, False)])


def dumped(doc: dict[str, Any], dump: tuple[int, bool | None]) -> str:
    """``doc`` as ``yaml.safe_dump`` writes it at a width, in a flow style (or nothing,
    where it cannot: a text PyYAML will not write)."""
    width, flow = dump
    try:
        return yaml.safe_dump(doc, allow_unicode=True, width=width, default_flow_style=flow)
    except yaml.YAMLError:
        return ""


@settings(max_examples=400, deadline=None)
@given(documents, dumps, st.data())
def test_fast_yaml_matches_pyyaml_with_comments_after_values(
    doc: dict[str, Any], dump: tuple[int, bool | None], data: st.DataObject
) -> None:
    """What a person adds to a generated file: a comment after any of its lines (a value,
    a key alone, a line of a text wrapped over lines, inside a quoted text), holding what
    a comment may (quotes, colons, another ``#``). Read as PyYAML reads it, or left to it."""
    text = dumped(doc, dump)
    comments = st.sampled_from(["# c", "#", '# it\'s: "x" # y', "#no space", "# [a, {b"])
    spaces = st.sampled_from([" ", "  ", "\t"])
    lines = text.split("\n")
    for i in range(len(lines)):
        if lines[i] and data.draw(st.booleans()):
            lines[i] += data.draw(spaces) + data.draw(comments)
    same_as_pyyaml("\n".join(lines))


#: A key at a line's start or after a sequence's dash, as the walk's lines hold one.
_A_KEY = re.compile(r"^( *(?:- +)*)([A-Za-z_][A-Za-z0-9_-]*):(?= |$)", re.M)


@settings(max_examples=400, deadline=None)
@given(documents, dumps, st.data())
def test_fast_yaml_matches_pyyaml_with_quoted_keys(
    doc: dict[str, Any], dump: tuple[int, bool | None], data: st.DataObject
) -> None:
    """What a generator that quotes keys writes (``"title": "…"``, ``'url': …``): any key
    of a generated file quoted, in double or single quotes or not, wherever a line starts
    with one (in a text wrapped over lines too). Read as PyYAML reads it, or left to it."""
    text = dumped(doc, dump)
    quotes = st.sampled_from(['"', "'", ""])
    same_as_pyyaml(_A_KEY.sub(lambda m: f"{m[1]}{(q := data.draw(quotes))}{m[2]}{q}:", text))


def test_quoted_keys_take_the_fast_path() -> None:
    """The seed files with every key quoted, as some generators write them: read without
    PyYAML, as PyYAML reads them, into the same Article as the files as they are (such
    files went to PyYAML whole)."""
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        for quote in ('"', "'"):
            quoted = _A_KEY.sub(rf"\1{quote}\2{quote}:", text)
            block, _ = split_front_matter(quoted)
            assert block.count(f"{quote}webUrl{quote}:") >= 1, path.name
            assert same_as_pyyaml(block), path.name
            assert fast_load(block, articles.SUMMARY_FIELDS) is not None
            data, tz = quoted.encode(), UTC
            assert articles.load_article(path.name, data, tz) == articles.load_article(
                path.name, text.encode(), tz
            )


@pytest.mark.parametrize(
    ("block", "value"),
    [
        ('"on": 1\n"null": 2\n\'yes\': 3\n', {"on": 1, "null": 2, "yes": 3}),
        ('- "a": 1\n  b: 2\n', [{"a": 1, "b": 2}]),
        ('"a":\n  - "b": x # c\n', {"a": [{"b": "x"}]}),
        ('p: {"a": 1,\n  "b": [2, 3]}\n', {"p": {"a": 1, "b": [2, 3]}}),
    ],
)
def test_a_quoted_key_is_its_text(block: str, value: Any) -> None:
    """A key in quotes is a string, whatever it says (PyYAML reads a plain ``on`` as True);
    in a flow collection wrapped over lines (JSON's, say), a line that starts with one is
    the flow's text, read as before."""
    assert same_as_pyyaml(block)
    assert fast_load(block) == value


@pytest.mark.parametrize(
    "block",
    ['"a": 1\na: 2\n', "'a': 1\n\"a\": 2\n", '"a b": 1\n', '"1": 1\n', '"a\\tb": 1\n', "'it''s': 1\n",
     '"a":1\n', 'x: "a": 1\n'],
)  # fmt: skip
def test_quoted_keys_pyyaml_must_judge_go_to_it(block: str) -> None:
    """A key twice (quoted once), a quoted key the line pattern does not take (a space,
    a digit first, an escape, a quote inside), no space after the colon: PyYAML's."""
    assert fast_load(block) is None
    same_as_pyyaml(block)


def test_a_dump_with_every_scalar_quoted_takes_the_fast_path() -> None:
    """The seed files as ``yaml.safe_dump(default_style='"')`` writes them (every key and
    text in double quotes, every other value tagged: ``"width": !!int "50"``, ``!!bool
    "true"``, ``!!timestamp "2020-05-19 21:00:00+00:00"``): read without PyYAML, as PyYAML
    reads them, into the same Articles as the files as they are."""
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        block, _ = split_front_matter(text)
        dumped = yaml.safe_dump(
            pyyaml(block), default_style='"', sort_keys=False, allow_unicode=True
        )
        assert '!!int "' in dumped and '!!timestamp "' in dumped, path.name
        assert same_as_pyyaml(dumped), path.name
        data = f"---\n{dumped}---\n".encode()
        assert articles.load_article(path.name, data, UTC) == articles.load_article(
            path.name, text.encode(), UTC
        )


def test_a_hash_in_a_wrapped_text_after_a_quoted_key_is_no_comment() -> None:
    """A text that ``yaml.safe_dump(default_style='"')`` wraps over lines, with a ``#``
    after a space on a line under its key (``#1`` in a headline): text, not a comment,
    read on the fast path as after a plain key."""
    doc = {"title": "A rocket launch took place this week and it is the #1 story", "n": 5}
    for style in ('"', None):
        block = yaml.safe_dump(doc, default_style=style, width=40, allow_unicode=True)
        first, others = block.split("\n", 1)
        assert "#" not in first and " #1" in others, block
        assert same_as_pyyaml(block), block


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('!!int "50"', 50),
        ("!!int '0x1F'", 31),
        ('!!int  "-3"', -3),
        ('!!float ".inf"', float("inf")),
        ('!!bool "true"', True),
        ('!!null "~"', None),
        ('!!null ""', None),
        ('!!str "5"', "5"),
        ('!!str "on: x # y"', "on: x # y"),
        ('!!timestamp "2024-01-20 11:36:37+00:00"', datetime(2024, 1, 20, 11, 36, 37, tzinfo=UTC)),
    ],
)
def test_a_scalar_with_one_of_yamls_own_tags_is_its_value(text: str, value: Any) -> None:
    for block in (f"a: {text}\n", f"a:\n- {text}\n"):
        assert same_as_pyyaml(block), block
    assert fast_load(f"a: {text}\n") == {"a": value}


@pytest.mark.parametrize(
    "text",
    ['!!float "5"', '!!int "1.5"', '!!float "1e3"', '!!timestamp "next tuesday"', '!!timestamp "2024-02-30"',
     '!!bool "maybe"', '!!binary "aGk="', '!!str "a\\"b"', "!!str 'it''s'", "!!int 5", '!<tag:yaml.org,2002:int> "5"',
     '!!int "5" # c', '!int "5"'],
)  # fmt: skip
def test_tagged_scalars_pyyaml_must_judge_go_to_it(text: str) -> None:
    """A tag whose text as a plain scalar is of another type (PyYAML converts it, or
    refuses), other tags, escapes, a plain text after the tag, a comment: PyYAML's."""
    assert fast_load(f"a: {text}\n") is None
    same_as_pyyaml(f"a: {text}\n")


def test_comments_after_values_take_the_fast_path() -> None:
    """A seed file with a comment after each of its values and keys, as a person edits
    one (``type: article  # or video``), nested ones too: read without PyYAML, as PyYAML
    reads it (such files went to PyYAML whole, five times slower a file)."""
    for path in sorted(SEEDS.iterdir()):
        block, _ = split_front_matter(path.read_text(encoding="utf-8"))
        commented = re.sub(r"^( *(?:- )?\w+:.*)$", r"\1  # said: 'x' #2", block, flags=re.M)
        assert commented.count("#") > 20
        assert same_as_pyyaml(commented), path.name
        assert fast_load(commented, articles.SUMMARY_FIELDS) is not None


@pytest.mark.parametrize(
    ("block", "value"),
    [
        ('t: "a # b"  # c\n', "a # b"),
        ("t: 'a # b' # c\n", "a # b"),
        ("t: 'it''s' # c\n", "it's"),
        ("t: a#b # c\n", "a#b"),
        ("t: C # sharp\n", "C"),
        ("t: # nothing\n", None),
        ("- a # c\n- 'b' # d\n", ["a", "b"]),
        ('t: x\n# a line\nu: "y" # z\n', "x"),
        ('t: &x "a # b"\n', "a # b"),  # (an anchor: as the walk read it before)
        ("t: |\n  a # b\n", "a # b\n"),  # (a block scalar's text, quoted before)
        ("t: [a, b]  # d\n", ["a", "b"]),
    ],
)
def test_a_comment_is_cut_where_pyyaml_cuts_it(block: str, value: Any) -> None:
    assert same_as_pyyaml(block), block
    loaded = fast_load(block)
    assert (loaded["t"] if isinstance(loaded, dict) else loaded) == value


@pytest.mark.parametrize(
    "block",
    [
        "t: ['a # b',\n  c]\n",  # a flow collection over lines, a "#" in a text of it
        "- {title: 'Top #1 of', x: y,\n    z: w}\n",
        "t: 'a #1\n  b'\n",
    ],
)
def test_a_hash_in_a_text_over_lines_is_no_comment(block: str) -> None:
    """A ``#`` after a space inside a quoted text that goes on over lines (as
    ``yaml.dump`` wraps a headline with "#1" in it) is text: the block is read on the
    fast path as before (a comment cut in it would keep the walk from taking a value
    over lines)."""
    assert same_as_pyyaml(block), block


@pytest.mark.parametrize(
    "block",
    [
        't: "a" b # c\n',  # a quoted text, then more
        "t: [a,\n  'b #1', c]\nu: d  # e\n",  # a comment, and a "#" in a text over lines
        't: "a"# c\n',  # no space before the "#"
        't: [a, "b # c"]\n',  # a flow collection cut inside a quoted text of it
        "t: a\n  b # c\nu: d\n",  # on the last line of a text over lines
        "t: a # c\n  b\n",  # a comment, then the text goes on (PyYAML refuses it)
        't: "a\n  b" # c\n',  # a quoted text over lines
    ],
)
def test_comments_pyyaml_must_judge_go_to_it(block: str) -> None:
    assert not same_as_pyyaml(block), block


#: Values that make a valid scalar, and look-alikes that do not (or need PyYAML).
TRICKY = [
    '"plain text"', '"a: b"', '"x" # c', '"it\'s"', "'single'", '"a\\"b"', '"a"b"', '"a\\qb"', '"a \\n b"', '"open',
    "123", "0", "0123", "-4", "1_000", "true", "false", "yes", "~", "null", "x: y", "a #b",
    "2024-02-28T10:00:00Z", "2024-02-30T10:00:00Z", "2023-04-31T00:00:00Z", "2023-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01", "[]", "{}", "[1]", "&a x", "*a",
    '""', "  ", "- x", ": x", ":",
    # single quotes; texts that start with a digit; URLs with "#" (the masks of each)
    "'it''s'", "'a #b'", "'a: b'", "'open", "'a' b", "12 ab", "09 x", "09", "1 #x", "1 x: y",
    "3<5 x", "2024-01-01 x", "2024-02-30 x", "https://x.com/a#b", "https://x.com/a #b",
    "https://x.com/a:", "https://x.com/a: b", "https://x.com/a#b:c",
    # texts that start with a bracket ("(AP) ..."), and ones that are no plain text then
    "(AP) x", "(a)", "( x", "(x: y", "(a #b", "(a) [b] {c}", "(a,", "((", ")x", "[x", "{x",
    # escapes (as yaml.dump writes non-ASCII text), and ones libyaml refuses
    '"caf\\xE9 \\u2019"', '"\\U0001F680 x"', '"\\uD800"', '"\\U0000DFFF"', '"\\U00110000"', '"a\\q"',
    '"a\\"', '"a\\\\"', '"\\x4"', '"\\ b\\/"',
    # escaped surrogate pairs (json.dumps's emoji: one character each), and surrogates
    # that are half of no pair
    '"\\ud83d\\ude80 x"', '"x \\uD83D\\uDE80\\ud83c\\udf89"', '"\\ud83d x"', '"\\ude80\\ud83d"',
    '"\\\\ud83d\\ude80"', '"\\ud83d\\u0041"', '"\\ud83d\\ud83d\\ude80"', '"\\ud83d\\ud83d x"', '"\\ud83d\\\\ude80"',
    # times with offsets and fractions (as a generator outside UTC writes them), and
    # ones Python's timezone or datetime refuses
    "2024-01-01T10:00:00+02:00", "2024-01-01T10:00:00.5-05:30", "2024-01-01 10:00:00+23:59",
    "2024-01-01T10:00:00+24:00", "2024-01-01T10:00:00+2", "2024-02-30T10:00:00+02:00",
    "2024-01-01T10:00:00.Z", "2024-01-01T10:00:60Z", "2024-01-01 10:00:00Z",
    # texts that start past ASCII (a dash, a quote mark, spaces that are no YAML space)
    "— text", "«x» y", "\u3000x", "\xa0x", "’s x", "$5 x", "'a'' b'", "'a''",
    # times with no offset, dates alone, fractions of a second (as a generator writes
    # Python's naive datetimes and dates), and ones that do not exist
    "2024-01-01 10:00:00", "2024-01-01T10:00:00", "2024-02-29 10:00:00", "2023-02-29T10:00:00",
    "2024-01-01T10:00:00.5", "2024-01-01 10:00:00.1234567Z", "2024-01-01T10:00:00.",
    "2024-01-01T10:00:00.5+01:00", "2024-02-29", "2023-02-29", "2024-13-01", "0000-01-01",
    "2024-1-01", "2024-01-01T10:00",
    # offsets of four digits (strftime's %z: texts to PyYAML), times as Ruby's YAML writes
    # them (a space before the zone), RFC 2822 dates (texts), and forms near them
    "2024-01-01T10:00:00+0000", "2024-01-01 10:00:00.5-0530", "2024-02-30T10:00:00+0000",
    "2024-01-01T10:00:00+00000", "2024-01-01T10:00:00 +0000", "2024-01-01T10:00:00+00:0",
    "2024-01-01T10:00:00+0000: x", "2024-01-01T10:00:00+0000 #c",
    "2024-01-01 10:00:00.000000000 Z", "2024-01-01 10:00:00 +01:00", "2024-02-30 10:00:00 Z",
    "2024-01-01 10:00:00 +24:00", "2024-01-01 10:00:00  Z", "2024-01-01T10:00:00 z",
    # Jekyll's dates (a space, then four digits: texts to PyYAML), and forms near them (a
    # zone of two digits is a time's)
    "2024-01-01 10:00:00 +0000", "2024-01-01 10:00:00 -0530", "2024-02-30 10:00:00 +0000",
    "2024-01-01 10:00:00  +0000", "2024-01-01 10:00:00 +000", "2024-01-01 10:00:00 +05",
    "2024-01-01 10:00:00 +0000: x", "2024-01-01 10:00:00.5 +0000",
    "Wed, 20 May 2020 13:59:00 +0000", "Thu, 1 Jan 2026 00:00 GMT", "Sun, 31 Feb 2021 13:59:00 UT",
    "Wed, 20 May 2020 13:59:00 +0000: x", "Wed, 20 May 2020 13:59:00 +0000 #c",
    "Wed, 20 May 2020 13:59:00 Z,", "True, 20 May 2020 13:59:00 Z", "Mon, 1 Jan 2024 1:00 Z",
    # decimal numbers, negative ones, and numbers of other forms
    "1.5", "-1.5", "-0.5", "0.5", "1.", ".5", "1.5e3", "1.5e+3", "1_0.5", "-1", "-0", "00.5",
    "1.5.2", "123456789.123456789", "1234567890.5", "-", "+1.5",
    # long numbers: times in milliseconds, 64-bit ids, a float as JavaScript writes one,
    # and ones past the mask's bounds
    "1705750597000", "-1705750597", "9223372036854775807", "92233720368547758070",
    "0.30000000000000004", "1.23456789012345678901", "1" * 5000,
    # values followed by spaces (nothing to YAML), and look-alikes that are not
    '"x"  ', "'x' ", "12  ", "true ", "2024-01-01T10:00:00Z  ", "https://x.com/a  ", "a b  ",
    '"x" y ', "'x' y  ", "12 #  ", '"x"\t', "1.5 ", "2024-02-30 ", "https://x.com/a: ",
]  # fmt: skip
tricky_values = st.sampled_from(TRICKY)
nested_keys = st.sampled_from(["title", "url", "when", "width", "on", "null", "title"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["related", "images", "topics", "title"]),
                          st.lists(st.lists(st.tuples(nested_keys, tricky_values), min_size=1,
                                            max_size=4), max_size=3),
                          tricky_values), min_size=1, max_size=4))  # fmt: skip
def test_a_nested_block_is_checked_alike_whatever_its_values(
    fields: list[tuple[str, list[list[tuple[str, str]]], str]],
) -> None:
    """A block is judged as the whole walk and PyYAML judge it, even after a block of
    the same shape, but for its values, was checked (and its shape learned)."""

    def text(valued: bool) -> str:
        lines = []
        for key, items, value in fields:
            if not items:
                lines.append(f"{key}: {value}")
                continue
            lines.append(f"{key}:")
            for item in items:
                for n, (k, v) in enumerate(item):
                    lines.append(f"  {'- ' if n == 0 else '  '}{k}: {v if valued else '1'}")
        return "\n".join(lines) + "\n"

    same_as_pyyaml(text(valued=False))
    same_as_pyyaml(text(valued=True))


SHAPES = [
    'title: "T"\nrelated:\n  - title: {v}\n    when: 2020-01-28T00:00:00Z\n',
    'related:\n- provider:\n    name: {v}\n  images:\n    - url: "u"\n      width: {v}\n',
    "images:\n  - url: {v}\nx: 1\n",
    # flow mappings, one line and wrapped, as yaml.dump writes them with default_flow_style=None
    "related:\n- provider: {{name: {v}, domain: x}}\n  quality: 5\n",
    "related:\n- images:\n  - {{url: 'https://x.com/a.png',\n    width: {v}, height: 5}}\n",
    "related:\n- images:\n  - {{url: {v},\n    width: 5}}\n",
    # a value with lines of text under it: a plain one goes on, a quoted one may not
    "related:\n- title: {v}\n    more words\n    and more\n  when: 1\n",
    "images:\n  - url: {v}\n      words\n",
    "images:\n  - url: {v}\n      3<5 words\n      12\n",
    # the items of a sequence, each known by its own shape
    "related:\n- title: x\n  when: 1\n- title: {v}\n  when: 1\n- title: y\n",
    "related:\n  - title: x\n  - url: {v}\n    w: 5\n",
    # lines of any text under a plain text or an open single quote (yaml.dump wraps a
    # text with ": " in it so, with allow_unicode), and a wrapped one that holds it
    "related:\n- title: words\n    {v}\n  when: 1\n",
    "related:\n- title: 'x: y\n    {v}'\n  when: 1\n",
    "related:\n- title: 'x: y\n    {v}\n    z'\n  when: 1\n",
    "related:\n- title: x\n  excerpt: 'a: b\n    c {v} d'\n",
]


@pytest.mark.parametrize("template", SHAPES)
@pytest.mark.parametrize("value", TRICKY)
def test_a_nested_block_is_checked_even_when_its_shape_is_known(template: str, value: str) -> None:
    """Learn the shape of a block with plain values, then give it each tricky one."""
    assert same_as_pyyaml(template.format(v="1"))
    same_as_pyyaml(template.format(v=value))


#: The first line of a value, and lines that may go on with its text under it: plain
#: words, words that close or open a quote, escapes and escaped line breaks.
FIRST_LINES = ['"abc', "'abc", "abc", '"abc\\', '"abc"', "'abc'", '"a\\xE9\\', "3<5 x", '"a\\u00e9"',
               "'a: ''b''", "— abc", "'", "(AP) abc", "(a: b"]  # fmt: skip
GOING_ON = [
    "more words", 'words"', "words'", '\\ words"', '\\ w\\xE9\\', "12 words", "words\\", "a: b",
    "x #y", 'r\\xE9sum\\xE9"', '\\uD800 x"', "key: v\\", "- x", 'w: x"',
    # what starts a plain text (an indicator), text in single quotes, markers
    '"dq" words', "'q'' words", "*a words", "[b] {c}", "? x", "— x'", "'", "''", "it''s'",
    "x'' y", "key: v'", "key:", "-x", "---", "... x", "#c", "! x", "%a @b `c",
    "x y: it's", "x y: its'", "x y: v\\", "- x y: v'", "-  x'",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@example([(0, "- ", "title: ", '"plain text"', ""), (4, "", "", "", "")])  # a quoted text goes on
@example([(2, "- ", "url: ", "'x'", ""), (4, "", "", "", ""), (2, "- ", "", "x", "")])
@example([(0, "- ", "title: ", '"open', ""), (4, "", "", "", 'words"')])  # closed, or not
@given(st.lists(st.tuples(st.sampled_from([0, 0, 2, 2, 4, 6, 1]), st.sampled_from(["- ", "-  ", "", "", "# "]),
                          st.sampled_from(["title: ", "url: ", "w: ", '"title": ', "'url': ", "", ""]),
                          tricky_values,
                          st.sampled_from(["", *GOING_ON])),
                min_size=1, max_size=9))  # fmt: skip
def test_the_items_and_wrapped_lines_of_a_nested_block_are_judged_alike(
    lines: list[tuple[int, str, str, str, str]],
) -> None:
    """Lines of any indent, dash, key and value under a key (items of a sequence, texts
    wrapped over lines, stray lines between them), first with plain words for every
    value and line (their shapes learned), then with the values drawn after a dash or
    a key and the lines drawn for the others, then with those lines plain words again
    (a value's lines learned, then others under it): judged as PyYAML judges."""

    def text(valued: bool, going_on: bool) -> str:
        body = "".join(
            f"{' ' * indent}{dash}{key}"
            f"{value if valued and (dash or key) else (going_on and drawn) or 'some words'}\n"
            for indent, dash, key, value, drawn in lines
        )
        return f'title: "T"\nrelated:\n{body}quality: 1\n'

    same_as_pyyaml(text(valued=False, going_on=False))
    same_as_pyyaml(text(valued=True, going_on=True))
    same_as_pyyaml(text(valued=True, going_on=False))


def test_a_quoted_keys_text_over_lines_is_never_masked() -> None:
    """The lines of a text that goes on under a quoted key are text, which no mask of a
    block's shape may touch (as under a plain key): a block whose text holds ``x: 'def'``
    is valid, one whose text holds ``x: 'd"ef'`` is not (the quote ends the text), though
    masked alike."""
    fastyaml._SHAPES.clear()
    valid = 'title: "T"\nprovider:\n  "name": "abc\n    x: \'def\'\n    ghi"\n'
    assert same_as_pyyaml(valid)
    assert not same_as_pyyaml(valid.replace("def", 'd"ef'))


def test_a_line_that_would_end_a_wrapped_text_under_a_quoted_key_is_never_masked() -> None:
    """A text wrapped as ``yaml.dump`` wraps it (each line break escaped) is masked as
    one, however its lines read, so no line under its first may begin with a key: a
    quoted one (``"x": def"``, whose quote ends the text) as little as a plain one."""
    fastyaml._SHAPES.clear()
    valid = 'title: "T"\nprovider:\n  "name": "abc\\\n    def"\n  "domain": "d"\n'
    assert same_as_pyyaml(valid)
    assert not same_as_pyyaml(valid.replace("    def", '    "x": def'))


def test_blocks_with_quoted_keys_are_known_by_their_shapes() -> None:
    """A nested block whose keys are quoted has a shape, as one whose keys are plain:
    its values masked, its keys as they are (their quotes open no text); two blocks
    that differ only in their values share it, and the summary of a file takes it
    without walking the block again."""
    block = '  "name": "{v}"\n  "images":\n    - "url": "https://x.com/{v}.png"\n      \'w\': 5\n'
    one, two = (fastyaml._shape(block.format(v=v), True) for v in ("a", "b c"))
    assert one is not None and one == two, one
    assert '"name": "\0' in one and "'w': \0" in one, one
    # (with a quote that is no value's, in a plain text: the keys' quotes open no text)
    said = block.format(v="a").replace("'w': 5", "'w': it's \"said\"")
    assert fastyaml._shape(said, True) is not None
    fastyaml._SHAPES.clear()
    head = '"title": "T"\n"published": true\n"provider":\n'
    assert same_as_pyyaml(head + block.format(v="a"))
    assert one in fastyaml._SHAPES
    brief = fast_load(head + block.format(v="b c"), articles.SUMMARY_FIELDS)
    assert brief == {"title": "T", "published": True, "provider": fastyaml.UNBUILT}


@pytest.mark.parametrize(
    ("text", "double", "single"),
    [
        ('"a": 1\n  - "b": x\n  - - \'c\':\n', 2, 1),
        ('  "name": "x"\n  # "a": 1\n  t: he said "b": c\n  "d":x\n  "e f": 1\n', 1, 0),
        ("  - 'url': 'https://x.com'\n    \"w\": 5\n", 1, 1),
        ('  title: "a": b\n', 0, 0),
    ],
)
def test_the_quoted_keys_that_begin_lines_are_counted(text: str, double: int, single: int) -> None:
    """Keys in quotes at the start of a line (after its indent and dashes) are counted
    apart from the quotes a shape must account for; a quoted text elsewhere in a line,
    in a comment, without a space after its colon or not a key's name is not one."""
    assert fastyaml._quoted_keys(text, '"') == double
    assert fastyaml._quoted_keys(text, "'") == single


def test_a_tagged_text_over_lines_goes_to_pyyaml() -> None:
    """A text with a tag (``!!str "…"``) that goes on over lines is PyYAML's (no dump
    writes one), and never a shape whose masks touch its lines: ``x y: 'v'`` in it is
    text, ``x y: 'v"w'`` ends it."""
    fastyaml._SHAPES.clear()
    valid = 'title: "T"\nprovider:\n  name: !!str "abc\n    x y: \'v\'\n    ghi"\n'
    assert fast_load(valid) is None
    same_as_pyyaml(valid)
    assert not same_as_pyyaml(valid.replace("'v'", "'v\"w'"))
    assert fast_load('a: !!int "5"\nb: 1\n') == {"a": 5, "b": 1}  # (on one line: read)


@pytest.mark.parametrize("first", FIRST_LINES)
@pytest.mark.parametrize("learned", GOING_ON)
def test_the_lines_under_a_value_are_judged_with_the_value_they_go_on_from(
    first: str, learned: str
) -> None:
    """A value with lines under it (a text wrapped over lines, as yaml.dump writes one,
    or lines that only look so): once a block's shape is known, every block whose lines
    differ from its lines is judged as PyYAML judges it. (A line that closes a quote
    the first line opened, learned, must not let through one that leaves it open.)"""
    for middle in ("", "    more words\n", "    \\ w\\xE9\\\n", "      \\ w\\\n"):  # (or none)
        for after in GOING_ON:
            fastyaml._SHAPES.clear()
            for going_on, indent in ((learned, "    "), (after, "    "), (after, "  ")):
                same_as_pyyaml(
                    f'title: "T"\nrelated:\n- title: {first}\n{middle}{indent}{going_on}\n'
                    "  url: https://x.com/a\n"
                )


@pytest.mark.parametrize("value", ["cnet.com, ]", "cnet.com, [", "cnet.com, {", "x, y: z", "a, ]}"])
@pytest.mark.parametrize(
    "template",
    [
        "related:\n- provider: {{name: CNET, domain: {v}}}\n",
        "related:\n- images:\n  - {{url: 'https://x.com/a.png',\n    title: {v}}}\n",
    ],
)
def test_a_nested_block_with_flow_mappings_is_checked_whatever_a_known_one_held(
    template: str, value: str
) -> None:
    """A flow mapping's last value ends at "}" to the walk, but would be text to a shape's
    masks: read one block (whose shape would be kept), then one whose value runs on."""
    assert same_as_pyyaml(template.format(v="cnet.com"))
    same_as_pyyaml(template.format(v=value))


@contextlib.contextmanager
def no_walk() -> Iterator[None]:
    """Inside, a nested block that fastyaml walks (rather than knows by its shape) fails
    the test."""
    walked = fastyaml._nested

    def refused(text: str, folds: bool) -> Any:
        raise AssertionError(f"walked: {text!r}")

    fastyaml._nested = refused  # type: ignore[assignment]
    try:
        yield
    finally:
        fastyaml._nested = walked  # type: ignore[assignment]


def test_a_block_longer_than_a_shape_is_known_by_its_items() -> None:
    """A sequence longer than MAX_SHAPE (many related items, as real articles have) is
    not kept as a shape, but its items are: once they are known, a summary takes such
    a block without walking it; an item not known, or one that PyYAML refuses, is
    walked (and then judged as PyYAML judges it). A shape longer than MAX_SHAPE is
    never kept (the room for shapes is bounded by their length, not the text's)."""
    item = "- title: {t}\n  url: https://x.example/{t}\n  excerpt: {words}\n"
    words = " ".join(["word"] * 60)
    related = "".join(item.format(t=f"t{k}", words=words) for k in range(20))
    assert len(related) > fastyaml.MAX_SHAPE
    head = 'title: "T"\nrelated:\n'
    fastyaml._SHAPES.clear()
    assert same_as_pyyaml(head + related)
    assert all(len(shape) <= fastyaml.MAX_SHAPE for shape in fastyaml._SHAPES)
    with no_walk():
        brief = fast_load(head + related.replace("t1", "other"), articles.SUMMARY_FIELDS)
    assert brief == {"title": "T", "related": UNBUILT}
    bad = related.replace("  url: https://x.example/t3\n", "  url: https://x.example/t3: x\n")
    assert not same_as_pyyaml(head + bad)
    odd = related.replace("  url: https://x.example/t3\n", "  url: 'it''s'\n")
    assert same_as_pyyaml(head + odd)
    fastyaml._SHAPES.clear()
    huge = "- " + "  ".join(f"k{k}: x\n" for k in range(600))  # (a shape as long)
    assert len(fastyaml._shape(huge, True) or "") > fastyaml.MAX_SHAPE
    assert same_as_pyyaml(head + huge + huge)
    assert not fastyaml._SHAPES
    assert not same_as_pyyaml(head + huge + huge.replace("k7: x", "k7: x: y"))


#: Nested blocks in the flow style (``yaml.dump(default_flow_style=None)``): a mapping
#: of scalars on one line, and one wrapped over lines (at a comma, or inside a plain
#: text), as an item and as a key's value.
FLOW_BLOCK = (
    "related:\n- title: {title}\n  provider: {{name: {name}, domain: x.example}}\n  images:\n"
    "  - {{url: '{url}', width: {width}, height: 50, title: {caption}}}\n"
    '- title: b\n  images:\n  - {{url: "https://x.example/b.png",{wrap}width: 5}}\n'
)


def test_flow_mappings_as_yaml_dump_writes_them_are_known_by_their_shapes() -> None:
    """Flow mappings of scalars are masked apart: their keys kept, their scalars masked,
    each on one line however it was wrapped (two blocks that differ in their values and
    in where their mappings wrap share a shape), so that a summary takes a block of
    them by its shape, without walking it."""
    one = FLOW_BLOCK.format(title="a", name="CNET", url="https://x.example/a.png", width=5,
                            caption="short", wrap=" ")  # fmt: skip
    two = FLOW_BLOCK.format(title="c d", name="Le Monde", url="https://y.example/it''s.png",
                            width=-4, caption="a long title\n      wrapped over lines",
                            wrap="\n      ")  # fmt: skip
    masked = [fastyaml._flow_masked(text.split("\n", 1)[1], True) for text in (one, two)]
    assert None not in masked, masked
    assert "  - \4{url: \3, width: \3, height: \3, title: \3}\n" in masked[0]
    assert "provider: \4{name: \3, domain: \3}\n" in masked[1]
    shapes = [fastyaml._shape(text, True) for text in masked if text is not None]
    assert shapes[0] is not None and shapes[0] == shapes[1], shapes
    fastyaml._SHAPES.clear()
    assert same_as_pyyaml(f'title: "T"\n{one}')
    with no_walk():
        brief = fast_load(f'title: "T"\n{two}', articles.SUMMARY_FIELDS)
    assert brief == {"title": "T", "related": UNBUILT}
    assert same_as_pyyaml(f'title: "T"\n{two}')


@pytest.mark.parametrize(
    "block",
    [
        "- {a: 1}\n- [b, c]\n",  # a flow sequence (text, after a dash under a plain text)
        "- k: 1\n  {a: 1}\n",  # neither a dash nor a key before it
        "- {a: 1,\nb: 2}\n",  # a line under it not deeper than its dash
        "- k: {a: 1,\n  b: 2}\n",  # ... nor than its key
        "- k: {a: x\\\n    y}\n",  # a backslash the walk takes for an escaped line break
        "- {a: x,\n    - b}\n",  # a line that starts with an item's dash
        "- {a: x y: z}\n",  # ": " in a plain scalar
        "- {a: x #y}\n",  # a comment
        "- {a: x?y}\n",  # "?" (PyYAML's pure reader ends a plain scalar at it)
        "- {a:  x}\n",  # two spaces after a colon
        "- {a: 'x' , b: y}\n",  # a space before a comma
        "- {'a': x}\n",  # a quoted key
    ],
)
def test_flow_mappings_outside_the_masks_leave_their_blocks_to_the_walk(block: str) -> None:
    """A flow collection the masks do not take whole leaves the block without a shape
    (None): it is walked."""
    assert fastyaml._flow_masked(block, True) is None


def test_a_wrapped_flow_mapping_is_masked_only_where_the_block_folds() -> None:
    """The walk reads a flow mapping wrapped over lines only in a block that may fold
    (:func:`fastyaml._folds`); elsewhere it leaves the block to PyYAML, and so must the
    masks."""
    assert fastyaml._flow_masked("- {a: x,\n    b: y}\n", False) is None
    assert fastyaml._flow_masked("- {a: x,\n    b: y}\n", True) == "- \4{a: \3, b: \3}\n"
    assert fastyaml._flow_masked("- {a: x, b: y}\n", False) == "- \4{a: \3, b: \3}\n"


#: Flow mappings whose shape is learned from the first value, then given each other:
#: values the masks take (a quoted comma or colon, a wrapped text) and values they do
#: not, or lines that look like flow mappings where the walk reads text.
FLOW_TEMPLATES = [
    "related:\n- provider: {{name: {v}, domain: x}}\n  quality: 5\n",
    "related:\n- images:\n  - {{url: 'https://x.com/a.png', width: 5, title: a\n      {v}}}\n",
    "related:\n- images:\n  - {{url: 'https://x.com/a.png',\n    title: {v}}}\n  quality: 1\n",
    "related:\n- title: abc\n    - {{a: {v}}}\n  url: x\n",  # a line of a text over lines
    "related:\n- title: 'abc\n    - {{a: {v}}}\n    def'\n  url: x\n",  # a line in quotes
    'related:\n- title: "abc\n    k: {{a: {v}}}\n    def"\n  url: x\n',
]
FLOW_VALUES = ["x", "'a, b'", "'a: b'", "'it''s'", '"a\\"b"', "a: b", "a #b", "a, b", "'a'b'",
               "a\n      b", "a\n    b", "a\n  b", "a\\\n      b", "a\n      - b", "'a\n      b'",
               "a\n      #b", "a\n      b: c", "12", "-4", "0.5", "yes", "~", "2024-01-01", "*a",
               "&a b", "!b", "a}\n    x: {y: 1", "'a'}\n  - {b: 'c"]  # fmt: skip


@pytest.mark.parametrize("template", FLOW_TEMPLATES)
@pytest.mark.parametrize("value", FLOW_VALUES)
def test_a_block_of_flow_mappings_is_judged_alike_whatever_its_shape_held(
    template: str, value: str
) -> None:
    """Once the shape of a block of flow mappings is known, every block judged as
    PyYAML judges it."""
    fastyaml._SHAPES.clear()
    same_as_pyyaml('title: "T"\n' + template.format(v="x"))
    same_as_pyyaml('title: "T"\n' + template.format(v=value))


def test_a_key_and_value_inside_an_open_quote_are_text_to_the_shape_too() -> None:
    """Under a quote left open, ``x y: it's`` is text, and its quote closes the quote:
    no mask may stand for it (a valid block's shape once let through an invalid one)."""
    head = 'title: "T"\nrelated:\n- title: \'abc\n'
    valid = head + "    x y: it''s fine\n    end'\n  url: https://x.com/a\n"
    invalid = head + "    x y: its fine'\n    end'\n  url: https://x.com/a\n"
    fastyaml._SHAPES.clear()
    assert same_as_pyyaml(valid)
    assert not same_as_pyyaml(invalid)
    assert fast_load(invalid, articles.SUMMARY_FIELDS) is None


#: Single-quoted texts wrapped over lines: lines that would be a comment, an item, a
#: key or a document marker outside quotes; spaces around line breaks and before the
#: closing quote; a blank line; lines not under the key; inside other texts.
WRAPPED_SINGLE = [
    ("excerpt: 'a b\n  #1 c'\n", True),
    ("excerpt: 'a b\n  - c\n  d: e'\n", True),
    ("excerpt: '\n  abc'\n", True),
    ("excerpt: 'abc   \n  def  \n  ghi '\n", True),
    ("excerpt: 'abc\n  ---\n  def'\n", True),
    ("excerpt: 'it''s\n  ''quoted'' #1\n  end'''\n", True),
    ("related:\n- title: 'abc\n    #1 def'\n  url: x\n", True),
    ("- k: 'a\n    b'\n", True),
    ("excerpt:   'a\n    b'\n", True),
    ("title: \"abc\n  x: 'y\n  z'\"\n", True),
    ("title: \"abc\\\n  x: 'y\n  z'\"\n", True),
    ("excerpt: 'a\n  b\\\n  c'\n", True),
    ("title: \"abc\n  x: 'y\\\n    z'\n  end\"\n", True),
    ("excerpt: 'abc\n\n  def'\n", False),
    ("related:\n- title: 'abc\n  #1 def'\n", False),
    ("title: abc\n  x: 'y\n  z'\n", False),
    ("excerpt: 'a\n  b' # c\n", False),
    ("excerpt: 'a\n  b'' c\n  d'\n  e'\n", False),
]


@pytest.mark.parametrize(("block", "fast"), WRAPPED_SINGLE)
def test_single_quoted_texts_wrapped_over_lines_are_read_as_pyyaml_reads_them(
    block: str, fast: bool
) -> None:
    """Inside quotes every line is text, folded as PyYAML folds it; where it may not be
    one text, PyYAML judges. The same under a key of a nested block, its shape learned."""
    assert same_as_pyyaml(block) is fast
    nested = 'title: "T"\nrelated:\n- x: 1\n  ' + block.rstrip("\n").replace("\n", "\n  ") + "\n"
    fastyaml._SHAPES.clear()
    same_as_pyyaml(nested)
    same_as_pyyaml(nested)


def test_duplicate_keys_in_a_nested_block_are_found_after_its_shape_is_known() -> None:
    good = 'title: "T"\nrelated:\n  - title: "x"\n    when: 2020-01-28T00:00:00Z\n'
    assert fast_load(good, articles.SUMMARY_FIELDS) == {"title": "T", "related": UNBUILT}
    dup = good + '    title: "again"\n'
    assert fast_load(dup, articles.SUMMARY_FIELDS) is None and fast_load(dup) is None


class Reading(dict[str, Any]):
    """A mapping that notes every key read from it."""

    read: set[str]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def test_a_summary_reads_only_the_summary_fields(corpus: Path) -> None:
    read: set[str] = set()
    for folder in (corpus, ROOT / "content", SEEDS):
        for _, block in blocks(folder):
            mapping = Reading(fast_load(block) or {})
            with contextlib.suppress(articles.FieldError):
                articles.build_summary("x.txt", mapping, UTC, "digest")
            read |= mapping.read
    assert read <= articles.SUMMARY_FIELDS, read - articles.SUMMARY_FIELDS
    assert {"publishedDateTime", "topics", "webUrl"} <= read


# ------------------------------------------------------------------ clean_text


def cleaned_with(name: str, pattern: str, value: str, **kw: Any) -> str:
    """clean_text with the module's regex ``name`` replaced by ``pattern``."""
    saved = getattr(sanitize, name)
    setattr(sanitize, name, re.compile(pattern))
    try:
        return clean_text(value, **kw)
    finally:
        setattr(sanitize, name, saved)


def ftfy_always(value: str, **kw: Any) -> str:
    return cleaned_with("_FTFY_MAY_CHANGE", "[\\x80-\\U0010ffff]", value, **kw)


def every_step(value: str, **kw: Any) -> str:
    """clean_text without the shortcut for a single line that is clean already."""
    return cleaned_with("_CLEAN_LINE", "(?!)", value, **kw)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


@pytest.fixture(scope="module")
def texts(corpus: Path) -> list[str]:
    """Every text of the benchmark corpus, the sample content, the seeds, the hostile files."""
    return [t for folder in (corpus, ROOT / "content", SEEDS, DATA / "hostile")
            for _, block in blocks(folder) for t in strings(fast_load(block) or {})]  # fmt: skip


def test_skipping_ftfy_changes_nothing_on_real_and_generated_text(texts: list[str]) -> None:
    assert len(texts) > 20_000
    for t in texts:
        assert clean_text(t) == ftfy_always(t), t


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.lists(st.sampled_from(["Itâ€™s", "Ã©", "Â ", "ΓÇÖ", "â€", "’", "東京", "Zürich", "\x1b[31m", "\x9b31m", "\u200b",
                                   "\ufeff", "\U000e0041", "a", " ", "\x85", "Ã", "\xa0", "東", "é", "データ", "한", "e\u0301", "”",
                                   "Größe", "новых", "Ð½Ð¾", "Р В»", "вЂ™", "μέτρα", "Ξ¼Ξ", "\n", "«", "€", "Ø", "ў"]),
                  max_size=8).map("".join))  # fmt: skip
def test_skipping_ftfy_changes_nothing_on_generated_text(text: str) -> None:
    assert clean_text(text) == ftfy_always(text)


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "7", " ", "\xa0", "\x1b", "\x9b", "[", "31", "m", ";", "&", "&amp;",
                              "&#27;", "&#x1b;", "&nbsp;", "é", "東京", "\u200b", "\x85", "\t",
                              "\x00", "Ã©", "<b>", "&amp", "&notit;", "&#x", "&#1", "x;", "#"]),
             max_size=8).map("".join),
    st.sampled_from(["title", "excerpt"]),
)  # fmt: skip
@example("\xa0\x1b[31m", "title")  # ftfy removes the escape with its digits and letter
@example("é\x1b[1;2m", "excerpt")
@example("\xa0\x9b31m", "title")  # and so is one written with the C1 CSI
@example("\x9b31m", "title")
@example("&#27;[31m", "title")  # (html.unescape gives nothing for the escape)
@example("&#27;&#x1b; &#1;", "title")  # references only, which give nothing
@example("It\u00e2\u20ac\u2122s At&amp;t", "title")  # mojibake beside a reference
def test_has_text_is_whether_the_cleaned_text_is_empty(text: str, key: str) -> None:
    """The shortcut of the check that an article has a title or an excerpt answers as
    cleaning the text does."""
    single = key == "title"
    limit = articles.MAX_TITLE if single else articles.MAX_EXCERPT
    assert articles._has_text({key: text}, key, single_line=single, limit=limit) == bool(
        clean_text(text, single_line=single, limit=limit)
    )


#: Text as news sites in other languages write it: letters outside ASCII side by side
#: in most words (which may be mojibake, so ftfy's own test is asked), typography of
#: each language, and a few lines.
WORLD = [
    "Größere Straßenbahnen für Köln: „Die Stadt plant neue Linien“",
    "Правительство объявило о новых мерах поддержки экономики",
    "Ценности «свободы» — это «главное», сказал он: 100 € или 200 ₽",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης: «Καλημέρα» — είπε. Ούτε;",
    "Współpraca między państwami Unii Europejskiej się zacieśnia",
    "Żółć gęślą jaźń; „Cytat” – powiedział.",
    "Čeština: příliš žluťoučký kůň úpěl ďábelské ódy",
    "Türkiye'nin ekonomik büyümesi beklentileri aştı; işsizlik düştü",
    "Phở và bánh mì là những món ăn nổi tiếng của Việt Nam",
    "Français : « Très bien », dit-il — où est-ce ? L’été à Paris ; Ça va. ÉCOLE",
    "Українська: ґанок, їжак, є. Беларуская: ў. Српски: Ђорђе",
    "Magyar: árvíztűrő tükörfúrógép; Ő és Ű",
    "Íslenska: Þetta er ðað; Dansk: Øre og Ål",
    "החברה הודיעה על השקת מוצר חדש בשוק האירופי",
    "أعلنت الحكومة عن إجراءات جديدة لدعم الاقتصاد",
    "Română: științele și țara; Latviešu: ģērbšanās",
    "Первая строка\nВторая строка — «цитата»\nΤρίτη γραμμή",
    "Größe\n\nÜber uns: Straße\n",
    "Ι\u0301ταλία και Café\u0301 — composed by NFC",
    "L’œuvre de ma sœur; Œdipe. São Paulo: Ângela e Ãngulo",
]

#: The code pages mojibake comes from (ftfy repairs them all).
CODECS = ["cp1252", "latin-1", "mac_roman", "cp437", "cp1251", "cp1253", "cp1250", "cp1254",
          "cp1257", "iso8859_2"]  # fmt: skip


@pytest.mark.parametrize("single_line", [False, True])
def test_text_in_other_languages_and_its_mojibake_is_cleaned_as_ftfy_cleans_it(
    single_line: bool,
) -> None:
    """Clean text as it is, and the same text garbled through each code page that ftfy
    repairs, come out as ftfy gives them (the fast path asks ftfy's own test)."""
    garbled = [_mojibake(t, codec) for t in WORLD for codec in CODECS]
    garbled.append("Preis: E\u0301± 5")  # mojibake only once composed: "É±" is "ɱ" as Latin-1
    garbled.append("Bonjour!\nÃ la carte")  # mojibake only at a line's start, as ftfy reads it
    repaired = 0
    for t in WORLD + garbled:
        assert clean_text(t, single_line=single_line) == ftfy_always(t, single_line=single_line), t
        repaired += t in garbled and clean_text(t) != unicodedata.normalize("NFC", t)
    assert repaired > len(garbled) // 2  # (ftfy does repair them: the comparison means something)


def test_clean_text_in_other_languages_is_not_given_to_ftfy() -> None:
    """Text whose letters sit side by side outside ASCII, which is not mojibake to
    ftfy's test, is normalised without ``ftfy.fix_text``; mojibake still goes to it.
    In a fresh interpreter, with ``ftfy.fix_text`` wrapped before feedpub takes it."""
    script = """
import json, sys
import ftfy
given, fix_text = [], ftfy.fix_text
def counted(text, *args, **kwargs):
    given.append(text)
    return fix_text(text, *args, **kwargs)
ftfy.fix_text = counted
from feedpub.sanitize import clean_text
print(json.dumps([[clean_text(t) for t in json.loads(sys.stdin.read())], given]))
"""
    garbled = _mojibake(WORLD[1], "cp1251")
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps([*WORLD, garbled]),
                          capture_output=True, text=True, check=True)  # fmt: skip
    cleaned, given = json.loads(done.stdout)
    assert cleaned[:-1] == [unicodedata.normalize("NFC", t).strip() for t in WORLD]
    assert cleaned[-1] == WORLD[1]  # (repaired)
    assert given == [garbled]


def test_a_summary_of_a_title_with_references_needs_no_ftfy() -> None:
    """A Summary of an article whose title holds references and mojibake leaves ftfy
    unimported (40 ms a process: a reading worker never pays it), and the HTML
    recogniser too (a summary reads no HTML); the Article, which repairs the title,
    imports it. In a fresh interpreter, through the public loaders."""
    script = """
import sys
from datetime import UTC
from feedpub.articles import load_article, load_summary
data = open(sys.argv[1], "rb").read()
summary = load_summary("a.md", data, UTC, "d")
print("ftfy" in sys.modules, "feedpub.fasthtml" in sys.modules)
print(load_article("a.md", data, UTC).title)
"""
    seed = next(p for p in sorted(SEEDS.iterdir()) if b"publishedDateTime" in p.read_bytes())
    text = seed.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    mojibake = 'title: "It\u00e2\u20ac\u2122s At&amp;t"'
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.md"
        path.write_text(text.replace(title, mojibake, 1), encoding="utf-8")
        out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()  # fmt: skip
    assert out == ["False False", "It\u2019s At&t"]


def test_a_clean_line_is_what_every_step_gives_on_real_text(texts: list[str]) -> None:
    shortcut = 0
    for t in texts:
        for limit in (None, 80, 500):
            assert clean_text(t, single_line=True, limit=limit) == every_step(
                t, single_line=True, limit=limit
            ), t
        shortcut += bool(sanitize._CLEAN_LINE.match(t))
    assert shortcut > len(texts) // 4  # the shortcut is taken


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "  ", "\t", "\n", "<b>", "<", "&amp;", "&", "\x85", "\xa0",
                              "\u2028", "\u202f", "\u3000", "\x00", "\x7f", "\ufffe", "é", "e\u0301", "東京", "Ã©", "<!--",
                              "-->", "x" * 30]), max_size=10).map("".join),
    st.sampled_from([None, 1, 5, 40]),
)  # fmt: skip
def test_a_clean_line_is_what_every_step_gives_on_generated_text(text: str, limit: int) -> None:
    assert clean_text(text, single_line=True, limit=limit) == every_step(
        text, single_line=True, limit=limit
    )


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=30),
    st.sampled_from(["cp1252", "latin-1", "mac_roman", "cp437", "cp1251", "cp1253"]),
)
def test_skipping_ftfy_changes_nothing_on_real_mojibake(text: str, codec: str) -> None:
    bad = _mojibake(text, codec)
    assert clean_text(bad) == ftfy_always(bad)


#: Every character there is, once (surrogates too: a str may hold them).
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def test_the_classes_written_for_speed_take_exactly_their_characters() -> None:
    """The patterns of :mod:`feedpub.sanitize` written as a class with one range past
    U+FFFF and the exact class looked behind (re tests a set's characters past U+FFFF
    one by one) take the very characters of the plain class, and no other."""
    forbidden = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{sanitize.NONCHARACTERS}]"
    ftfy_fixes = ("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u206a-\u206f\ufff9-\ufffc"
                  "\ud800-\udfff\U0001d173-\U0001d17a\U000e0000-\U000e007f]")  # fmt: skip
    for fast, plain in ((sanitize._FORBIDDEN_IN_TEXT, forbidden),
                        (sanitize._FTFY_MAY_CHANGE, ftfy_fixes)):  # fmt: skip
        assert fast.findall(EVERY_CHARACTER) == re.compile(plain).findall(EVERY_CHARACTER)
    assert sanitize._FORBIDDEN_IN_TEXT.sub("", "a\x01b\U0001fffe\U0001f600c") == "ab\U0001f600c"


def test_a_clean_line_takes_no_character_the_steps_would_change() -> None:
    """:data:`feedpub.sanitize._CLEAN_LINE`'s words take none of the characters of the
    plain class they stand for (the forbidden, the breaking), and all the others but
    those from U+1FFFE on (whose texts are cleaned the long way)."""
    plain = re.compile(f"[^{sanitize._BREAKING}\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                       f"{sanitize.NONCHARACTERS}]")  # fmt: skip
    word = re.compile(sanitize._WORD_RUN.removesuffix("+"))
    taken, meant = set(word.findall(EVERY_CHARACTER)), set(plain.findall(EVERY_CHARACTER))
    assert taken <= meant
    assert {c for c in meant - taken if c < "\U0001fffe"} == set()


def test_the_mojibake_pattern_finds_what_its_branches_found() -> None:
    """:data:`feedpub.sanitize._MAY_BE_MOJIBAKE`, written as one character then a look
    back or one more, finds a text holding Œ, œ, Ã or Â, or two characters outside ASCII,
    kana, CJK and Hangul side by side, but for a pair with a common mark (’ – — ― …)
    not after Ø, Ù, В, Î or Ð: what its plain form found."""
    wide = "[^\x00-\x7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
    marks = "\u2013\u2014\u2015\u2019\u2026"
    narrow = f"[^\x00-\x7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af{marks}]"
    plain = re.compile(f"[\u0152\u0153\xc3\xc2]|[\xd8\xd9\u0412\xce\xd0]{wide}|{narrow}{{2}}")
    sample = ("a \x80\xc2\xc3\xe9\u0152\u0153\u2019\u3042\u4e00\uac00\ud7b0\U0001f600"
              "\u201d\u2026\u2014\xd8\u0412\xce")  # fmt: skip
    for a in sample:
        for b in sample:
            for text in (a + b, f"x{a}{b}", f"{a}{b}x", f"{a}x{b}"):
                assert bool(sanitize._MAY_BE_MOJIBAKE.search(text)) == bool(plain.search(text)), (
                    repr(text)
                )
    every = sanitize._MAY_BE_MOJIBAKE.findall(EVERY_CHARACTER)  # (one pair at a time)
    assert len(every) == len(plain.findall(EVERY_CHARACTER))


def test_the_common_marks_are_in_ftfy_patterns_only_after_a_few_letters() -> None:
    """Why :data:`feedpub.sanitize._MAY_BE_MOJIBAKE` passes a pair with ’ – — ― … in it
    (but after Ø, Ù, В, Î, Ð): in every branch of ftfy's mojibake pattern, the marks are
    taken by no first character, and by a character only right after one that can be
    nothing but Ø, Ù, В, Î, Ð, Œ, œ, Ã or Â (which the pattern finds as they are). So a
    text ftfy finds bad holds a pair the pattern finds, as before. (Its branches read
    with re's own parser, each character test compiled alone.)"""
    from ftfy.badness import BADNESS_RE

    parser, compiler = re._parser, re._compiler  # type: ignore[attr-defined]
    ((kind, (_, branches)),) = parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert kind is parser.BRANCH and len(branches) > 30
    marks = set(sanitize._COMMON_MARKS)
    before = set("\xd8\xd9\u0412\xce\xd0\u0152\u0153\xc3\xc2")
    looked_at = 0
    for branch in branches:
        for i, item in enumerate(branch):
            assert item[0] not in (parser.SUBPATTERN, parser.BRANCH)  # (flat: one char each)
            one = compiler.compile(parser.SubPattern(branch.state, [item]), BADNESS_RE.flags)
            if not any(one.fullmatch(m) for m in marks):
                continue
            looked_at += 1
            assert i > 0
            previous = branch[i - 1]
            assert previous[0] in (parser.IN, parser.LITERAL)  # (one character, not optional)
            takes = compiler.compile(parser.SubPattern(branch.state, [previous]), BADNESS_RE.flags)
            assert set(takes.findall(EVERY_CHARACTER)) <= before
    assert looked_at >= 4


def every_search(value: str, **kw: Any) -> str:
    """clean_text looking for each kind of character the long way, one by one."""
    return cleaned_with("_ODD", "[\\x00-\\U0010ffff]", value, **kw)


def test_one_search_for_the_odd_characters_changes_nothing_on_real_text(texts: list[str]) -> None:
    skipped = 0
    for t in texts:
        for kw in ({}, {"single_line": True, "limit": 80}, {"markup": True}):
            assert clean_text(t, **kw) == every_search(t, **kw), t  # type: ignore[arg-type]
        skipped += not sanitize._ODD.search(t)
    assert skipped > len(texts) // 2  # the one search finds none in most


@settings(max_examples=800, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
    | st.lists(st.sampled_from(["a", " ", "\n", "\r", "\t", "\x0b", "\x1c", "\x1b[31m", "\x1b", "\x85",
                                "\u2028", "\u2029", "\u202e", "\u2066", "\u2069", "\u202c", "\ufeff",
                                "\ufffe", "\U0001fffe", "\U0001d173", "\U000e0041", "\ud800", "\x00",
                                "\x9b", "é", "e\u0301", "Ã©", "東京", "\u200b", "&#11;", "&#x202e;",
                                "&#55357;&#56832;", "&amp;", "\U0001f600", "\ufdd0"]),
               max_size=8).map("".join),
    st.sampled_from([{}, {"single_line": True}, {"single_line": True, "limit": 5}, {"markup": True}]),
)  # fmt: skip
def test_one_search_for_the_odd_characters_changes_nothing_on_generated_text(
    text: str, kw: dict[str, Any]
) -> None:
    assert clean_text(text, **kw) == every_search(text, **kw)


def test_the_odd_characters_are_those_the_steps_look_for() -> None:
    """:data:`feedpub.sanitize._ODD` takes exactly the characters of the classes and the
    tests it stands for: a text it finds none in passes every one of them."""
    steps = [sanitize._SEPARATORS, re.compile("[\\x1b\\u2028\\u2029]"), sanitize._FTFY_MAY_CHANGE,
             sanitize._BIDI, sanitize._FORBIDDEN_IN_TEXT]  # fmt: skip
    union = {c for step in steps for c in step.findall(EVERY_CHARACTER)}
    assert set(sanitize._ODD.findall(EVERY_CHARACTER)) == union


def test_no_reference_has_a_name_of_one_character() -> None:
    """:func:`feedpub.sanitize.unescape_attribute` passes a text whose each "&" has one
    character a name may hold after it, or none (``R&D``): no name is so short."""
    from html.entities import html5

    assert min(len(name.rstrip(";")) for name in html5) >= 2


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(["&", "&#", "#", ";", " ", "\t", "\n", "\f", "<", "a", "D", "t", "T",
                              "1", "x", "=", "amp", "lt", "gt", "copy", "sect", "not", "é", "É",
                              "&amp;", "&#38;", "&#x26;", "&T;", "&D ", "R&D", "AT&T"]),
             max_size=10).map("".join)
)  # fmt: skip
def test_unescaping_only_where_a_reference_may_begin_changes_nothing(text: str) -> None:
    decoded = sanitize._REFERENCE.sub(sanitize._attribute_reference, text)
    assert sanitize.unescape_attribute(text) == decoded


# ------------------------------------------------------------------ is_absolute


#: What an absolute http(s) URL is, the long way (split, a host, no space around),
#: which the shortcut of :func:`feedpub.sanitize.is_absolute` must agree with.
absolute_by_splitting = sanitize._is_absolute.__wrapped__


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "https:/", "ftp://", " https://", ""]),
    st.text(alphabet="aZ09.-:@[]é\u2100\uff0f", max_size=12),
    st.text(alphabet="/?#&=%;:@!$'()*+,~-._ aZ09é<>\"[]{}|\\^`\t\n\x01\x1f\x85\u3000", max_size=20),
)
def test_the_absolute_url_shortcut_agrees_with_splitting(scheme: str, host: str, rest: str) -> None:
    """:func:`is_absolute` takes most URLs without ``urlsplit``: never another answer."""
    url = scheme + host + rest
    assert sanitize.is_absolute(url) == absolute_by_splitting(url), url


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "tag:", "urn:uuid:", "h1+.-:", "1http:", ":", ""]),
    st.text(alphabet="aZ09.-:@[]é\u2100\uff0f", max_size=12),
    st.text(alphabet="/?#&=%;:@!$'()*+,~-._ aZ09é<>\"[]{}|\\^`\t\n\x01\x1f\x85\u3000", max_size=20),
)
def test_the_scheme_shortcut_agrees_with_splitting(scheme: str, host: str, rest: str) -> None:
    """:func:`has_scheme` takes an id of the plain absolute form without ``urlsplit``:
    never another answer."""
    iri = scheme + host + rest
    assert sanitize.has_scheme(iri) == sanitize._has_scheme.__wrapped__(iri), iri


def test_the_absolute_url_shortcut_agrees_on_every_url_of_the_corpora(corpus: Path) -> None:
    urls = [t for folder in (corpus, ROOT / "content", SEEDS, DATA / "hostile")
            for _, block in blocks(folder) for t in strings(fast_load(block) or {}) if ":" in t]  # fmt: skip
    assert len(urls) > 1000
    odd = ["http://", "http://[", "http://x]/", "https://a\u2100b/", "https://a.com/x ",
           "https://a.com/x\n", "https://a.com/\u3000", "https://a.com/ x", "HTTPS://a.com/"]  # fmt: skip
    for u in [*urls, None, "", *odd]:
        assert sanitize.is_absolute(u) == absolute_by_splitting(u), u


# ------------------------------------------------------------------ clean_url


def test_plain_urls_are_what_full_cleaning_gives(corpus: Path) -> None:
    urls = [t for folder in (corpus, ROOT / "content", SEEDS, DATA / "hostile")
            for _, block in blocks(folder) for t in strings(fast_load(block) or {}) if "://" in t]  # fmt: skip
    fast = [u for u in urls if sanitize._PLAIN_URL.match(u)]
    assert len(fast) > 0.5 * len(urls) > 1000
    for u in urls:
        assert sanitize.clean_url(u) == sanitize._clean_url(u), u


@pytest.mark.parametrize(
    "query",
    ["w=1200&h=630", "a=1&amp=2", "a=1&sect=2", "a=1&notin=3", "a=1&AMP=4", "a=1&amp;b=2",
     "a=1&#038;b=2", "a=1&#38b=2", "a=1&amp", "a=1&copy", "a=1&copy2", "a=1&=2", "a=1&&b=2",
     "a=1&amp;amp;b=2", "a=1&#038;amp;b=2", "a=1&lt;b=2", "a=1&ltb=2", "a=1&lt=2", "a=1&#x26;",
     f"a=1&{'x' * 40}=2", f"a=1&{'amp' * 12}=2", "a=1&amp/b=2", "a=1&amp.b", "a=1&amp;%41"],
)  # fmt: skip
def test_a_url_with_an_ampersand_is_what_full_cleaning_gives(query: str) -> None:
    """A query's "&" before a name and "=" stays as written, the others are decoded as
    references first: the shortcut gives what the long way gives."""
    for url in (f"https://e.com/a?{query}", f"https://e.com/{query}", f"https://e.com/a?b#{query}"):
        assert sanitize.clean_url(url) == sanitize._clean_url(url), url


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTPS://", "https:/", ""]),
    st.from_regex(r"[a-zA-Z0-9.-]{0,12}(:[0-9]{0,6})?", fullmatch=True),
    st.text(alphabet="/?#&=%;:@!$'()*+,~-._ aZ09é<>\"[]{}|\\^`", max_size=20),
)
def test_plain_url_shortcut_agrees_with_full_cleaning(scheme: str, host: str, rest: str) -> None:
    url = scheme + host + rest
    assert sanitize.clean_url(url) == sanitize._clean_url(url)


# ------------------------------------------------------------------ summaries


def test_summary_is_the_article_in_brief_and_rejects_the_same(corpus: Path) -> None:
    checked = rejected = drafts = 0
    for folder in (corpus, ROOT / "content", SEEDS, DATA / "hostile"):
        for path in sorted(folder.rglob("*.txt")):
            data = path.read_bytes()
            try:
                a = articles.load_article(path.name, data, UTC)
            except ArticleError as e:
                if draft_of(path.name, data, e) is not None:
                    drafts += 1
                    continue
                with pytest.raises(ArticleError) as caught:
                    articles.load_summary(path.name, data, UTC, "digest")
                assert (caught.value.line, caught.value.message) == (e.line, e.message)
                rejected += 1
                continue
            summary = articles.load_summary(path.name, data, UTC, "digest")
            assert summary == Summary(
                a.path, a.url, a.published, a.published_at, a.topics, a.quality, "digest"
            )
            checked += 1
    assert checked > 2000 and rejected > 10 and drafts > 0


# ------------------------------------------------------------------ the closing line


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "--", "-", " ", "\t", "\n", "x", "a: b", "\r", "----",
                                 "...", "..", "."]),
                max_size=20).map("".join))  # fmt: skip
def test_closing_line_is_where_the_regex_finds_it(rest: str) -> None:
    """The first ``---`` or ``...`` line (Jekyll's closing lines)."""
    found = re.search(r"^(---|\.\.\.)[ \t]*$", rest, re.M)
    assert articles.closing_line(rest) == (found.start() if found else None)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "--- ", "-", " ", "\t", "\n", "x", "a: b", "\r", "...",
                                 "é"]),
                max_size=14).map("".join), st.booleans())  # fmt: skip
def test_the_front_matter_is_the_text_between_its_lines(text: str, dots: bool) -> None:
    """split_front_matter (which looks in the text from its second line, not in a copy of
    it) gives the lines after the first, ``---``, up to the closing line."""
    first, _, rest = text.partition("\n")
    end = articles.closing_line(rest, dots)
    try:
        block = split_front_matter(text, dots)
    except ValueError as e:
        assert text.isspace() or not text or first.rstrip() != "---" or end is None, e
    else:
        assert first.rstrip() == "---" and end is not None
        assert block == (rest[:end], 1)


WRAPPED = {
    "title": "Microsoft builds a supercomputer for OpenAI, one of the five fastest, in Iowa",
    "excerpt": "Microsoft has built one of the five fastest supercomputers in the world, "
    "for OpenAI, the company says; it has 285,000 CPU cores, 10,000 GPUs [and more].",
    "publishedDateTime": "2020-05-20T13:59:00Z",
    "webUrl": "https://www.example.com/news/2020/05/20/microsoft-builds-a-supercomputer/",
    "published": True,
    "topics": ["Azure", "AI, and machine learning"],
    "related": [
        {
            "title": "A long related title that goes on, and on, past eighty columns of text",
            "webUrl": "https://example.org/r",
        }
    ],
}


@pytest.mark.parametrize("width", [40, 80, 10**6])
def test_what_yaml_dump_writes_takes_the_fast_path(width: int) -> None:
    """Front matter written by ``yaml.safe_dump`` (texts with commas, wrapped at
    ``width`` columns, sequences not indented) is read without PyYAML, alike."""
    block = yaml.safe_dump(WRAPPED, sort_keys=False, allow_unicode=True, width=width)
    assert same_as_pyyaml(block), block
    summary_fields = fast_load(block, articles.SUMMARY_FIELDS)
    assert summary_fields is not None and summary_fields["title"] == WRAPPED["title"]


#: Words of news text that make ``yaml.safe_dump`` (with ``allow_unicode``) quote a text
#: or wrap it with lines that start with an indicator: quotes, a colon, brackets, "#".
NEWS_WORDS = [
    "Zürich’s", "“new”", "café", "—", "…", "it's", "'quoted'", '"said"', "Update:", "3<5",
    "[video]", "{x}", "*star*", "&", "#1", "R&D", "50%", "@home", "!", "?", "|", ">", "-",
    "yes", "null", "12:30", "1e3", "データ", "naïve", "résumé", "(AP)", "$5", "«x»",
]  # fmt: skip
news_texts = st.lists(st.sampled_from(NEWS_WORDS), min_size=1, max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(news_texts, news_texts, st.lists(news_texts, max_size=3), st.sampled_from([40, 80]),
       st.sampled_from([False, None]))  # fmt: skip
def test_fast_yaml_matches_pyyaml_on_unicode_dumps_of_news_text(
    title: str, excerpt: str, topics: list[str], width: int, flow: bool | None
) -> None:
    """As a generator writes front matter with ``yaml.safe_dump(..., allow_unicode=True)``
    (block or flow style): single-quoted texts wrapped over lines, plain texts whose
    lines start with quotes or brackets, flow lists of quoted topics. Read alike."""
    doc = WRAPPED | {
        "title": title,
        "excerpt": excerpt,
        "topics": topics,
        "related": [{"title": excerpt, "excerpt": title, "webUrl": "https://x.com/a"}],
    }
    block = yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=width, default_flow_style=flow
    )
    same_as_pyyaml(block)


@pytest.mark.parametrize("flow", [False, None])
def test_unicode_dumps_of_news_text_take_the_fast_path(flow: bool | None) -> None:
    """Texts that yaml.safe_dump single-quotes and wraps (a ": " in them), plain texts
    wrapped before a quote, a bracket or a dash, topics quoted in a flow list: none
    needs PyYAML (a corpus so written went to PyYAML for most of its files)."""
    quoted = "“Zürich’s café” — update: it's 3<5 at the R&D lab, #1 " * 3
    plain = "Zürich’s café is “new” — naïve R&D 50% more " * 2 + '"said" [video] — *star* ' * 3
    doc = WRAPPED | {
        "title": quoted[:90],
        "excerpt": plain,
        "topics": ["Zürich: news", "it's", "[video]", "café"],
        "related": [
            {"title": plain, "excerpt": quoted, "webUrl": "https://x.com/a"},
            {"title": quoted, "excerpt": plain, "webUrl": "https://x.com/b"},
        ],
    }
    block = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=flow)
    assert "'\n" in block or "''" in block, block  # (single quotes, wrapped)
    assert same_as_pyyaml(block), block
    fastyaml._SHAPES.clear()
    assert fast_load(block, articles.SUMMARY_FIELDS) is not None
    assert fast_load(block, articles.SUMMARY_FIELDS) is not None  # (its shapes known)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_fast_yaml_matches_pyyaml_on_flow_sequences(doc: dict[str, Any]) -> None:
    """Lists of scalars as yaml.dump writes them with default_flow_style=None: [a, b]."""
    try:
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=None)
    except yaml.YAMLError:
        return
    same_as_pyyaml(text)


def test_a_flow_list_of_topics_takes_the_fast_path() -> None:
    block = 'title: "T"\ntopics: [AI, Open Source, "Économie", 2024]\ntags: []\n'
    assert same_as_pyyaml(block)
    assert fast_load(block, articles.SUMMARY_FIELDS) == fast_load(block)


@pytest.mark.parametrize(
    "block",
    [
        # escapes, and quoted texts over lines (yaml.dump's default: no unicode, 80 columns)
        'a: "x\\xE9y \\u2019 \\U0001F680"\n',
        'a: "\\uD800"\n',
        'a: "\\U00110000"\n',
        'a: "x\\0\\a\\b\\e\\N\\_\\L\\P\\/ \\" \\v\\f\\r\\t"\n',
        'a: "\\q"\n',
        'a: "\\x4"\n',
        "a: 'x''\n",
        "a: '''x'''\n",
        "a: 'x '' y'\n",
        'a: "one\\\n  \\ two"\nb: 1\n',
        'a: "one\n  two"\n',
        'a: "one\\\\\n  two"\n',
        'a: "one\\\n  two\\\n  \\ three"\n',
        "a: 'one\n  two'\n",
        "a: 'one\n  two''s'\n",
        'a: "one\n  - two"\n',
        'a: "one\n  two: x"\n',
        'a: "one\n  "\n',
        'a: "one" x\n  y\n',
        "a:\n- 'one\n  two'\n- \"x\\\n  \\ y\"\n",
        "a: [x,\n  y]\n",
        # an escaped space at a line's end, then a line break that folds to a space
        'a: "abc\\ \n  next"\nb: 1\n',
        'x:\n- "abc\\  \n  next"\n',
    ],
)
def test_fast_yaml_defers_or_agrees_on_escapes_and_quoted_lines(block: str) -> None:
    same_as_pyyaml(block)


#: Flow collections of scalars, as yaml.dump writes them with default_flow_style=None.
FLOW_FORMS = [
    "a: {url: 'https://x.com/a.png', width: 50, height: 50}\n",
    "a:\n- {url: 'https://x.com/a.png',\n    width: 50, height: 50}\n- {}\n",
    "a: {title: \"caf\\xE9 \\u2019s\", n: 'it''s', m: plain text, o: -1}\n",
    'a:\n- {t: "one \\u2018two\\u2019\\\n    \\ three", u: 1}\n',
    "a: { k: v ,  l: w }\n",
    "a: [x,\n  y]\n",
]


@pytest.mark.parametrize("block", FLOW_FORMS)
def test_flow_mappings_of_scalars_take_the_fast_path(block: str) -> None:
    assert same_as_pyyaml(block), block


@pytest.mark.parametrize(
    "block",
    [
        # what is PyYAML's to judge
        "a: {k: 1, k: 2}\n",
        "a: {k: }\n",
        "a: {k}\n",
        'a: {"k": 1}\n',
        "a: {k: [1]}\n",
        "a: {k: {l: 1}}\n",
        "a: {k: v,}\n",
        "a: {k: http://x.com}\n",
        "a: {k: v #c}\n",
        "a: {on: 1}\n",
        "a: {k: *x}\n",
        "a: {k: !t v}\n",
        "a: {k: 'x}\n",
        "a: {k: v, }\n",
        "a: {k: 'one\n    two:  three', u: 1}\n",
        "a: {k: 'one,\n    two:  three'}\n",
        "a: {k: v,\n    - l}\n",
        "a: {k: v,\n    l:\n    w}\n",
        'a: [x, "y\\\n  z"]\n',
        "a: {k: v\\\n    w}\n",
        "a: {k: 2024-02-30T00:00:00Z}\n",
        "a: {k: 2024-02-28T00:00:00Z}\n",
    ],
)
def test_fast_yaml_defers_or_agrees_on_flow_mappings(block: str) -> None:
    same_as_pyyaml(block)


block_lines = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from([2, 2, 2, 2, 3, 1, 4]),  # the indent, mostly alike
            st.lists(st.sampled_from(["a", "b", " ", "#", ": ", "- ", '"', "'", "\\", "é", "\u2019", "---", "|", ">", "{", "["]), max_size=6).map("".join),
        ),
        st.just((0, "")),  # an empty line
    ),
    min_size=0,
    max_size=5,
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(
    st.sampled_from(["|", "|-", ">", ">-", "|+", ">2", "> # c", ">- ", "|-\n"]),
    block_lines,
    st.sampled_from(["", "\n", "\n\n", "  more\n", "\n   more\n", " \n"]),
    st.sampled_from(["top", "nested", "item", "item and key"]),
)
def test_fast_yaml_defers_or_agrees_on_block_scalars(
    header: str, lines: list[tuple[int, str]], after: str, where: str
) -> None:
    """Block scalars (``excerpt: >-`` and its lines), their plainest kind read on the
    fast path: any mix of indents, empty lines, lines of spaces, spaces at an end,
    headers with indicators or comments, what looks like keys, dashes, comments or
    markers; after a key at the top, in a nested mapping, or in a sequence's item
    (``- e: >-``) followed by another item or by another key of the same item."""
    pad = "" if where == "top" else "  "
    key = f"{pad}- e" if where.startswith("item") else f"{pad}e"
    next_key = (
        f"{pad}  t" if where == "item and key" else f"{pad}- t" if where == "item" else f"{pad}t"
    )
    body = "".join(f"{pad}{' ' * n}{text}\n" if text or n else "\n" for n, text in lines)
    parent = "" if where == "top" else "a:\n"
    block = f"{parent}{key}: {header}\n{body}{after}{next_key}: x\n"
    same_as_pyyaml(block)


@pytest.mark.parametrize(
    "block",
    [
        'excerpt: >-\n  Microsoft has built "the fifth fastest"\n  supercomputer: \\o/\ntitle: T\n',
        "excerpt: |\n  one\n  # two\n\ntitle: T\n",
        "related:\n  - title: T\n    excerpt: >\n      x\n      y\n",
        # paragraphs: empty lines inside and after the text
        "excerpt: |\n  one\n  two\n\n  three\n\n\ntitle: T\n",
        "excerpt: >\n  one\n  two\n\n  three\n\n\n  four\ntitle: T\n",
        # after a sequence's dash, as js-yaml writes a long text in a list of mappings
        "related:\n- title: >-\n    one\n    two\n  excerpt: |-\n    x\n\n    y\n- title: T\n",
        "related:\n  - title: >-\n      one\n      two\n    type: article\n",
        # spaces after the header and at the end of lines (text, as to PyYAML), as an
        # editor leaves them
        "excerpt: >-  \n  one  \n  two\ntitle: T\n",
        "excerpt: |  \n  one \n\n  two  \ntitle: T\n",
        "related:\n- title: > \n    one \n\n    two\n  type: article\n",
    ],
)
def test_plain_block_scalars_take_the_fast_path(block: str) -> None:
    assert same_as_pyyaml(block), block


def test_a_line_of_spaces_after_a_block_scalar_is_pyyamls_to_judge() -> None:
    """Spaces past the indent on a line after the text are more text (found by fuzzing)."""
    block = "a:\n  e: |\n      x\n  \n       \n  t: x\n"
    assert not same_as_pyyaml(block)


def test_what_yaml_dump_writes_in_flow_style_takes_the_fast_path() -> None:
    """The seeds as ``yaml.safe_dump(default_flow_style=None)`` writes them (images and
    providers as one-line flow mappings, wrapped at 80 columns, texts escaped or not):
    every one read without PyYAML, alike; before, each went to PyYAML (a summary of
    the flow style: 673 us then, 179 us now)."""
    for path in sorted(SEEDS.glob("*.txt")):
        doc = pyyaml(split_front_matter(path.read_text(encoding="utf-8"))[0])
        for unicode in (True, False):
            block = yaml.safe_dump(doc, default_flow_style=None, allow_unicode=unicode)
            assert "{" in block
            assert same_as_pyyaml(block), (path.name, block[:300])


@settings(max_examples=200, deadline=None)
@given(documents, st.sampled_from([30, 80]))
def test_fast_yaml_matches_pyyaml_on_default_dumps(doc: dict[str, Any], width: int) -> None:
    """As yaml.dump writes by default: non-ASCII escaped in double quotes, texts wrapped."""
    try:
        text = yaml.safe_dump(doc, width=width)
    except yaml.YAMLError:
        return
    same_as_pyyaml(text)


def test_escaped_and_wrapped_quoted_texts_take_the_fast_path() -> None:
    title = "Zürich’s “new” café — an ‘example’, it's long: enough to wrap twice over, yes"
    block = yaml.safe_dump(WRAPPED | {"title": title})
    assert "\\x" in block or "\\u" in block
    assert same_as_pyyaml(block), block
    assert fast_load(block)["title"] == title


def test_escaped_texts_wrapped_as_yaml_dump_wraps_them_share_their_shapes() -> None:
    """yaml.safe_dump's defaults write non-ASCII text as escapes, in double quotes
    wrapped over lines (each line's break escaped): related items of such texts, of any
    length, are known by a few shapes, not walked one by one (a corpus so written took
    twice as long to summarise)."""
    fastyaml._SHAPES.clear()
    for i in range(300):
        item = {
            "title": f"Café {i} " + "word " * (i % 30),
            "excerpt": "résumé ’ " * (5 + i % 20),
            "quality": i,
        }
        other = {"title": "x \U0001f680" * (i % 7), "webUrl": "https://x.com/a"}
        block = yaml.safe_dump({"title": "T", "related": [item, other]}, sort_keys=False)
        assert same_as_pyyaml(block), block
    assert 0 < len(fastyaml._SHAPES) <= 24


#: Pieces of a double-quoted text: plain characters, every escape libyaml takes (and
#: forms that Python reads otherwise), escapes it refuses, and characters past ASCII.
ESCAPE_PIECES = [
    "a", " ", "1", "'", "é", "’", "\\\\", '\\"', "\\x41", "\\xE9", "\\xe9", "\\u2019", "\\u00E9",
    "\\U0001F680", "\\U0010FFFF", "\\n", "\\t", "\\r", "\\a", "\\b", "\\f", "\\v", "\\0", "\\01",
    "\\e", "\\N", "\\_", "\\L", "\\P", "\\ ", "\\/", "\\uD800", "\\udfff", "\\U0000D800",
    "\\U00110000", "\\q", "\\'", "\\x4", "\\N{BULLET}", "\\\\u2019", "\\\\e", "u", "N",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@example(["\\xE9", "\\u2019", " ", "\\U0001F680"])  # as yaml.dump writes non-ASCII text
@example(["\\\\", "\\0", "1"])  # "\01" is no octal escape to libyaml, as it is to Python
@given(st.lists(st.sampled_from(ESCAPE_PIECES), min_size=1, max_size=12))
def test_escapes_are_read_as_libyaml_reads_them(pieces: list[str]) -> None:
    """A double-quoted text of any escapes, at the top and nested (in a related item,
    whose shape masks such texts), is what PyYAML makes of it, or PyYAML's to judge."""
    text = "".join(pieces)
    same_as_pyyaml(f'title: "{text}"\nrelated:\n- title: "{text}"\n  n: 1\n')
    same_as_pyyaml(f'title: "T"\nrelated:\n- title: "{text}"\n  n: 1\n')
    same_as_pyyaml(f'title: "T"\nrelated:\n- title: "x"\n  n: 1\n- title: "{text}"\n')


def test_times_at_any_offset_share_their_shapes() -> None:
    """A generator outside UTC writes its times with their offset (and maybe a fraction
    of a second): related items of such times are known by one shape, not walked one
    by one, and each time is PyYAML's."""
    fastyaml._SHAPES.clear()
    for i in range(200):
        hours, minutes = divmod(i * 37 % (24 * 60), 60)
        sign = "+-"[i % 2]
        when = f"2024-{1 + i % 12:02}-{1 + i % 28:02}T{i % 24:02}:{i % 60:02}:00{sign}{hours:02}:{minutes:02}"
        fraction = f".{i}" if i % 3 == 0 else ""
        block = (
            f"title: T\npublishedDateTime: {when}\nrelated:\n"
            f"- title: x\n  publishedDateTime: {when}\n"
            f"- title: y\n  publishedDateTime: {when[:19]}{fraction}Z\n"
        )
        assert same_as_pyyaml(block), block
    assert 0 < len(fastyaml._SHAPES) <= 4


@pytest.mark.parametrize("dates", ["offset", "ruby", "rfc2822", "jekyll"])
def test_the_dates_other_generators_write_share_their_shapes(dates: str) -> None:
    """Related items whose dates are written as other generators write them (each a
    text or a time to PyYAML) are known by a few shapes, not walked one by one: every
    form ``bench/corpus.py --dates`` writes is masked in a shape."""
    fastyaml._SHAPES.clear()
    for i in range(100):
        when = DATES[dates](
            f"20{10 + i % 15}-{1 + i % 12:02}-{1 + i % 28:02}T{i % 24:02}:{i % 60:02}:07"
        )
        block = (
            f'title: "T"\npublishedDateTime: {when}\nrelated:\n'
            f'- title: "x {i}"\n  publishedDateTime: {when}\n  quality: {i + 1}\n'
        )
        assert same_as_pyyaml(block), block
        assert fast_load(block, articles.SUMMARY_FIELDS) is not None
    assert 0 < len(fastyaml._SHAPES) <= 2, sorted(fastyaml._SHAPES)


def assert_one_shape(blocks: Iterable[str]) -> None:
    """Each block is what PyYAML makes of it, summarised on the fast path, and all of
    them together leave one shape learned: their related items were not walked one by
    one."""
    fastyaml._SHAPES.clear()
    for block in blocks:
        assert same_as_pyyaml(block), block
        assert fast_load(block, articles.SUMMARY_FIELDS) is not None
    assert len(fastyaml._SHAPES) == 1, sorted(fastyaml._SHAPES)


def test_long_numbers_share_their_shapes() -> None:
    """Related items with ids as a CMS numbers them (times in milliseconds, 64-bit ids)
    and scores as JavaScript writes a float are known by their shape, not walked one by
    one (before stop 50 a number of more than nine digits stayed in the shape)."""
    assert_one_shape(
        f'title: "T"\npublishedDateTime: 2024-01-20T11:36:37Z\nrelated:\n'
        f'- title: "x {i}"\n  id: {1705750597000 + i * 7919}\n'
        f"  score: {(i + 1) / 7}\n  big: {9223372036854775807 - i}\n"
        for i in range(60)
    )


@pytest.mark.parametrize("form", ["%Y-%m-%dT%H:%MZ", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M+01:00"])
def test_times_without_seconds_share_their_shapes(form: str) -> None:
    """Related items dated to the minute (texts to PyYAML: a time needs its seconds),
    as some generators write them, are known by their shape, not walked one by one."""
    assert_one_shape(
        f'title: "T"\npublishedDateTime: 2024-01-20T11:36:37Z\nrelated:\n'
        f'- title: "x {i}"\n  publishedDateTime: {when}\n  quality: {i + 1}\n'
        for i in range(60)
        for when in [datetime(2010 + i % 15, 1 + i % 12, 1 + i % 28, i % 24, i).strftime(form)]
    )


def test_values_followed_by_spaces_share_their_shapes() -> None:
    """Spaces at the end of a value's line (left by an editor, or by a generator's
    template: ``title: "{{ title }}" ``) are nothing to YAML: related items whose
    values of every kind are so followed are known by one shape, not walked one by one
    (before stop 52 each such item was a shape of its own: the summaries of a corpus
    written so took twice as long), and each is what PyYAML makes of it."""
    assert_one_shape(
        f'title: "T"  \npublishedDateTime: 2024-01-20T11:36:37Z \nrelated:  \n'
        f'- title: "x {i}"  \n  excerpt: "w\\xE9 {i}\\\n    more {i}" \n'
        f"  note: 'it''s {i}'   \n  quality: {i + 1} \n  ok: {'true' if i % 2 else 'false'}  \n"
        f"  when: 2024-01-{1 + i % 28:02}T10:{i:02}:00Z  \n  url: https://x.com/{i}  \n"
        f"  provider: Some {i} words  \n"
        for i in range(60)
    )


@pytest.mark.parametrize(
    "header", ["# generated by gen.py\n", "\n", "# a\n\n  # b\n", "   \n#\n", "  # indented\n"]
)
def test_comment_and_blank_lines_before_the_first_key_keep_the_fast_path(header: str) -> None:
    """A generator's header comment before yaml.dump's output (plain texts wrapped over
    lines): the file takes the fast path, as it does without the header, and reads as
    PyYAML reads it. (Such a line elsewhere keeps texts from going on over lines, and
    the file is PyYAML's; before the first key it is outside every text.)"""
    block = yaml.safe_dump(WRAPPED | {"title": "a plain title " * 8}, width=60)
    assert "\n  " in block  # wrapped
    assert same_as_pyyaml(block)
    assert same_as_pyyaml(header + block), header
    inside = block.replace("\n  ", "\n# x\n  ", 1)  # a comment line inside a wrapped text
    assert not same_as_pyyaml(inside)


def _nested_deep(levels: int, tail: str, in_item: bool) -> str:
    """A front matter whose ``related`` value nests ``levels`` block mappings (in a
    sequence's item, or not), ``tail`` the line at the deepest."""
    lines = (
        ["title: T", "related:", "  - x: 1", "    k0:"]
        if in_item
        else ["title: T", "related:", "  k0:"]
    )
    column = 4 if in_item else 2
    lines += [" " * (column + 2 * d) + f"k{d}:" for d in range(1, levels)]
    lines.append(" " * (column + 2 * levels) + tail)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("in_item", [False, True])
@pytest.mark.parametrize(
    "tail",
    ["v: a", "v: [a]", "v: {a: b}", "v: []", "- [a]", "- a", "- {a: b}",
     'v: {"a": [1]}', 'v: [{"a": {"b": [1]}}]', '- [{"a": 1}]', 'v: ["a", {"b": 1}]'],
)  # fmt: skip
def test_a_flow_collection_is_refused_where_the_guard_counts_it_too_deep(
    tail: str, in_item: bool
) -> None:
    """PyYAML's guard counts a flow collection as a level of nesting: the fast path,
    whole or for a summary, takes a block exactly when the guard lets it by (it once
    took a flow collection one level too deep, which the parser of record refuses)."""
    for levels in range(14, 22):
        block = _nested_deep(levels, tail, in_item)
        refused = articles._guard(block) is not None
        for only in (None, articles.SUMMARY_FIELDS):
            if '"' in tail:  # JSON: refused from where it might nest too deep, whatever
                # it holds (taken at shallower depths: test_json_values_take_the_fast_path)
                assert fast_load(block, only) is None or not refused, (levels, only)
            else:
                assert (fast_load(block, only) is None) == refused, (levels, only)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(
    json_values,
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]),
    st.sampled_from(["top", "nested", "item"]),
)
@example({"url": "https://x/a.png", "width": 50, "ratio": 1.5}, True, (", ", ": "), "top")
@example([{"t": "caf\xe9 \U0001f600", "n": None}], False, (", ", ": "), "item")
@example({"a": 1e20, "b": float("nan")}, True, (", ", ": "), "top")
def test_fast_yaml_matches_pyyaml_on_json_values(
    value: Any, ascii_only: bool, separators: tuple[str, str], where: str
) -> None:
    """A value written by ``json.dumps`` on its key's line (JSON is YAML's flow style), as
    a generator may write a nested one: any JSON, escaped or not, any separators, at the
    top, in a nested mapping, in a sequence's item."""
    import json

    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    line = {
        "top": f"v: {text}\n",
        "nested": f"a:\n  v: {text}\n",
        "item": f"a:\n- v: {text}\n  w: 1\n",
    }
    same_as_pyyaml("t: x\n" + line[where])


@pytest.mark.parametrize(
    "block",
    [
        'images: [{"url": "https://x/a.png", "width": 50, "height": 50}]\n',
        'provider: {"name": "Forbes", "domain": "forbes.com", "images": []}\n',
        'related: [{"title": "T", "provider": {"name": "N"}, "images": [{"url": "u", "w": 1}]}]\n',
        'a: {"k": "x\\/y \\u00e9 \\t \\\\ \\""}\n',
        'a: [1.5, -0.0, 0, -7, true, false, null, "", {}, []]\n',
        'a: ["\\ud83d\\ude00 x", {"\\uD83D\\uDE80": "\\ud83d\\ude80\\ud83c\\udf89"}]\n',
        'a: [{"k": 1}]  # a comment after it\n',
    ],
)
def test_json_values_take_the_fast_path(block: str) -> None:
    assert same_as_pyyaml(block), block


@pytest.mark.parametrize(
    "block",
    [
        'a: [{"k": 1e5}]\n',  # an exponent: a text to PyYAML
        'a: [{"k": 1.5E+3}]\n',  # (a float to both, left all the same)
        'a: {"k": NaN}\n',
        'a: {"k": -Infinity}\n',
        'a: {"k": 1, "k": 2}\n',  # a key twice: PyYAML reports it
        'a: ["\\ud83d"]\n',  # an escaped surrogate alone: libyaml refuses it
        'a: ["\\ude00\\ud83d"]\n',  # the halves the wrong way round
        'a: ["\\\\ud83d\\ude00"]\n',  # a backslash, text, then a surrogate alone
        'a: {"\\ud83d": 1}\n',
        'a: [[[[{"k": 1}]]]]\n',  # deeper than JSON_DEPTH
        'a: {"' + "k" * 200 + '": 1}\n',
        'a: [{"k": 1}, x]\n',
        "a: [{'k': 1}]\n",
    ],
)
def test_json_values_pyyaml_must_judge_go_to_it(block: str) -> None:
    assert not same_as_pyyaml(block), block


@settings(max_examples=1000, deadline=None)
@given(
    st.dictionaries(st.text(max_size=6), json_values, max_size=5),
    st.booleans(),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([(", ", ": "), (",", ":")]),
)
@example({"title": "T", "published": True, "topics": ["AI"]}, True, 2, (", ", ": "))
def test_fast_yaml_matches_pyyaml_on_front_matter_written_as_one_json_object(
    value: dict[str, Any], ascii_only: bool, indent: int | None, separators: tuple[str, str]
) -> None:
    """Front matter written by ``json.dumps`` as one object, on one line or pretty-printed
    (JSON is YAML's flow style, and a generator may write it so): read as PyYAML reads
    it, or left to it."""
    import json

    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent, separators=separators)
    guard_agrees(text + "\n")


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]')


@settings(max_examples=500, deadline=None)
@given(json_values.filter(lambda v: isinstance(v, dict)), st.data())
def test_a_json_object_with_line_breaks_anywhere_between_its_tokens(
    value: dict[str, Any], data: st.DataObject
) -> None:
    """The same, with spaces and line breaks put between any two of its tokens, as no
    generator writes them: YAML's flow style takes them where JSON does but between a
    key and its colon; the fast path must read each such object as PyYAML does, or leave
    it to PyYAML."""
    import json

    tokens = _JSON_TOKENS.findall(json.dumps(value))
    gaps = st.sampled_from(["", " ", "\n", "\n  ", " \n", "\n\n"])
    text = "".join(t + data.draw(gaps) for t in tokens)
    guard_agrees(text + "\n")


@pytest.mark.parametrize("style", ["jsondoc", "commented", "quoted"])
def test_front_matter_as_other_generators_and_people_write_it_takes_the_fast_path(
    tmp_path: Path, style: str
) -> None:
    """Every file of the ``jsondoc`` benchmark corpus (its front matter written by
    ``json.dumps(front_matter, indent=2)``), of the ``commented`` one (comments after
    values, as a person adds them) and of the ``quoted`` one (every key in double
    quotes): read without PyYAML, as PyYAML reads it, and the same
    Article as the same file in the seeds' style (a JSON date is a text, which both read
    alike)."""
    generate(tmp_path / "s", 40, layout="flat")
    generate(tmp_path / "o", 40, layout="flat", style=style)
    for seeds in sorted((tmp_path / "s" / "content").iterdir()):
        text = (tmp_path / "o" / "content" / seeds.name).read_text(encoding="utf-8")
        block, _ = split_front_matter(text)
        if style == "jsondoc":
            assert block.startswith("{\n"), seeds.name
        else:
            assert {"commented": "  # ", "quoted": '\n"webUrl": '}[style] in block, seeds.name
        assert guard_agrees(block), seeds.name
        assert fast_load(block, articles.SUMMARY_FIELDS) is not None, seeds.name
        assert articles.load_article("a.txt", text.encode(), UTC) == articles.load_article(
            "a.txt", seeds.read_bytes(), UTC
        ), seeds.name


@pytest.mark.parametrize(
    "block",
    [
        '{"title": "T"\n: "x"}\n',  # a line break between a key and its colon
        '{"title"\n  : "T"}\n',
        '{"title": "T"} # a comment\n',
        '{"title": "T"}\nexcerpt: "E"\n',
        '{"title": "T", "title": "U"}\n',  # a key twice: PyYAML reports it
        '{"title": "T", "n": 1e5}\n',  # an exponent: a text to PyYAML
        '{"title": "T",}\n',
        '{title: "T"}\n',  # a flow mapping, not JSON: PyYAML's to read
        '["title", "T"]\n',  # no mapping at all: PyYAML's to refuse
        '{"title": "\\ud83d"}\n',  # a surrogate alone
        '{"x": ' + "[" * 25 + "1" + "]" * 25 + "}\n",  # deeper than the guard lets by
    ],
)
def test_json_objects_pyyaml_must_judge_go_to_it(block: str) -> None:
    assert not guard_agrees(block), block


def test_json_nested_too_deep_for_its_parser_is_left_to_the_guard() -> None:
    """A value JSON's own parser gives up on (thousands of lists deep) goes to PyYAML's
    guard, which names its line, on one line and in a JSON object alike."""
    deep = "[" * 5_000 + '"x"' + "]" * 5_000
    for block, line in ((f'title: "T"\nx: {deep}\n', 1), (f'{{"title": "T",\n"x": {deep}}}\n', 1)):
        assert fast_load(block) is None
        assert articles._guard(block) == (line, "nested deeper than 20 levels")


#: Scalars as a flow collection may hold them, and look-alikes PyYAML reads otherwise.
FLOW_SCALARS = [
    "a", "x y z", "1", "-1", "1.5", "true", "null", "~", "on", "yes", "0x1F", "1e3", "2020-01-01",
    "2020-01-01 10:00:00", "'it''s'", '"x y"', '"a\\"b"', "''", "'[a], {b}'", '"#1"', ":a", "a:b",
    "-x", "- x", "?x", "'https://x/a.png?w=1&h=2'", "https://x/a.png", "a #b", "a#b", "*a", "&a b",
]  # fmt: skip
FLOW_KEYS = ["url", "width", "name", "on", "null", "yes", "a1", "1a", "x-y"]


@st.composite
def flow_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """A flow collection written by hand: nested ones, scalars of every kind, spaces
    or none inside the brackets and after the commas (as PHP's Symfony YAML writes
    ``{ name: CNET, images: [{ url: '…' }] }``)."""
    space = draw(st.sampled_from(["", " ", "  "]))
    comma = "," + draw(st.sampled_from([" ", "", "  "]))
    items = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 5 and draw(st.booleans()):
            item = draw(flow_texts(depth + 1))
        else:
            item = draw(st.sampled_from(FLOW_SCALARS))
        items.append(item)
    if draw(st.booleans()):
        keys = [draw(st.sampled_from(FLOW_KEYS)) for _ in items]
        return (
            "{"
            + space
            + comma.join(f"{k}: {v}" for k, v in zip(keys, items, strict=True))
            + space
            + "}"
        )
    return "[" + space + comma.join(items) + space + "]"


@settings(max_examples=1500, deadline=None)
@given(flow_texts(), st.sampled_from(["top", "nested", "item"]))
@example("[{ url: 'https://x/a.jpg', width: 756, height: 567 }]", "top")
@example(
    "{ name: CNET, domain: cnet.com, images: [{ url: 'https://x/l.jpg', width: 50 }] }", "item"
)
def test_fast_yaml_matches_pyyaml_on_nested_flow_collections(text: str, where: str) -> None:
    """Flow collections that hold others, on one line: read as PyYAML reads them, or
    left to it (deeper than four levels, odd keys, a comma at the end, and whatever
    else it must judge)."""
    line = {
        "top": f"v: {text}\n",
        "nested": f"a:\n  v: {text}\n",
        "item": f"a:\n- v: {text}\n  w: 1\n",
    }
    guard_agrees("t: x\n" + line[where])


@settings(max_examples=400, deadline=None)
@given(documents, st.sampled_from([2, 4]), st.data())
def test_fast_yaml_matches_pyyaml_with_a_dash_alone(
    doc: dict[str, Any], indent: int, data: st.DataObject
) -> None:
    """Items written with their dash alone on a line and the item under it (``-`` then
    ``  title: x``), as Symfony's YAML writes a list of mappings past its inline level:
    read as PyYAML reads them, or left to it (a text under a dash, say)."""
    try:
        text = yaml.safe_dump(doc, allow_unicode=True, indent=indent, width=10**6)
    except yaml.YAMLError:
        return
    lines = []
    for line in text.split("\n"):
        item = re.match(r"( *)- (\S.*)", line)
        if item and data.draw(st.booleans()):
            lines += [f"{item.group(1)}-", f"{item.group(1)}  {item.group(2)}"]
        else:
            lines.append(line)
    guard_agrees("\n".join(lines))


@pytest.mark.parametrize(
    "block",
    [
        "a: [x}y]\n",  # the other bracket after an item
        "a: [[x}, y]\n",
        "a: {k: x]y: 1}\n",
        "a: [x, ]\n",  # a comma at the end
        "a: [x,, y]\n",  # an empty item
        "a: [{k: 1}, {k: 2},]\n",
        "a: {k: [x], k: [y]}\n",  # a key twice
        "a: [[[[[x]]]]]\n",  # deeper than JSON_DEPTH
    ],
)
def test_flow_collections_pyyaml_must_judge_go_to_it(block: str) -> None:
    assert not same_as_pyyaml(block), block


#: An article as PHP's Symfony YAML writes it (``Yaml::dump($front, 2, 4)``, its
#: defaults): what lies deeper than two levels as flow collections, quoted where needed.
SYMFONY = """category: news
title: 'Microsoft builds: a supercomputer'
publishedDateTime: '2020-05-20T13:59:00Z'
webUrl: 'https://www.example.com/news/2020/05/20/supercomputer/'
type: article
quality: 72
published: true
provider:
    name: Forbes
    domain: forbes.com
    images: [{ url: 'https://x.example/forbes-50x50.jpg', width: 50, height: 50 }]
topics: [Azure, 'Open Source']
images: [{ url: 'https://x.example/a.jpg?w=1&h=2', width: 756, height: 567, title: 'A: b' }]
related:
    - { title: 'It''s big', webUrl: 'https://y.example/a', provider: { name: CNET, domain: cnet.com }, images: [{ url: 'https://y.example/b.jpg', width: 1, height: 2 }] }
    - { title: Plain title, webUrl: 'https://z.example/c', provider: { name: Verge }, images: [] }
"""
#: The same with a deeper inline level (``Yaml::dump($front, 3, 4)``): a list of
#: mappings written with each dash alone on its line.
SYMFONY_DEEPER = (
    SYMFONY.split("related:")[0]
    + """related:
    -
        title: 'It''s big'
        webUrl: 'https://y.example/a'
        provider: { name: CNET, domain: cnet.com }
        images: [{ url: 'https://y.example/b.jpg', width: 1, height: 2 }]
    -
        title: Plain title
        webUrl: 'https://z.example/c'
        provider: { name: Verge }
        images: {  }
"""
)


@pytest.mark.parametrize("block", [SYMFONY, SYMFONY_DEEPER], ids=["inline 2", "inline 3"])
def test_symfony_yaml_takes_the_fast_path(block: str) -> None:
    """Front matter as a PHP generator (a WordPress exporter, say) writes it with
    Symfony's YAML: read without PyYAML, as PyYAML reads it (it went to PyYAML whole)."""
    assert same_as_pyyaml(block)
    assert fast_load(block, articles.SUMMARY_FIELDS) is not None
    related = fast_load(block)["related"]
    assert related[0]["provider"] == {"name": "CNET", "domain": "cnet.com"}
    assert related[0]["title"] == "It's big"


# --------------------------------------------------------------------------- anchors and aliases


def guard_agrees(block: str) -> bool:
    """Whether fast_load took ``block`` (True) or left it to PyYAML (False); fails where
    it took one that articles._guard refuses before PyYAML reads it, or on a difference."""
    taken = same_as_pyyaml(block)
    if taken:
        assert articles._guard(block) is None, block[:500]
    return taken


def _shared_data() -> dict[str, Any]:
    """An article as a generator that draws providers, images and dates from pools
    makes one: the same objects in several places."""
    when = datetime(2024, 1, 20, 11, 36, 37, tzinfo=UTC)
    logo = {"url": "https://x.example/forbes-50x50.jpg", "width": 50, "height": 50}
    provider = {"name": "Forbes", "domain": "forbes.com", "images": [logo]}
    images = [{"url": "https://x.example/a.jpg", "width": 640, "height": 480}]
    return {
        "title": "T", "publishedDateTime": when, "provider": provider, "images": images,
        "topics": ["AI", "Cloud"], "heat": -1, "empty": [],
        "related": [
            {"title": "r", "provider": provider, "images": images, "publishedDateTime": when},
            {"title": "s", "provider": {"name": "CNET", "images": [logo, logo]}},
            images[0],
        ],
    }  # fmt: skip


@pytest.mark.parametrize("flow", [False, None])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_anchors_and_aliases_as_yaml_safe_dump_writes_them_take_the_fast_path(
    flow: bool | None, sort_keys: bool
) -> None:
    """``provider: &id001`` (a mapping under it), ``images: &id002`` (a sequence at the
    key's column), ``- &id003`` (an item), ``&id004 2024-...`` (a scalar), ``&id005
    {...}`` (a flow mapping), and the aliases: the same objects, shared as PyYAML shares
    them, for a whole parse and for a summary."""
    data = _shared_data()
    data["empty2"] = data["empty"]
    block = yaml.safe_dump(data, sort_keys=sort_keys, allow_unicode=True, default_flow_style=flow)
    assert "&id00" in block and "*id00" in block
    assert guard_agrees(block), block
    fast = fast_load(block)
    assert fast["related"][0]["provider"] is fast["provider"]
    assert fast["related"][0]["images"] is fast["images"]
    assert fast["related"][2] is fast["images"][0]
    assert fast["empty2"] is fast["empty"]
    logos = fast["related"][1]["provider"]["images"]
    assert logos[0] is logos[1] is fast["provider"]["images"][0]
    brief = fast_load(block, articles.SUMMARY_FIELDS)
    assert brief is not None and brief["publishedDateTime"] == data["publishedDateTime"]


def _collections(value: Any) -> Iterator[Any]:
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _collections(item)


@settings(max_examples=300, deadline=None)
@given(documents, st.data(), st.sampled_from([False, None]))
def test_shared_objects_take_the_fast_path_as_pyyaml_reads_them(
    doc: dict[str, Any], data: st.DataObject, flow: bool | None
) -> None:
    """Random documents with some of their own mappings and lists placed again
    elsewhere (in a new key, in a list, inside another such one): what fast_load takes
    it reads as PyYAML does, and only what the guard lets by."""
    pool = list(_collections(doc))
    if not pool:
        return
    picks = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    doc = {**doc, "shared_a": picks[0], "shared_b": [*picks, {"again": picks[-1]}]}
    try:
        text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow)
    except yaml.YAMLError:
        return
    guard_agrees(text)


@pytest.mark.parametrize("kind", ["list", "mapping"])
def test_aliases_repeat_at_most_as_many_values_as_the_guard_lets_by(kind: str) -> None:
    """An anchored list of 99 values is 100 values, a mapping of 50 keys 101 (each key
    one): aliases of it and of a scalar that repeat 10,000 values are taken, as the
    guard takes them; one alias of the scalar more (10,001) is left to the guard, which
    refuses it."""
    if kind == "list":
        named, times, scalars = "".join(f"- {k}\n" for k in range(99)), 100, 0
    else:
        named, times, scalars = "".join(f"  k{k}: {k}\n" for k in range(50)), 99, 1
    block = "a: &a\n" + named + "s: &s x\nb:\n" + "- *a\n" * times + "c:\n" + "- *s\n" * scalars
    assert guard_agrees(block)
    assert len(fast_load(block)["b"]) == times
    over = block + "d: *s\n"
    assert fast_load(over) is None and fast_load(over, articles.SUMMARY_FIELDS) is None
    assert articles._guard(over) is not None


@pytest.mark.parametrize("levels", [1, 4])
@pytest.mark.parametrize("as_item", [False, True])
def test_an_alias_is_left_to_the_guard_where_what_it_repeats_would_nest_too_deep(
    levels: int, as_item: bool
) -> None:
    """An anchored value ``levels`` deep, its alias at every depth: taken exactly where
    the guard lets it by (the alias's value counted as deep as it lands)."""
    named = "".join("  " * k + f"n{k}:\n" for k in range(1, levels)) + "  " * levels + "leaf: 1\n"
    seen = set()
    for depth in range(1, 20):
        path = "".join("  " * k + f"k{k}:\n" for k in range(1, depth))
        at = "  " * depth
        alias = f"{at}- *a\n" if as_item else f"{at}v: *a\n"
        block = "a: &a\n" + named + "b:\n" + path + alias
        refused = articles._guard(block) is not None
        taken = guard_agrees(block)
        assert taken != refused, (depth, block)
        seen.add(refused)
    assert seen == {True, False}


def test_only_the_top_level_secured_keeps_its_value_from_anchors() -> None:
    """The guard refuses an anchor in the article's ``secured`` (the top-level key's
    value) only: a related item's key of that name is any other key."""
    block = "a: &a\n  k: x\nrelated:\n- secured: *a\n  b: &b\n    c: 1\nd: *b\n"
    assert guard_agrees(block)


@pytest.mark.parametrize(
    "block",
    [
        "a: &a wrapped\n  over lines\nb: *a\n",  # an anchored text that goes on
        "a: &a\n  b: 1\nc: *a\nd: x\n",  # a block under an anchor, then keys after
        "k:\n  a: &a 2024-01-20 11:36:37+00:00\n  b: *a\n  c: &c 'q'\n  d: *c\n",
    ],
)
def test_anchors_and_aliases_in_any_place_of_a_mapping_agree(block: str) -> None:
    """A key's value that starts with an anchor or an alias, alone, before a text that
    goes on, or before a block: the walk reads it as PyYAML does, or leaves it."""
    assert guard_agrees(block)


@pytest.mark.parametrize(
    "block",
    [
        "a: &a\n  b: *a\n",  # inside the value it names
        "a: &a\n- x\n- *a\n",
        "a: *a\n",  # named nowhere
        "b: *a\na: &a x\n",  # named after
        "a: &a 1\nb: &a 2\nc: *a\n",  # named twice
        "secured: &s x\ntitle: *s\n",  # an anchor in secured
        "secured:\n  k: &s x\ntitle: *s\n",
        "t: &s x\nsecured: *s\n",  # (an alias in secured: left to the guard too)
        "a: &a\nb: 1\n",  # an anchor on nothing (a null)
        "a:\n- &a\n- x\n",  # (the next item is no value of it)
        "a: &a x\nb: *a y\n",
        "a: &a &b x\n",
        "a: &a !!str x\n",
        "a: &a x\nb: [*a]\n",  # in a flow collection
        "a: &a\n  b: 1\nc: {d: *a}\n",
        "a: &a |\n  text\nb: *a\n",  # a block scalar anchored
        "a: &a url: x\n",
        "a: &é x\nb: *é\n",  # a name yaml.dump does not write
    ],
)
def test_anchors_and_aliases_the_walk_does_not_take_go_to_pyyaml(block: str) -> None:
    assert fast_load(block) is None, block
    assert fast_load(block, articles.SUMMARY_FIELDS) is None, block


@pytest.mark.parametrize(
    "block",
    [
        'title: "Launch \\ud83d\\ude80"\n',
        'title: "T"\nrelated:\n- title: "\\ud83d\\ude80 x \\uD83C\\uDF89"\n  url: u\n- title: "y"\n',
        'images:\n  - url: "u"\n    title: "\\ud83d\\ude80"\n',
    ],
)
def test_escaped_surrogate_pairs_take_the_fast_path(block: str) -> None:
    """``json.dumps``'s emoji (an escaped surrogate pair) in a double-quoted text: read
    on the fast path, whole and for a summary, as the parser of record reads them; in
    a nested block, masked in its shape like any other double-quoted text."""
    assert same_as_pyyaml(block)
    assert fast_load(block, articles.SUMMARY_FIELDS) is not None
    nested = block[block.index("\n", block.index(":\n")) + 1 :] if ":\n" in block else ""
    if nested:
        shape = fastyaml._shape(nested, True)
        assert shape is not None and "\\u" not in shape, shape


# ------------------------------------------------------------------ found by a fuzzer

HEAD = b"---\ntitle: T\nwebUrl: https://example.com/a\npublishedDateTime: 2024-01-20T11:36:37Z\n"


def outcome(data: bytes, summary: bool = False) -> Any:
    """What a file gives: its Article's (or Summary's) fields, or its error."""
    try:
        if summary:
            return articles.load_summary("x.md", data, UTC, "d")[1:6]
        a = articles.load_article("x.md", data, UTC)
        return (a.url, a.published, a.published_at, a.topics, a.quality)
    except ArticleError as e:
        return str(e)


@pytest.mark.parametrize(
    "block",
    [
        # a header inside a single-quoted text wrapped over lines is text of it
        "title: 'Hello\n  note: |-\n    world\n  end'\nwebUrl: https://example.com/a\n",
        'title: "Hello\n  note: >\n    world\n  end"\n',
        # and inside a flow mapping wrapped over lines, an error
        "title: T\nx: {a: 1,\n  b: |\n    y\n  }\n",
        "title: T\nx: [a,\n  b: |\n    y\n  ]\n",
        # a header after values that closed on their lines is one (taken on the fast path)
        "title: 'a '' b'\ntopics: [a, b]\nx: {a: 1}\nexcerpt: |-\n  text\n",
    ],
)
def test_a_block_scalar_header_inside_an_open_quote_or_flow_is_not_one(block: str) -> None:
    same_as_pyyaml(block)


def test_a_closed_value_before_a_block_scalar_keeps_the_fast_path() -> None:
    assert same_as_pyyaml("title: 'a '' b'\ntopics: [a, b]\nx: {a: 1}\nexcerpt: |-\n  text\n")


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003", "\u205f"])
def test_a_line_of_unicode_spaces_is_text_to_the_summary_as_to_pyyaml(space: str) -> None:
    """A stray indented no-break space under ``published: true`` makes the value
    ``'true \\xa0'`` to PyYAML: unpublished. The summary once took the line for a
    blank one and published the article."""
    data = HEAD + f"published: true\n {space}\nquality: 5\n {space}\n---\n".encode()
    assert outcome(data, summary=True) == outcome(data)
    assert outcome(data)[1] is False
    quoted = HEAD + f"published: 'true'\n {space}\n---\n".encode()
    assert outcome(quoted, summary=True) == outcome(quoted)


@pytest.mark.parametrize("levels", [30, 500, 700, 990, 1200])
def test_a_deep_flow_collection_is_too_deep_never_a_crash(levels: int) -> None:
    data = HEAD + b"a: " + b"[" * levels + b'"x"' + b"]" * levels + b"\n---\n"
    for summary in (False, True):
        assert outcome(data, summary) == "x.md:5: nested deeper than 20 levels"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("!!int x", "not a whole number (of at most 4,300 digits): 'x'"),
        ("!!int", "not a whole number (of at most 4,300 digits): ''"),
        ("!!bool maybe", "not true or false: 'maybe'"),
        ("!!float x", "not a number: 'x'"),
        ("1" * 4301, f"not a whole number (of at most 4,300 digits): '{'1' * 40}'"),
        ("[" + "1" * 4301 + "]", f"not a whole number (of at most 4,300 digits): '{'1' * 40}'"),
    ],
)
def test_a_scalar_pyyaml_cannot_make_is_an_error_at_its_line(value: str, reason: str) -> None:
    data = HEAD + f"published: true\nquality: {value}\n---\n".encode()
    for summary in (False, True):
        assert outcome(data, summary) == f"x.md:6: YAML error: {reason}"


def test_an_escaped_surrogate_pair_split_by_an_escaped_line_break_is_one_character() -> None:
    """The fast path joins the lines, then the pair; the parser of record did not, and
    refused what the fast path took: now both read it alike."""
    block = 'title: "Launch \\ud83d\\\n  \\ude80 now"\n'
    assert same_as_pyyaml(block)
    assert pyyaml(block) == {"title": "Launch \U0001f680 now"}
    apart = 'title: "Launch \\ud83d\\\n\n  \\ude80"\n'  # (a blank line: a line break between)
    assert same_as_pyyaml(apart) is False
    with pytest.raises(yaml.YAMLError):
        pyyaml(apart)


def test_a_flow_mapping_wrapped_a_pair_a_line_is_read_in_linear_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each line's pairs were matched again from the mapping's start (600 pairs a line
    each: 50 ms where PyYAML takes 3). Counted, not timed: each pair is matched once."""
    matched = 0
    pattern = fastyaml._FLOW_PAIR

    class Counting:
        def match(self, text: str, at: int) -> Any:
            nonlocal matched
            matched += 1
            return pattern.match(text, at)

    monkeypatch.setattr(fastyaml, "_FLOW_PAIR", Counting())
    pairs = 500  # (past MOST_LINES lines, PyYAML reads it: see the tests of hostile sizes)
    block = "title: x\nimages: {" + ",\n  ".join(f"k{i}: v" for i in range(pairs)) + "}\n"
    assert fast_load(block) == pyyaml(block)
    assert pairs - 1 <= matched < 2 * pairs, matched  # (each line from the start: 125,000)


# ------------------------------------------------------------------ hostile sizes
# (found by a tester of hostile inputs: each a valid file well under max_file_size that
# stalled a build for seconds to minutes; counted or weighed here, never timed)


def test_segments_begin_at_line_starts_only() -> None:
    """The summary's segments are tried at line starts only: tried at every position, a
    long word on a line that is no ``key:`` line (``"x y": aaa…``) was read again from
    each of its letters (80 KB: 4.8 s)."""
    assert fastyaml._SEGMENT.match("xkey: 1\n", 1) is None
    assert fastyaml._SEGMENT.match("x\nkey: 1\n", 2) is not None
    for block in (HEAD.decode()[4:] + '"x y": ' + "a" * 5000 + "\n",
                  HEAD.decode()[4:] + "zz\n" + "a" * 5000 + "\n"):  # fmt: skip
        assert same_as_pyyaml(block) is False  # (PyYAML's to judge, as before)


#: Values wrapped over about ``n`` lines, as a hostile file wraps them.
LONG_WRAPPED = {
    "plain": lambda n: "note: start\n" + "  w\n" * n,
    "double-quoted": lambda n: 'provider:\n  name: "start\\\n' + "    ab\\\n" * n + '    end"\n',
    "flow sequence": lambda n: "tags: [a,\n" + "  b,\n" * n + "  c]\n",
    "flow mapping": lambda n: (
        "m: {k0: 1,\n" + "".join(f"  k{i}: 1,\n" for i in range(1, n)) + "  z: 2}\n"
    ),
}


@pytest.mark.parametrize("kind", LONG_WRAPPED)
def test_a_value_wrapped_over_too_many_lines_is_pyyamls(kind: str) -> None:
    """The walk adds each line of a wrapped value to the text so far (the square of the
    lines: a 2 MB text a word a line took 12 s); past MOST_LINES it leaves the file to
    PyYAML's C reader, linear in its size. Up to it, the walk reads it, as PyYAML."""
    head = "title: T\nwebUrl: https://example.com/a\n"
    most = fastyaml.MOST_LINES
    assert same_as_pyyaml(head + LONG_WRAPPED[kind](most - 2)) is True
    block = head + LONG_WRAPPED[kind](most + 2)
    assert fast_load(block) is None
    # (a summary checks a nested value by its shape, all its lines at once: it may still
    # read it, and then reads what PyYAML reads)
    brief = fast_load(block, articles.SUMMARY_FIELDS)
    assert brief is None or same_in_brief(pyyaml(block), brief, articles.SUMMARY_FIELDS)


def test_a_block_scalar_is_found_without_a_step_kept_for_each_line() -> None:
    """A folded excerpt of 240 KB with blank lines between its lines took 40 MB to find
    (the block-scalar pattern kept a step to go back to at every line: 170 bytes a
    byte, 385 MB for a 2.4 MB file); weighed, not timed."""
    import tracemalloc

    block = "title: T\nwebUrl: https://example.com/a\nexcerpt: >-\n" + "  ab\n\n" * 40_000
    tracemalloc.start()
    try:
        loaded = fast_load(block)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded == pyyaml(block)
    assert peak < 40 * len(block), peak  # (4 MB; 40 MB before)


class _CountedSlices(str):
    """A text that counts the characters its slices copy."""

    copied = 0

    def __getitem__(self, key: Any) -> str:  # type: ignore[override]
        part = str.__getitem__(self, key)
        if isinstance(key, slice):
            _CountedSlices.copied += len(part)
        return part


def test_block_scalars_are_rewritten_copying_the_block_a_bounded_number_of_times() -> None:
    """Each block scalar's rewrite looked at the line after it by copying the rest of the
    block: quadratic in their number (80,000 related items' excerpt: | took 13 s to
    read; 40,000, 4.8 s). The copies are counted: a few times the block's length."""
    block = _CountedSlices("related:\n" + "  - title: x\n    excerpt: |\n      a: b\n" * 2000)
    _CountedSlices.copied = 0
    rewritten = fastyaml._block_scalars(block)
    assert rewritten.count('excerpt: "a: b\\n"') == 2000
    assert _CountedSlices.copied < 3 * len(block)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<|>\r\n x\u00e9", max_size=40))
@example("a\r<<<<<<<\r\n")
@example("<<<<\r\n<<<")
def test_markers_are_looked_for_in_the_bytes_as_in_the_text(text: str) -> None:
    """A file's bytes hold a conflict marker where its text (line breaks made "\\n") does."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = any(marker in lines for marker in articles._MARKERS)
    assert articles._may_hold_markers(text.encode("utf-8")) == expected


def _shape_one_kind_after_another(text: str, folds: bool) -> str | None:
    """fastyaml._shape as it was written before its one scan (:data:`fastyaml._SAFE_VALUE`):
    a scan for each kind of value, one after the other, each masking what it found, and
    the quotes counted between them."""
    kinds = {
        kind: re.compile(rf": {pattern} *$", re.M)
        for kind, pattern in (
            ('"', fastyaml._SAFE_DOUBLE),
            ("'", fastyaml._SAFE_SINGLE),
            ("", fastyaml._SAFE_PLAIN),
        )
    }
    open_quote = False
    if '"' in text:
        doubles = 0
        if "\\" in text and "\\\n" in text:
            parts = fastyaml._SAFE_DOUBLE_WRAPPED.split(text)
            parts[1::2] = map(fastyaml._WRAPPED_MASKS.__getitem__, parts[1::2])
            doubles = len(parts) // 2 * 2
            text = "".join(parts)
        text, n = kinds['"'].subn(': "\0', text)
        open_quote = text.count('"') != doubles + n + 2 * fastyaml._quoted_keys(text, '"')
    if "'" in text:
        text, n = kinds["'"].subn(": '\0", text)
        open_quote = open_quote or text.count("'") != n + 2 * fastyaml._quoted_keys(text, "'")
    if open_quote and fastyaml._OPEN_QUOTE.search(text):
        return None
    shape = kinds[""].sub(": \0", text)
    if not folds:
        return "\n" + shape
    return fastyaml._WRAPPED_PLAIN.sub(": \0\n\\1\0", shape)


#: Pieces of the lines of a nested block: where a value of one kind may hold what
#: another kind, or a key, looks like, quotes left open, quoted keys.
_VALUES = [': "a"', ": 'b'", ": x", ": 'it''s'", ': "q\\"x"', ': "a: b"', ": 'a: \"b\"'",
           ': a "b"', ': "x', ": 'y", ": http://a: \"b\"", ": 2024-01-01", ": 12", ": -3",
           ": true", ': "\\u00e9"', ': x: "y"', ":  'c'", ': "b"\'', ": 'x' #", ': "x" # c',
           ": a'b", ': "k": v', ": '", ': "', ': ""', ": ''", ": 5 x",
           ": Wed, 20 May 2020 13:59:00 +0000", ': "a\\', ': "w\\\n    x"']  # fmt: skip
_KEYS_AS_WRITTEN = ["a", "bb", '"q"', "'s'", "- c", "- - d", "-", '- "e"', "- 'f'"]
_ODD_LINES = ["x", '"y', "'z", "  more", "- it", "# c", "", "- 'k': 1", '"k": "v"']


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "  ", "    "]),
            st.sampled_from(_KEYS_AS_WRITTEN),
            st.sampled_from(_VALUES),
            st.sampled_from(["", "", " ", "  "]),
            st.sampled_from([None, None, None, *_ODD_LINES]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_one_scan_masks_a_shape_as_a_scan_for_each_kind_did(
    lines: list[tuple[str, str, str, str, str | None]], folds: bool
) -> None:
    """One scan for the values of every kind a shape masks gives the shape a scan for
    each kind, one after the other, gave (or None alike: a quote left open)."""
    text = "\n".join(
        f"  {indent}{odd}" if odd is not None else f"  {indent}{key}{value}{spaces}"
        for indent, key, value, spaces, odd in lines
    )
    for block in (text, text + "\n"):
        assert fastyaml._shape(block, folds) == _shape_one_kind_after_another(block, folds)


def test_one_scan_masks_the_corpus_blocks_as_a_scan_for_each_kind_did(corpus: Path) -> None:
    """The same, on each nested block of the benchmark corpus, the seeds and the sample
    content."""
    seen = 0
    for folder in (corpus, SEEDS, ROOT / "content"):
        for _, block in blocks(folder):
            for _, _, _, under in fastyaml._SEGMENT.findall(block):
                if under.strip(" \n"):
                    for folds in (False, True):
                        expected = _shape_one_kind_after_another(under, folds)
                        assert fastyaml._shape(under, folds) == expected, under
                    seen += 1
    assert seen > 2000


@pytest.mark.parametrize(
    "text",
    ["x", "50", "-3", "0.5", "true", "null", "~", "2024-01-20", "2024-01-20T11:36:37Z",
     "2024-02-30", "on", "1e5", "0x1F", "-", "- x", "a: b", "a #b", "x:", "a\tb", "&a x",
     "*a", "%x", "@x", "`x", "|", ">", "?x", ",x", "]x", "}x", ".inf", "1_000", "0o17"],
)  # fmt: skip
def test_a_plain_text_is_read_by_plain_as_scalar_reads_it(text: str) -> None:
    """The walk gives a value whose first character is none of _NOT_PLAIN to _plain at
    once: what _scalar (and _scalar_deep, at any depth) gives it, or refuses alike."""
    assert text[0] not in fastyaml._NOT_PLAIN

    def read(fn: Any, *args: Any) -> Any:
        try:
            return repr(fn(text, *args))
        except fastyaml._Fallback:
            return "refused"

    expected = read(fastyaml._plain)
    assert read(fastyaml._scalar) == expected
    for depth in (fastyaml._DEEP, fastyaml.MAX_DEPTH - 1):
        assert read(fastyaml._scalar_deep, depth) == expected


def test_a_known_blocks_text_is_taken_only_while_its_shape_is_known() -> None:
    """A short nested block met again as written (a provider's, the same in many files)
    is known without masking it, while its shape is known; with the shapes forgotten it
    is checked again. Another text, a value that PyYAML refuses in it, is never taken
    for it."""
    head = 'title: "T"\npublished: true\nprovider:\n'
    block = '  name: "Fabrikam Times"\n  domain: fabrikam.example.com\n'
    fastyaml._SHAPES.clear()
    fastyaml._KNOWN_BLOCKS[True].clear()
    assert same_as_pyyaml(head + block)
    assert block in fastyaml._KNOWN_BLOCKS[True]
    masked = fastyaml._shape
    try:
        fastyaml._shape = None  # type: ignore[assignment]  # (any masking fails the test)
        with no_walk():
            brief = fast_load(head + block, articles.SUMMARY_FIELDS)
        assert brief == {"title": "T", "published": True, "provider": UNBUILT}
    finally:
        fastyaml._shape = masked  # type: ignore[assignment]
    fastyaml._SHAPES.clear()
    walked: list[str] = []
    nested = fastyaml._nested

    def counted(text: str, folds: bool) -> Any:
        walked.append(text)
        return nested(text, folds)

    fastyaml._nested = counted  # type: ignore[assignment]
    try:
        assert fast_load(head + block, articles.SUMMARY_FIELDS) == brief
    finally:
        fastyaml._nested = nested  # type: ignore[assignment]
    assert walked == [block]
    assert not same_as_pyyaml(head + block.replace("fabrikam.example.com", "x: y"))
    known = fastyaml._KNOWN_BLOCKS[False]
    known.clear()
    for n in range(fastyaml.MAX_SHAPES + 1):  # (no room: the others are forgotten)
        fastyaml._know(f"  name: n{n}\n", "\n  name: \0\n", known)
    assert list(known) == [f"  name: n{fastyaml.MAX_SHAPES}\n"]


def test_the_table_names_the_article_fields_in_their_order() -> None:
    """build_article makes its Article by position: the named steps of
    :data:`feedpub.articles.FIELDS` are its fields after ``path``, in their order, and
    ``dropped`` is last."""
    import dataclasses

    from feedpub.model import Article

    names = [f.name for f in dataclasses.fields(Article)]
    assert names == ["path", *(f.name for f in articles.FIELDS if f.name), "dropped"]


def test_a_zone_of_no_offset_ever_gives_each_related_item_its_utc_day() -> None:
    """_related says no local day in a zone whose offset is none at any moment (the
    default ZoneInfo("UTC")) without looking: as in_zone would find it, also at the
    ends of the dates; a zone that ever had another offset is looked at."""
    from zoneinfo import ZoneInfo

    from feedpub.model import in_zone

    moments = [datetime(1970, 1, 1, tzinfo=UTC), datetime(2024, 3, 30, 23, 30, tzinfo=UTC),
               datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]  # fmt: skip
    for name in ("UTC", "Etc/UTC", "Etc/GMT", "Etc/Zulu"):
        zone = ZoneInfo(name)
        assert zone.utcoffset(None) == articles._NO_OFFSET
        assert all(in_zone(m, zone).date() == m.date() for m in moments)
    for name in ("Europe/Berlin", "Asia/Kolkata", "America/New_York"):
        assert ZoneInfo(name).utcoffset(None) is None
    item = {"title": "T", "webUrl": "https://e.com/b", "publishedDateTime": moments[1]}
    berlin, utc = ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")
    assert articles._related([item], utc)[0].local_date is None
    assert articles._related([item], berlin)[0].local_date == in_zone(moments[1], berlin).date()
    assert in_zone(moments[1], berlin).date() != moments[1].date()  # (another day there)


@pytest.mark.parametrize(
    "block",
    [
        "a: 1\na: 2\n",
        "title: T\nb: x\ntitle: U\n",
        "a:\n  k: 1\nb: 2\na: 3\n",
        "a: 1\nb:\n  - x\na:\n  k: 1\n",
        "topics:\n  - x\ntopics:\n  - y\n",
        "a: 1\n\na:\n",
        "b: x\n'a': 1\n\"a\": 2\n",
    ],
)
def test_a_top_level_key_twice_is_pyyaml_s_to_judge_whatever_the_values(block: str) -> None:
    """A key written twice at the top level (found after every segment is read, each of
    them giving its key a value): PyYAML's, with or without ``only``."""
    assert fast_load(block) is None
    for only in (articles.SUMMARY_FIELDS, frozenset({"a"}), frozenset()):
        assert fast_load(block, only) is None, only
    assert not same_as_pyyaml(block)


@pytest.mark.parametrize(
    "value",
    [0, 1, -1, 95, 2**53 - 1, 2**53, 2**53 + 1, -(2**53), -(2**53) - 1, 10**300, 10**400,
     -(10**400), True, False, 95.5, float("nan"), float("inf"), "95", " 7.5 ", "x", None],
)  # fmt: skip
def test_a_number_on_the_int_shortcut_is_what_the_float_of_it_gives(value: object) -> None:
    """_number's shortcut for an int a float holds exactly gives what its general steps
    give (a float, None for bool or one too large for a float)."""
    if isinstance(value, str) and articles._NUMBER_TEXT.fullmatch(value):
        expected: Any = float(value)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        expected = None
    else:
        try:
            expected = float(value)
        except OverflowError:
            expected = None
        else:
            expected = expected if expected == expected and abs(expected) != float("inf") else None
    assert repr(articles._number(value)) == repr(expected)


@pytest.mark.parametrize(
    "value",
    [None, "AI", 2024, 1.5, True, {"a": 1}, ["AI", "AI", None, 3], [], ("AI",)],
)
def test_topics_of_a_list_or_of_anything_else_are_read_as_before(value: object) -> None:
    """_topics tests a value's kind only when it is no list: a single topic, a number,
    None and a wrong kind are read (or rejected) as ever; a list gives its names."""
    try:
        got: object = articles._topics(value)
    except articles.FieldError as e:
        got = str(e)
    expected = {None: (), "AI": ("AI",), 2024: ("2024",), 1.5: ("1.5",)}
    if type(value) is list:
        assert got == tuple(dict.fromkeys(str(v) for v in value if v is not None))
    elif value is True:
        assert got == articles._BOOLEAN_TOPIC
    elif isinstance(value, dict | tuple):
        assert got == "topics must be a list of topic names"
    else:
        assert got == expected[value]  # type: ignore[index]
