#!/usr/bin/env bash
# Smoke test of the built PyInstaller bundle (run by `make smoke-package` after `make package`).
#
#   packaging/smoke-test.sh [BUNDLE_DIR]        (default: dist/pipedriven-desktop)
#
# Runs the bundled executable the way a user's desktop would, but offscreen and in a
# throw-away HOME/XDG tree with an empty environment, so it never reads or writes the
# user's data, settings or keychain:
#   1. --version                    exits 0 and prints the pyproject.toml version;
#   2. export --db NEW_FILE         exits 0 and prints a JSON list: SQLAlchemy, SQLite and the
#                                   Alembic migrations (shipped as data files) work frozen;
#      sync (no token)              exits 2 asking for a token: keyring and its backends load;
#   3. --demo --screenshot PNG      exits 0 and writes a real PNG of the painted main window
#                                   (skipped, loudly, while the source tree has no GUI yet);
#   4. the .desktop launcher        passes desktop-file-validate.
# Each run has a timeout. Ends with "smoke: N passed, N failed"; exit status 1 on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP=pipedriven-desktop
BUNDLE="$(cd "${1:-$ROOT/dist/$APP}" 2>/dev/null && pwd)" || {
  echo "smoke: no bundle at ${1:-$ROOT/dist/$APP}; run 'make package' first" >&2
  exit 1
}
EXE="$BUNDLE/$APP"
TIMEOUT="${SMOKE_TIMEOUT:-90}"
VERSION="$(sed -n 's/^version *= *"\(.*\)".*/\1/p' "$ROOT/pyproject.toml" | head -n1)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/$APP-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"/{home,data,config,cache,state,runtime}
chmod 700 "$WORK/runtime"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# Run the bundle with nothing of the caller's environment but PATH: no DISPLAY, no D-Bus
# session (so no keychain), no PIPEDRIVE_API_TOKEN.
run_app() {
  timeout --kill-after=10 "$TIMEOUT" env -i \
    PATH="/usr/local/bin:/usr/bin:/bin" \
    HOME="$WORK/home" \
    XDG_DATA_HOME="$WORK/data" \
    XDG_CONFIG_HOME="$WORK/config" \
    XDG_CACHE_HOME="$WORK/cache" \
    XDG_STATE_HOME="$WORK/state" \
    XDG_RUNTIME_DIR="$WORK/runtime" \
    LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen \
    "$EXE" "$@"
}

show_log() {
  echo "---- $1 (last 40 lines) ----"
  tail -n 40 "$2"
  echo "----"
}

if [ ! -x "$EXE" ]; then
  echo "smoke: $EXE is missing or not executable" >&2
  exit 1
fi
echo "smoke: testing $EXE (bundle $(du -sh "$BUNDLE" | cut -f1), version $VERSION)"

# 1. --version
out="$WORK/version.out"
if run_app --version >"$out" 2>&1; then
  if grep -qx "$APP $VERSION" "$out"; then
    pass "--version prints '$APP $VERSION'"
  else
    fail "--version printed '$(head -c 200 "$out")', expected '$APP $VERSION'"
  fi
else
  fail "--version exited $?"
  show_log "--version output" "$out"
fi

# 2. export on a new database: creates it through the bundled Alembic migrations.
out="$WORK/export.out"
if run_app export --db "$WORK/mirror.sqlite3" --limit 5 >"$out" 2>"$WORK/export.err"; then
  if [ "$(head -c 1 "$out")" = "[" ] && [ -s "$WORK/mirror.sqlite3" ]; then
    pass "export migrated a new database and printed JSON"
  else
    fail "export printed '$(head -c 200 "$out")' or did not create the database"
  fi
else
  fail "export exited $?"
  show_log "export stderr" "$WORK/export.err"
fi

# 2b. sync without a token: the keyring (backends found through entry-point metadata) loads in
# the bundle, finds no keychain on this empty session and the command refuses cleanly.
run_app sync --db "$WORK/sync.sqlite3" >"$WORK/sync.out" 2>&1
status=$?
if [ "$status" -eq 2 ] && grep -qi "token" "$WORK/sync.out" && ! grep -q "Traceback" "$WORK/sync.out"; then
  pass "sync without a token loads the keyring and exits 2 asking for a token"
else
  fail "sync without a token exited $status"
  show_log "sync output" "$WORK/sync.out"
fi

# 3. the GUI on the demo account, painted and saved.
if [ ! -f "$ROOT/pipedriven_desktop/app.py" ] && [ -z "${SMOKE_REQUIRE_GUI:-}" ]; then
  echo "SKIP --demo --screenshot: pipedriven_desktop/app.py does not exist yet (no GUI to test)"
else
  shot="$WORK/screenshot.png"
  start_ns=$(date +%s%N)
  if run_app --demo --screenshot "$shot" >"$WORK/gui.log" 2>&1; then
    ms=$((($(date +%s%N) - start_ns) / 1000000))
    seconds="$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
    signature=$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')
    # IHDR: width and height are the big-endian words at bytes 16..23.
    width_hex=$(od -An -tx1 -j16 -N4 "$shot" 2>/dev/null | tr -d ' \n')
    height_hex=$(od -An -tx1 -j20 -N4 "$shot" 2>/dev/null | tr -d ' \n')
    width=$((16#${width_hex:-0}))
    height=$((16#${height_hex:-0}))
    if [ "$signature" = "89504e470d0a1a0a" ] && [ "$size" -gt 10000 ] \
        && [ "$width" -ge 400 ] && [ "$height" -ge 300 ]; then
      pass "--demo --screenshot wrote a ${width}x${height} PNG of $((size / 1024)) KiB in ${seconds}s"
      if [ -n "${SMOKE_KEEP_SCREENSHOT:-}" ]; then
        cp "$shot" "$SMOKE_KEEP_SCREENSHOT"
      fi
    else
      fail "--demo --screenshot: PNG missing or trivial (signature $signature, $size bytes, ${width}x${height})"
      show_log "GUI output" "$WORK/gui.log"
    fi
  else
    fail "--demo --screenshot exited $? (124 = timed out after ${TIMEOUT}s)"
    show_log "GUI output" "$WORK/gui.log"
  fi
fi

# 4. the launcher file.
desktop="$BUNDLE/_internal/resources/$APP.desktop"
[ -f "$desktop" ] || desktop="$ROOT/resources/$APP.desktop"
if ! command -v desktop-file-validate >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] \
    && command -v apt-get >/dev/null 2>&1; then
  echo "smoke: installing desktop-file-utils for desktop-file-validate"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends desktop-file-utils) >/dev/null 2>&1 || true
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
  if desktop-file-validate "$desktop" >"$WORK/desktop.out" 2>&1; then
    pass "desktop-file-validate $(basename "$desktop")"
  else
    fail "desktop-file-validate: $(cat "$WORK/desktop.out")"
  fi
else
  echo "SKIP desktop-file-validate: not installed (apt-get install desktop-file-utils)"
fi

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
