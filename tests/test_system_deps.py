"""tests/system-deps.sh installs the Debian packages the tests need, and .ci/run runs
exactly the README's test command.

The install path runs against fake ``apt-get``, ``sudo`` and ``id`` on a PATH that
holds only what the script needs: no system package is installed or removed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

SCRIPT = ROOT / "tests" / "system-deps.sh"
#: The real tools the script runs (besides apt-get, sudo and id, faked here), and chmod
#: for the fake apt-get.
TOOLS = ["env", "mktemp", "rm", "sed", "chmod"]

FAKE_APT = """#!/bin/sh
# records each call with the DEBIAN_FRONTEND it saw; "installs" by writing stubs
echo "apt-get $* DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset}" >> "$FAKE_LOG"
case "$FAKE_APT:$1" in
  fail:update) echo "E: Could not resolve 'deb.debian.org'" >&2; exit 100 ;;
  *:install) [ "$FAKE_APT" = noop ] && exit 0
    for pkg in "$@"; do
      case "$pkg" in -*|install) ;; *) printf '#!/bin/sh\\n' > "$FAKE_BIN/$pkg"
        chmod +x "$FAKE_BIN/$pkg" ;; esac
    done ;;
esac
exit 0
"""
#: sudo -n that resets the environment as the real one does (env_reset), or refuses
FAKE_SUDO = """#!/bin/sh
echo "sudo $*" >> "$FAKE_LOG"
[ "$1" = -n ] || { echo "sudo: expected -n" >&2; exit 1; }
shift
[ "$FAKE_SUDO" = refuse ] && { echo "sudo: a password is required" >&2; exit 1; }
exec env -i PATH="$PATH" FAKE_LOG="$FAKE_LOG" FAKE_BIN="$FAKE_BIN" FAKE_APT="$FAKE_APT" "$@"
"""


def fake(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")
    (folder / name).chmod(0o755)


def run(
    tmp_path: Path,
    *,
    present: tuple[str, ...] = (),
    uid: int = 0,
    sudo: str | None = None,
    apt: str | None = "ok",
) -> tuple[int, str, str, list[str]]:
    """Run the script on a PATH of the tools it needs, fakes and the ``present`` commands;
    (exit status, stdout, stderr, the calls to apt-get and sudo)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real, tool
        (bin_ / tool).symlink_to(real)
    fake(bin_, "id", f'#!/bin/sh\n[ "$1" = -u ] && echo {uid}\n')
    if apt is not None:
        fake(bin_, "apt-get", FAKE_APT)
    if sudo is not None:
        fake(bin_, "sudo", FAKE_SUDO)
    for name in present:
        fake(bin_, name, "#!/bin/sh\n")
    log = tmp_path / "calls"
    log.touch()
    env = {
        "PATH": str(bin_),
        "FAKE_LOG": str(log),
        "FAKE_BIN": str(bin_),
        "FAKE_APT": apt or "",
        "FAKE_SUDO": sudo or "",
    }
    result = subprocess.run(
        [str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return result.returncode, result.stdout, result.stderr, log.read_text().splitlines()


def test_the_script_is_executable_posix_sh() -> None:
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    dash = shutil.which("dash") or shutil.which("sh")
    assert dash
    assert subprocess.run([dash, "-n", str(SCRIPT)], check=False).returncode == 0


@pytest.mark.skipif(
    not all(map(shutil.which, ("chromium", "sfeed", "newsboat"))), reason="not installed here"
)
def test_on_this_machine_it_does_nothing_and_says_nothing() -> None:
    result = subprocess.run([str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_all_present_nothing_is_run(tmp_path: Path) -> None:
    assert run(tmp_path, present=("chromium", "sfeed", "newsboat")) == (0, "", "", [])


def test_as_root_it_installs_what_is_missing_quietly(tmp_path: Path) -> None:
    code, out, err, calls = run(tmp_path)
    assert (code, out, err) == (0, "", "")
    assert calls == [
        "apt-get update -qq DEBIAN_FRONTEND=noninteractive",
        "apt-get install -y -qq chromium sfeed newsboat DEBIAN_FRONTEND=noninteractive",
    ]
    assert (tmp_path / "bin" / "chromium").exists() and (tmp_path / "bin" / "sfeed").exists()


def test_only_the_missing_package_is_installed(tmp_path: Path) -> None:
    code, out, err, calls = run(tmp_path, present=("chromium", "newsboat"))
    assert (code, out, err) == (0, "", "")
    assert calls[-1] == "apt-get install -y -qq sfeed DEBIAN_FRONTEND=noninteractive"


def test_not_root_it_uses_sudo_n_and_debian_frontend_survives_it(tmp_path: Path) -> None:
    code, out, err, calls = run(tmp_path, uid=1000, sudo="allow")
    assert (code, out, err) == (0, "", "")
    assert calls == [
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get update -qq DEBIAN_FRONTEND=noninteractive",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium sfeed newsboat",
        "apt-get install -y -qq chromium sfeed newsboat DEBIAN_FRONTEND=noninteractive",
    ]


def one_line_failure(code: int, out: str, err: str, missing: str) -> str:
    assert code != 0 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"tests/system-deps.sh: missing {missing}, which the tests need;")
    assert err.rstrip().endswith(f"Install with: sudo apt-get install {missing}")
    return err


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"uid": 1000, "sudo": "refuse"}, "apt-get failed: sudo: a password is required"),
        ({"uid": 1000}, "not root, and no sudo"),
        ({"apt": "fail"}, "apt-get failed: E: Could not resolve 'deb.debian.org'"),
        ({"apt": None}, "no apt-get"),
        ({"apt": "noop"}, "not on PATH after apt-get install"),
    ],
)
def test_when_it_cannot_install_one_line_says_what_and_how(
    tmp_path: Path, setup: dict[str, object], reason: str
) -> None:
    code, out, err, _ = run(tmp_path, **setup)  # type: ignore[arg-type]
    assert reason in one_line_failure(code, out, err, "chromium sfeed newsboat")


def test_a_failure_names_only_what_is_missing(tmp_path: Path) -> None:
    code, out, err, _ = run(tmp_path, present=("sfeed", "newsboat"), uid=1000)
    one_line_failure(code, out, err, "chromium")


# ------------------------------------------------------------------ README and .ci/run


def readme_test_command() -> str:
    """The code line under the README's "Install the test tools" paragraph."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^Install the test tools[^\n]*\n\n    (\S[^\n]*)$", text, re.M)
    assert m, "README: the test command is gone"
    return m.group(1)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = readme_test_command()
    assert shlex.split(command)[0] == "tests/system-deps.sh"
    assert "pytest" in command
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # from the project root, in a fresh .venv (as on a fresh machine), that command only
    assert lines[:3] == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "rm -rf .venv"]
    assert [shlex.split(line) for line in lines[3:]] == [shlex.split(command)]
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
