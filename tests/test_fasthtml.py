"""feedpub.fasthtml: a fragment it recognises is exactly what the sanitiser of record
(nh3) gives back, and holds exactly the findings the check of record (lxml's HTML
parser) finds; the bodies feedpub writes are recognised, so the fast path carries
the load. Checked on the benchmark corpus in every style, the sample content, the
seeds, the hostile fixtures, and generated fragments.
"""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import fasthtml
from feedpub.articles import load_article
from feedpub.errors import ArticleError
from feedpub.formats.items import content_html
from feedpub.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    FORBIDDEN_TAGS,
    URL_ATTRS,
    clean_html,
    html_findings,
    parsed_html_findings,
    sanitize,
)

from .conftest import DATA, ROOT, SEEDS

sys.path.insert(0, str(ROOT / "bench"))
from corpus import STYLES, generate


def agrees(fragment: str) -> bool:
    """Whether the fast path took ``fragment`` (True) or left it to nh3 and lxml
    (False); fails where it took it and they would say otherwise."""
    urls = fasthtml.canonical(fragment)
    assert sanitize(fragment) == clean_html(fragment), fragment
    assert html_findings(fragment) == parsed_html_findings(fragment), fragment
    if urls is None:
        return False
    assert clean_html(fragment) == fragment, fragment
    for element in _elements(fragment):  # what fasthtml says its shapes hold
        assert element.tag in fasthtml.ELEMENTS, fragment
        assert set(element.attrib) <= fasthtml.ATTRIBUTES, fragment
    return True


def _elements(fragment: str) -> list[Any]:
    from lxml import html as lxml_html

    if not fragment:
        return []
    return [e for f in lxml_html.fragments_fromstring(fragment) if not isinstance(f, str)
            for e in f.iter()]  # fmt: skip


