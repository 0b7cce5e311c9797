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
# The per-user installer from the tarball: installs, the installed command runs, uninstalls.
app=$(dirname "$exe")
if [ -x "$app/install.sh" ]; then
  home=$(mktemp -d)
  HOME=$home XDG_DATA_HOME=$home/.local/share "$app/install.sh" >/dev/null
  [ "$("$home/.local/bin/cordon" --version)" = "cordon $expected" ]
  [ -f "$home/.local/share/applications/org.cordonproject.Cordon.desktop" ]
  grep -q "^Exec=$home/.local/opt/cordon/cordon" "$home/.local/share/applications/org.cordonproject.Cordon.desktop"
  HOME=$home XDG_DATA_HOME=$home/.local/share "$app/install.sh" --uninstall >/dev/null
  [ ! -e "$home/.local/bin/cordon" ]
  rm -rf "$home"
fi
echo "smoke test: ok ($got)"
