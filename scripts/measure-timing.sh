#!/usr/bin/env bash
# Click timing as a listener hears it: the real binary plays through a private PulseAudio null
# sink (the same path as a laptop's sound card), parecord records the sink's monitor, and every
# click is found in the recorded samples. Prints, for `play` at 180 spm (30 s), the window at
# 170 spm (20 s), and both through a sound server killed and restarted: clicks heard, tempo
# error and the largest deviation from the exact beat grid.
# Usage: scripts/measure-timing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test >/dev/null
cargo test --release --locked --quiet --test play_e2e --test window_e2e --test window_faults \
    -- --nocapture --test-threads 1 2>&1 |
    grep -oE '(heard|window|server killed|[0-9]+ of [0-9]+ gaps).*' || {
    echo "the timing tests did not run; see cargo test --release --test play_e2e" >&2
    exit 1
}
