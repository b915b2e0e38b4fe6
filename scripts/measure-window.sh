#!/usr/bin/env bash
# Measures the release window under Xvfb, with a private PulseAudio null sink as its sound card:
# time to the first frame, peak RSS, and the app process's CPU (all its threads: UI, software
# OpenGL, audio) averaged over a window while stopped and while playing, with the frames painted.
# Usage: scripts/measure-window.sh [seconds per window]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
scripts/setup.sh test >/dev/null
cargo build --release --locked --quiet
bin=$PWD/target/release/cadence-coach

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A private sound server with a 48 kHz null sink.
mkdir -p "$work/run" "$work/home" "$work/config"
chmod 700 "$work/run"
XDG_RUNTIME_DIR=$work/run HOME=$work/home pulseaudio -n --daemonize=no --exit-idle-time=-1 \
    --load=module-native-protocol-unix --load="module-null-sink sink_name=ci rate=48000" \
    >"$work/pulse.log" 2>&1 &
pids+=($!)
export PULSE_SERVER=unix:$work/run/pulse/native
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done

# A private display.
# Xvfb picks a free display number itself and writes it to fd 3.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
for _ in $(seq 100); do [[ -s $work/display ]] && break; sleep 0.1; done
display=:$(head -n 1 "$work/display")
pids+=($!)
export DISPLAY=$display
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
unset WAYLAND_DISPLAY

export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/config
export CADENCE_COACH_FRAME_REPORT=$work/frames
t0=$(date +%s%N)
"$bin" >"$work/app.log" 2>&1 &
app=$!
pids+=("$app")
for _ in $(seq 300); do [[ -s $work/frames ]] && break; sleep 0.01; done
t1=$(date +%s%N)
first_internal=$(awk '/first_frame_ms/ { print $2 }' "$work/frames")
printf 'first frame: %.3f s after launch (%.3f s inside the process)\n' \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')" \
    "$(awk -v m="$first_internal" 'BEGIN { print m / 1000 }')"

tck=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$app/stat"; }
frames() { awk '/^frames/ { print $2 }' "$work/frames"; }
measure() { # label
    local c0 f0 c1 f1
    c0=$(ticks); f0=$(frames)
    sleep "$secs"
    c1=$(ticks); f1=$(frames)
    [[ -n ${DEBUG_MEASURE:-} ]] && echo "debug: f0=$f0 f1=$f1 c0=$c0 c1=$c1" >&2
    awk -v label="$1" -v c="$((c1 - c0))" -v t="$tck" -v s="$secs" -v f="$((f1 - f0))" \
        'BEGIN { printf "%-8s CPU %5.2f %% of one core over %d s, %d frames painted (%.2f per second)\n",
                 label, 100 * c / t / s, s, f, f / s }'
}

sleep 3
measure stopped
window=$(xdotool search --name "Cadence Coach" | head -1)
# Keys go to the focused window through XTEST, as from a real keyboard.
xdotool windowfocus --sync "$window"
xdotool key space
sleep 2
measure playing
xdotool key space
if [[ -n ${KEEP_SHOT:-} ]]; then import -window root "$KEEP_SHOT"; fi
for t in /proc/$app/task/*; do printf '%s %s\n' "$(cat $t/comm)" "$(awk '{ print $14 + $15 }' $t/stat)"; done | sort -k2 -n -r | head -8
printf 'peak RSS: %s\n' "$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$app/status")"
if grep -qi "panic" "$work/app.log"; then
    echo "the app reported a problem:"; cat "$work/app.log"; exit 1
fi
