#!/usr/bin/env bash
# Create .venv, install the locked dependencies and the package, and make sure ffmpeg
# is on PATH (apt-get when we are root, a clear message otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ffmpeg with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
  else
    echo "bootstrap: ffmpeg and ffprobe are required; install them (e.g. 'sudo apt-get install ffmpeg')" >&2
    exit 1
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
