#!/usr/bin/env bash
# Put the PyInstaller bundle in the current user's application menu (Linux, freedesktop.org).
#
#   packaging/install-desktop.sh [--bundle DIR] [--in-place] [--uninstall]
#
# By default the bundle (dist/pipedriven-desktop) is copied to
# ~/.local/lib/pipedriven-desktop, so that `make clean` or a rebuild does not break the
# launcher; --in-place points the launcher at DIR as it is instead. Installs:
#   ~/.local/share/applications/pipedriven-desktop.desktop   (Exec= the bundle's executable)
#   ~/.local/share/icons/hicolor/<N>x<N>/apps/pipedriven-desktop.png, scalable/.../.svg
# Running it again replaces what it installed (idempotent). --uninstall removes exactly
# those files and the copied bundle; the user's data (~/.local/share/pipedriven-desktop) and
# the token in the keychain are never touched.
set -euo pipefail

APP=pipedriven-desktop
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$ROOT/dist/$APP"
IN_PLACE=0
ACTION=install

usage() { sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) BUNDLE="${2:?--bundle needs a directory}"; shift 2 ;;
    --bundle=*) BUNDLE="${1#--bundle=}"; shift ;;
    --in-place) IN_PLACE=1; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-desktop: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
APPLICATIONS="$DATA_HOME/applications"
ICON_THEME="$DATA_HOME/icons/hicolor"
LIB_DIR="${PIPEDRIVEN_INSTALL_DIR:-$HOME/.local/lib/$APP}"
DESKTOP_FILE="$APPLICATIONS/$APP.desktop"
SIZES=(16 32 48 64 128 256 512)

refresh_caches() {
  # Menus and icon themes pick changes up by themselves on most desktops; these make it
  # immediate where the tools exist.
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$APPLICATIONS" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$ICON_THEME/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$ICON_THEME" 2>/dev/null || true
  fi
  touch "$ICON_THEME" 2>/dev/null || true
}

if [ "$ACTION" = uninstall ]; then
  rm -f "$DESKTOP_FILE"
  for size in "${SIZES[@]}"; do
    rm -f "$ICON_THEME/${size}x${size}/apps/$APP.png"
  done
  rm -f "$ICON_THEME/scalable/apps/$APP.svg"
  # Only remove a bundle copy this script made (it leaves a marker file in it).
  if [ -f "$LIB_DIR/.installed-by-install-desktop" ]; then
    rm -rf "$LIB_DIR"
  fi
  [ -d "$APPLICATIONS" ] && refresh_caches
  echo "Removed the $APP launcher, icons and bundle copy (your data was left alone)."
  exit 0
fi

BUNDLE="$(cd "$BUNDLE" 2>/dev/null && pwd)" || {
  echo "install-desktop: no bundle at $BUNDLE; build it first with 'make package'" >&2
  exit 1
}
if [ ! -x "$BUNDLE/$APP" ]; then
  echo "install-desktop: $BUNDLE/$APP is missing or not executable; run 'make package'" >&2
  exit 1
fi

if [ "$IN_PLACE" = 1 ]; then
  TARGET="$BUNDLE"
  # A copy from an earlier default install would only go stale: drop it.
  if [ "$LIB_DIR" != "$TARGET" ] && [ -f "$LIB_DIR/.installed-by-install-desktop" ]; then
    rm -rf "$LIB_DIR"
  fi
else
  TARGET="$LIB_DIR"
  if [ "$BUNDLE" != "$TARGET" ]; then
    # Copy to a sibling, then swap, so a failed copy never leaves a half bundle behind.
    mkdir -p "$(dirname "$TARGET")"
    rm -rf "$TARGET.new"
    cp -a "$BUNDLE" "$TARGET.new"
    touch "$TARGET.new/.installed-by-install-desktop"
    rm -rf "$TARGET"
    mv "$TARGET.new" "$TARGET"
  fi
fi
EXE="$TARGET/$APP"

# Launcher assets: from the bundle (so a bundle copied elsewhere installs on its own), else
# from this checkout.
ASSETS="$TARGET/_internal/resources"
[ -f "$ASSETS/$APP.desktop" ] || ASSETS="$ROOT/resources"
for needed in "$ASSETS/$APP.desktop" "$ASSETS/$APP.svg"; do
  [ -f "$needed" ] || { echo "install-desktop: missing $needed" >&2; exit 1; }
done

# Exec/TryExec get the absolute path, quoted and escaped as the Desktop Entry spec asks:
# inside double quotes \ " ` $ take a backslash, and as a string value each \ is doubled.
exec_arg() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')"
}
tryexec_value() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g'
}

mkdir -p "$APPLICATIONS"
tmpdir="$(mktemp -d)"
trap 'rm -rf "$tmpdir"' EXIT
tmp="$tmpdir/$APP.desktop"
sed -e "s|^Exec=.*|Exec=$(exec_arg "$EXE" | sed 's/[|&\\]/\\&/g')|" \
    -e "s|^TryExec=.*|TryExec=$(tryexec_value "$EXE" | sed 's/[|&\\]/\\&/g')|" \
    "$ASSETS/$APP.desktop" > "$tmp"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$tmp"
fi
chmod 644 "$tmp"
mv -f "$tmp" "$DESKTOP_FILE"

for size in "${SIZES[@]}"; do
  src="$ASSETS/icons/$APP-$size.png"
  [ -f "$src" ] || { echo "install-desktop: missing $src" >&2; exit 1; }
  install -D -m 644 "$src" "$ICON_THEME/${size}x${size}/apps/$APP.png"
done
install -D -m 644 "$ASSETS/$APP.svg" "$ICON_THEME/scalable/apps/$APP.svg"

refresh_caches
echo "Installed $APP: $DESKTOP_FILE -> $EXE"
