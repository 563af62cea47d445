#!/usr/bin/env bash
# Install everything the test suite needs (system packages too, as root or via sudo),
# then run the whole suite inside an isolated, unlocked Secret Service (real keyring).
# Usage: bash tests/run-all.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES="xvfb xauth imagemagick x11-utils libegl1 libgl1 libfontconfig1 libdbus-1-3
 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
 fonts-noto-cjk fonts-noto-color-emoji gnome-keyring dbus python3-venv
 desktop-file-utils appstream"

missing=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
# Node.js and npm for the reference MCP server: only when the commands are missing. A
# machine may carry another Node.js build (e.g. NodeSource's, which has npm inside and
# conflicts with Debian's npm package): then nothing is installed.
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "Installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

PY="${PYTHON:-python3}"
VENV="${CHATDESK_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"
"$VENV/bin/python" -m pip install -q "pyinstaller>=6"

# The reference MCP server in Node the tool tests drive (skipped only without node/npm).
VENV_ABS="$(cd "$VENV" && pwd)"
EVERYTHING="$VENV_ABS/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
if command -v npm >/dev/null && command -v node >/dev/null && [ ! -f "$EVERYTHING" ]; then
  npm install -s --prefix "$VENV_ABS/npm" --no-audit --no-fund @modelcontextprotocol/server-everything
fi
export CHATDESK_TEST_MCP_EVERYTHING="$EVERYTHING"

"$VENV/bin/ruff" check chatdesk tests
"$VENV/bin/ruff" format --check chatdesk tests
# Type-check the whole package (settings in pyproject.toml [tool.mypy]).
"$VENV/bin/python" -m mypy chatdesk

# The PyInstaller bundle: build dist/chatdesk/ and smoke-test it (about 30 s).
"$VENV/bin/python" packaging/build.py

exec dbus-run-session -- sh -c '
  export XDG_DATA_HOME="$(mktemp -d)"
  eval "$(printf %s ci-pass | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$0" "$@"' "$VENV/bin/python" -m pytest -q "$@"