def bodies(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.txt")):
        try:
            article = load_article(str(path), path.read_bytes(), UTC)
        except ArticleError:
            continue
        out.append(content_html(article))
    return out


@pytest.mark.parametrize("style", STYLES)
def test_every_body_of_the_benchmark_corpus_is_recognised(tmp_path: Path, style: str) -> None:
    generate(tmp_path, 300, seed=11, layout="flat", style=style)
    found = [agrees(body) for body in bodies(tmp_path / "content")]
    assert len(found) > 150
    assert all(found)


@pytest.mark.parametrize(
    "folder", [ROOT / "content", SEEDS, DATA / "hostile"], ids=["content", "seeds", "hostile"]
)
def test_bodies_of_real_and_hostile_files_agree(folder: Path) -> None:
    found = [agrees(body) for body in bodies(folder)]
    assert found
    if folder != DATA / "hostile":
        assert all(found)


def test_what_the_shapes_use_is_allowed_and_breaks_no_rule() -> None:
    """So that the findings of a recognised fragment are those of its URLs alone."""
    allowed = {a for attrs in ALLOWED_ATTRIBUTES.values() for a in attrs} | {"rel"}
    assert fasthtml.ELEMENTS <= ALLOWED_TAGS
    assert allowed >= fasthtml.ATTRIBUTES
    assert not fasthtml.ELEMENTS & FORBIDDEN_TAGS
    assert not {a for a in fasthtml.ATTRIBUTES if a.startswith("on") or a == "style"}
    assert {"href", "src"} == fasthtml.ATTRIBUTES & URL_ATTRS


LINK = '<a href="{}" rel="noopener noreferrer">{}</a>'


@pytest.mark.parametrize(
    ("fragment", "taken"),
    [
        ('<p><img src="https://a.example/x.jpg" alt="A &amp; B" width="10"></p>', True),
        ("<p>3 &lt; 5 &amp; &quot;x&quot;</p>", False),  # nh3 writes a quote as it is
        ("<p>a\xa0b</p>", False),  # nh3 writes &nbsp;
        ("<p>a&nbsp;b</p>", True),
        ("<p>a\rb</p>", False),
        ("<p>a\x85b</p>", False),
        ("<p>a<br>b</p>", True),  # (an excerpt's line break)
        ("<p>a<br/>b</p>", False),  # nh3 writes <br>
        ("<p>a</p><br>", False),
        ("<p>a<br></br>b</p>", False),
        ("<p>x</p>\n", False),
        ("<p>x</p>\n<p>y</p>", True),  # (a line break between blocks, as content_html writes)
        ("<p>x</p>\n\n<p>y</p>", False),
        ("<p>x</p>\ny", False),
        ("<p>x</p>\n<script>alert(1)</script>", False),
        ("<h3>x</h3>\n<ul>\n<li>t</li>\n<li>u</li>\n</ul>", True),
        ("<p><p>x</p></p>", False),  # a parser closes the first paragraph
        ("<h3>x</h3><ul><li>" + LINK.format("https://a.example/", "t") + "</li></ul>", True),
        ("<ul><li>" + LINK.format("https://a.example/", LINK) + "</li></ul>", False),
        ("<p>" + LINK.format("https://a.example/", "x") + "</p>", True),
        ('<p><a href="https://a.example/">x</a></p>', False),  # no rel yet
        ("<p>" + LINK.format("javascript:alert(1)", "x") + "</p>", False),
        ("<p>" + LINK.format("https://1.2.3.999/", "x") + "</p>", False),  # nh3 drops it
        ("<p>" + LINK.format("https://a.0x1f/", "x") + "</p>", False),
        ("<p>" + LINK.format("https://xn--zz.example/", "x") + "</p>", False),
        ("<p>" + LINK.format("https://A.example/", "x") + "</p>", False),
        ("<p>" + LINK.format("https://a.example:8080/", "x") + "</p>", False),
        ("<p>" + LINK.format("https://a.example/a b", "x") + "</p>", False),
        ("<p>" + LINK.format("https://a.example/?a=1&amp;b=2", "x") + "</p>", True),
        ('<ul><li>t <small>P, <time datetime="2021-05-24T01:52:55Z">24 May</time></small></li></ul>',
         True),
        ("<p>x</p><script>alert(1)</script>", False),
        ('<p onclick="x">x</p>', False),
        ("<p>x<!-- c --></p>", False),
        ("<p>x", False),
        ("x", False),
        ("", True),
    ],
)  # fmt: skip
def test_fragments(fragment: str, taken: bool) -> None:
    assert agrees(fragment) is taken


def test_a_link_with_a_url_the_checks_refuse_is_found_either_way() -> None:
    """An http(s) URL with a space is absolute for nh3 but not plain for the fast path:
    both paths give the same finding, or none."""
    fragment = "<p>" + LINK.format("https://a.example/ x", "x") + "</p>"
    assert html_findings(fragment) == parsed_html_findings(fragment)


#: Characters that matter to an HTML parser, to nh3's serialiser or to the recogniser.
ODD = "&<>\"' \n\t;#\xa0\r\x00\x01\x0c\x7f\x85\u2028\ufdd0\ufffd\U0001f600éa1"
texts = st.text(alphabet=ODD, max_size=12) | st.sampled_from(
    ["&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#38;", "&amp", "&bogus;", "R&amp;D"]
)
urls = st.sampled_from([
    "https://a.example/", "http://b.example/x?y=1&amp;z=2", "https://a.example/a b",
    "https://1.2.3.4/", "https://a.b1/", "https://-a-.example/", "https://a.example./",
    "https://xn--bcher-kva.example/", "javascript:x", "//a.example/", "https://a.example:1/",
    "https://A.example/", "https://a..example/", "https://a.example/#f", "mailto:x@a.example",
    "https://a.example/\u00e9", "https://a.example/&quot;", "",
])  # fmt: skip


@st.composite
def fragments(draw: st.DrawFn) -> str:
    """Bodies shaped like content_html's (often recognised), with odd texts, odd URLs,
    and now and then a tag out of place."""

    def link() -> str:
        return LINK.format(draw(urls), draw(texts))

    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["img", "p", "a", "list", "odd"]))
        if kind == "img":
            parts.append(
                f'<p><img src="{draw(urls)}" alt="{draw(texts)}" width="{draw(texts)}"></p>'
            )
        elif kind == "p":  # (lines, as an excerpt's: a <br> between them)
            lines = [draw(texts) for _ in range(draw(st.integers(1, 3)))]
            parts.append(f"<p>{'<br>'.join(lines)}</p>")
        elif kind == "a":
            parts.append(f"<p>{link()}</p>")
        elif kind == "list":
            items = [f"<li>{link()} <small>{draw(texts)}, <time datetime=\"{draw(texts)}\">"
                     f"{draw(texts)}</time></small></li>" for _ in range(draw(st.integers(0, 3)))]  # fmt: skip
            gap = draw(st.sampled_from(["", "\n"]))  # (as content_html parts them)
            parts.append(f"<h3>{draw(texts)}</h3>{gap}<ul>{gap}{gap.join(items)}{gap}</ul>")
        else:
            parts.append(draw(st.sampled_from(
                ["<p>", "</p>", "<br>", "<figure>", "<em>x</em>", "<p><ul></ul></p>", "<a>",
                 '<img src="https://a.example/" alt="">', "<li>x</li>", "<h3><h3>x</h3></h3>"]
            )))  # fmt: skip
    return draw(st.sampled_from(["", "\n"])).join(parts)


@settings(max_examples=400, deadline=None)
@given(fragments())
@example("<p>" + LINK.format("https://a.example/", "&amp;") + "</p>")
def test_generated_fragments(fragment: str) -> None:
    agrees(fragment)
