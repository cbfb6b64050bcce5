#!/usr/bin/env bash
# Create .venv, install the locked dependencies and the package, and make sure ffmpeg
# (required) and chromium (browser tests) are installed (apt-get when we are root, a
# clear message otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# ffmpeg is required; Debian's chromium runs the browser tests (Playwright drives it,
# never downloading a browser of its own). When root, apt-get brings what is missing.
missing=()
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  missing+=(ffmpeg)
fi
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${missing[*]} with apt-get" >&2
    apt-get update -qq
    for package in "${missing[@]}"; do
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
        || echo "bootstrap: apt-get could not install $package" >&2
    done
  fi
  if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
    echo "bootstrap: ffmpeg and ffprobe are required; install them (e.g. 'sudo apt-get install ffmpeg')" >&2
    exit 1
  fi
  if [ ! -x /usr/bin/chromium ]; then
    echo "bootstrap: WARNING: no /usr/bin/chromium, so the browser tests will be skipped; install it with 'sudo apt-get install chromium'" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# This machine's pip config lists local indexes that may be absent; pip warns about
# each of them on every install, which buries real errors.
quiet_pip() { .venv/bin/python -m pip "$@" 2> >(grep -v "is ignored: it is neither" >&2); }
quiet_pip install -q --upgrade pip >/dev/null
quiet_pip install -q -r requirements.lock
quiet_pip install -q --no-deps -e .
touch .venv/bin/gql-media

# The JavaScript clients the tests drive (tus-js-client), pinned by package-lock.json.
# Without npm those tests skip loudly (and fail under CI=true).
if command -v npm >/dev/null 2>&1; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
else
  echo "bootstrap: WARNING: no npm, so the tus-js-client tests will be skipped; install nodejs and npm" >&2
fi
