"""ruff and mypy run with the test suite, so lint and types cannot rot."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

#: Every folder of Python we ship or run (bench/ holds the benchmark scripts).
PATHS = [p for p in ("feedpub", "tests", "bench") if (ROOT / p).is_dir()]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check() -> None:
    result = _run("ruff", "check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run("ruff", "format", "--check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_docstring_holds_a_lone_surrogate() -> None:
    """A docstring is compiled as text: Python 3.13 strips its indentation through
    UTF-8, and a lone surrogate in one (an escape such as ``\\udcc3`` written in a
    docstring that is not raw) made importing the module fail there, before any
    command ran (``UnicodeEncodeError: surrogates not allowed``). Each docstring of
    every module we ship or run is UTF-8 text."""
    import ast

    bad = []
    for folder in PATHS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                              | ast.AsyncFunctionDef):  # fmt: skip
                    doc = ast.get_docstring(node, clean=False)
                    try:
                        (doc or "").encode("utf-8")
                    except UnicodeEncodeError:
                        bad.append(f"{path.relative_to(ROOT)}:{node.body[0].lineno}")
    assert bad == []
