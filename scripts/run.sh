#!/usr/bin/env bash
# Builds Cadence Coach (release) and starts it. Arguments go to the app; without any, it
# plays a 170 spm click track in the terminal (q stops) until the app window arrives.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
export PATH="$HOME/.cargo/bin:$PATH"
echo "[run] building the release binary"
cargo build --release --locked --quiet
if (($# == 0)); then
    set -- play --spm 170
fi
echo "[run] starting: cadence-coach $*"
exec target/release/cadence-coach "$@"
