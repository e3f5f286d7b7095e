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
