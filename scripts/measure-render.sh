#!/usr/bin/env bash
# Times `cadence-coach render` against klick (Debian's sample-accurate metronome) on the same
# hour at 48 kHz, in one run on one machine, and prints each as a multiple of real time.
# klick writes 16-bit mono; we render the same format, and stereo for reference.
# Usage: scripts/measure-render.sh [runs]   (default 5; the best and median are reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
if ! command -v klick >/dev/null 2>&1; then
    echo "[measure] installing klick for the comparison"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q klick >/dev/null
fi
scripts/setup.sh build >/dev/null
cargo build --release --locked --quiet
bin=target/release/cadence-coach
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

time_runs() { # label, command...
    local label=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        rm -f "$out"/*.wav
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk -v label="$label" '
        { t[NR] = $1 }
        END {
            best = t[1]; median = t[int((NR + 1) / 2)];
            printf "%-34s best %6.3f s (%5.0fx real time)   median %6.3f s (%5.0fx)\n",
                label, best, 3600 / best, median, 3600 / median
        }'
}

echo "One hour at 180 spm, 48 kHz, 16-bit, written to $(df --output=source "$out" | tail -1); $runs runs each"
time_runs "klick -W (mono)" klick -W "$out/klick.wav" -r 48000 2700 4/4 180
time_runs "cadence-coach render (mono)" "$bin" render --spm 180 --minutes 60 --channels 1 -o "$out/cc.wav"
time_runs "cadence-coach render (stereo)" "$bin" render --spm 180 --minutes 60 -o "$out/cc2.wav"
echo "(cadence-coach also fsyncs the file before renaming it into place; klick does not.)"
