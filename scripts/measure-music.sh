#!/usr/bin/env bash
# Measures the music analysis against real recordings with human-annotated beats (the shared
# fixtures, read where they are and never copied): per file the tempo found against the
# annotated one (and whether an octave apart), the beat F-measure at ±70 ms against the
# annotated beats where there are any, and the time the analysis took.
# Usage: scripts/measure-music.sh [fixtures/audio/music folder]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/fixtures/audio/music}
[[ -d $dir ]] || { echo "[measure-music] no folder $dir" >&2; exit 1; }
cargo build --release --quiet --example music_beats
printf '%-36s %8s %8s %7s %6s %7s %9s\n' file truth found octave steady F@70ms analysis
for wav in "$dir"/*.wav; do
    base=${wav%.wav}
    beats=()
    [[ -f $base.beats.txt ]] && beats=("$base.beats.txt")
    out=$(target/release/examples/music_beats "$wav" "${beats[@]}")
    python3 - "$base.json" "$out" <<'PY'
import json, math, sys, os
meta = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {}
got = json.loads(sys.argv[2])
name = os.path.basename(got["file"])[:-4]
truth = meta.get("bpm")
bpm = got.get("bpm")
if bpm is None:
    print(f"{name:36s} {truth or 0:8.2f} {'-':>8s} {'-':>7s} {'-':>6s} {'-':>7s} {got['analysis_s']:8.3f}s")
    sys.exit()
octave = "-"
if truth:
    ratio = bpm / truth
    k = round(math.log2(ratio))
    octave = "same" if k == 0 else f"x{2**k:g}"
    if abs(bpm / 2**k - truth) > 0.04 * truth:
        octave = "off"
f = got.get("f_measure")
print(f"{name:36s} {truth or 0:8.2f} {bpm:8.2f} {octave:>7s} {str(got['steady']):>6s} "
      f"{'-' if f is None else format(f, '.3f'):>7s} {got['analysis_s']:8.3f}s")
PY
done
