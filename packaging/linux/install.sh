#!/bin/sh
# Install Cordon from the unpacked release folder this script sits in.
#   ./install.sh            for this user: ~/.local/opt/cordon, ~/.local/bin/cordon, menu entry
#   ./install.sh --system   for every user: /opt/cordon, /usr/local/bin/cordon (run as root)
#   ./install.sh --uninstall [--system]
# Nothing outside these places is touched; profiles (~/.local/share/cordon) are never removed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
app_id=org.cordonproject.Cordon
if [ "${1:-}" = "--uninstall" ]; then action=uninstall; shift; else action=install; fi
if [ "${1:-}" = "--system" ]; then
  opt=/opt/cordon; bin=/usr/local/bin; share=/usr/local/share
elif [ -z "${1:-}" ]; then
  opt=${HOME}/.local/opt/cordon; bin=${HOME}/.local/bin; share=${XDG_DATA_HOME:-${HOME}/.local/share}
else
  echo "usage: $0 [--uninstall] [--system]" >&2; exit 2
fi
if [ "$action" = uninstall ]; then
  rm -rf "$opt"
  rm -f "$bin/cordon" "$share/applications/$app_id.desktop" "$share/metainfo/$app_id.metainfo.xml"
  find "$share/icons/hicolor" -name "$app_id.*" -delete 2>/dev/null || true
  echo "Cordon removed (profiles are kept)."
  exit 0
fi
[ -x "$here/cordon" ] || { echo "$here/cordon is missing: run this from the unpacked release" >&2; exit 1; }
mkdir -p "$opt" "$bin" "$share/applications" "$share/metainfo"
# Replace an older copy whole, so no stale module of a previous version is left behind.
rm -rf "$opt.new"; cp -a "$here" "$opt.new"; rm -rf "$opt"; mv "$opt.new" "$opt"
ln -sf "$opt/cordon" "$bin/cordon"
sed "s|^Exec=cordon|Exec=$opt/cordon|" "$here/share/applications/$app_id.desktop" \
  > "$share/applications/$app_id.desktop"
cp "$here/share/metainfo/$app_id.metainfo.xml" "$share/metainfo/"
cp -R "$here/share/icons" "$share/"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$share/applications" || true
echo "Cordon installed in $opt; start it from the menu or with: $bin/cordon"
