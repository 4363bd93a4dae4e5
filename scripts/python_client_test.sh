#!/usr/bin/env bash
# The Python client's tests (clients/python/tests) against a real `cubeseg serve`.
# Usage: scripts/python_client_test.sh [BIN=.build/release/cubeseg] [pytest arguments...]
#
# Creates (or reuses) a venv at .build/pyclient-venv with the system's site packages,
# installs ./clients/python with its [test,xarray,progress] extras (from PyPI), and runs pytest with
# CUBESEG_BIN=BIN; the tests start their own servers on free ports with temporary data
# directories. Exits with pytest's status.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.build/release/cubeseg}"
[ $# -gt 0 ] && shift
[ -x "$BIN" ] || { echo "no cubeseg binary at $BIN: run make build, or pass its path" >&2; exit 1; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

VENV=.build/pyclient-venv
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p .build
  "${PYTHON:-python3}" -m venv --system-site-packages "$VENV" \
    || { echo "cannot create a venv: on Debian, apt-get install python3-venv" >&2; exit 1; }
fi

# Installed from a copy of the package, so that the build leaves no build/ or *.egg-info
# in the work tree (and no stale build/ of an earlier run is installed).
copy=$(mktemp -d /tmp/cubeseg-pyclient.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -R clients/python/. "$copy/"
rm -rf "$copy/build" "$copy"/src/*.egg-info
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$copy[test,xarray,progress]"

CUBESEG_BIN="$BIN" "$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider -p no:benchmark clients/python/tests "$@"
