#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit tests, the CLI and end-to-end sound
# tests (each of those starts its own private PulseAudio server with a null sink).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n[test] %s\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --check

step "lints (cargo clippy --all-targets -- -D warnings)"
cargo clippy --locked --all-targets --quiet -- -D warnings

step "tests (cargo test)"
cargo test --locked

step "all passed"
