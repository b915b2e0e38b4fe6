#!/usr/bin/env bash
# Builds Cadence Coach (release) and starts it: the app window. Arguments go to the app, e.g.
# `scripts/run.sh play --spm 176` for the terminal metronome.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
export PATH="$HOME/.cargo/bin:$PATH"
echo "[run] building the release binary"
cargo build --release --locked --quiet
echo "[run] starting: cadence-coach $*"
exec target/release/cadence-coach "$@"
