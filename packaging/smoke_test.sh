#!/usr/bin/env bash
# Smoke test of the frozen Linux build: it starts, knows its version, and passes its self-test
# (encrypted profile, package sealing, main window rendered offscreen).
set -euo pipefail
exe=${1:-dist/cordon/cordon}
expected=$(python3 -c 'import re,sys; print(re.search(r"__version__ = \"(.+)\"", open("sync/__init__.py").read()).group(1))')
got=$("$exe" --version)
if [ "$got" != "cordon $expected" ]; then
  echo "smoke test: --version printed '$got', expected 'cordon $expected'" >&2
  exit 1
fi
QT_QPA_PLATFORM=offscreen "$exe" self-test
echo "smoke test: ok ($got)"
