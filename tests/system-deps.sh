#!/bin/sh
# The Debian packages the test suite needs beyond Python, installed when missing:
#   chromium  tests/test_page.py loads index.html in headless Chromium
#   sfeed     a strict C feed parser: the tests read the feeds with it as a real client
#   newsboat  a terminal feed reader: the tests read every feed and import feeds.opml with it
# Silent, and nothing done, when all are there. Otherwise: apt-get update and
# install, as root or through sudo -n (never a password prompt); when that cannot be
# done, one line on stderr says what is missing and how to install it, and the exit
# status is 1. The README's test command and .ci/run run this first.
set -u

me=tests/system-deps.sh
# command:package, for each tool the tests run
needs="chromium:chromium sfeed:sfeed newsboat:newsboat"

absent() {
  out=""
  for need in $needs; do
    command -v "${need%%:*}" >/dev/null 2>&1 || out="$out ${need#*:}"
  done
  echo "${out# }"
}

missing=$(absent)
[ -z "$missing" ] && exit 0

fail() {
  echo "$me: missing $missing, which the tests need; cannot install: $1." \
    "Install with: sudo apt-get install $missing" >&2
  exit 1
}

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo -n"
else
  fail "not root, and no sudo"
fi
command -v apt-get >/dev/null 2>&1 || fail "no apt-get (not Debian or Ubuntu)"

log=$(mktemp) || fail "mktemp failed"
trap 'rm -f "$log"' EXIT
# env: sudo resets the environment, DEBIAN_FRONTEND must reach apt-get through it
# shellcheck disable=SC2086 # $sudo and $missing are word lists
if ! {
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
} >"$log" 2>&1 </dev/null; then
  fail "apt-get failed: $(sed -n '/[^[:space:]]/h; ${x;p;}' "$log")"
fi
still=$(absent)
[ -z "$still" ] || { missing=$still; fail "not on PATH after apt-get install"; }
exit 0
