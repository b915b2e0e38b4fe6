#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit tests, the CLI and end-to-end sound
# tests (each of those starts its own private PulseAudio server with a null sink), then the
# Debian package built and checked.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n[test] %s\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --check

step "lints (cargo clippy --release --all-targets -- -D warnings)"
# In the release profile, so the build scripts (Signalsmith's C++, bindgen) and proc macros it
# builds are the ones the tests below use, not built a second time.
cargo clippy --release --locked --all-targets --quiet -- -D warnings

step "tests (cargo test)"
log=target/test-output.log
cargo test --release --locked 2>&1 | tee "$log"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"


step "package (scripts/package.sh, then scripts/check-package.sh)"
# Reuses the release build above and the screenshots the window tests just took.
scripts/package.sh
scripts/check-package.sh
