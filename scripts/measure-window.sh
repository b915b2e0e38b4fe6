#!/usr/bin/env bash
# Measures the release window under Xvfb, with a private PulseAudio null sink as its sound card:
# time to the first frame, peak RSS, and the app process's CPU (all its threads: UI, software
# OpenGL, audio) averaged over a window while stopped, while playing, and while playing with the
# window minimized (under openbox), with the frames painted and the times the app woke up.
# With LISTEN=1 listening is on (as a runner turned it on before): a second null sink is the
# microphone, the app's output leaks into it through a loopback as from speakers, and a real
# jogging recording from the shared fixtures plays into it in a loop; compare with a run without.
# COACH=WhenOff (or Nudge) with LISTEN=1 has the coach decide the click as well.
# MUSIC=DIR plays the runner's music from DIR with the session (the folder is scanned first);
# SPM=N sets the target (170 by default; the shared music fixtures fit 172).
# Usage: [LISTEN=1 [COACH=WhenOff]] [MUSIC=DIR] [SPM=N] scripts/measure-window.sh
#        [seconds per window] (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
source scripts/private-session.sh
start_sound_server
start_display

export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/config
settings="version: 1, target: ${SPM:-170}.0"
if [[ -n ${MUSIC:-} ]]; then
    settings+=", music: (folder: Some(\"$(realpath "$MUSIC")\"), on: true)"
    echo "music from $MUSIC"
fi
if [[ -n ${LISTEN:-} ]]; then
    steps=../shared/fixtures/audio/steps/jog_heimweh.wav
    pactl load-module module-null-sink sink_name=mic rate=48000 channels=1 >/dev/null
    pactl set-default-source mic.monitor
    pactl load-module module-loopback source=ci.monitor sink=mic latency_msec=60 >/dev/null
    # COACH=WhenOff or COACH=Nudge: the click answers what is heard (click when off, the nudge).
    settings+=", listening: true, coach: ${COACH:-Always}"
    if [[ -f $steps ]]; then
        (while true; do paplay -d mic "$steps" || break; done) &
        pids+=($!)
    else
        echo "[measure-window] $steps not found: listening to the click alone"
    fi
    echo "listening on (microphone: a null sink, the output leaking into it)"
fi
mkdir -p "$work/config/cadence-coach"
echo "($settings)" >"$work/config/cadence-coach/settings.ron"
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
wakes() { awk '/^logic_runs/ { print $2 }' "$work/frames"; }
measure() { # label
    local c0 f0 w0 c1 f1 w1
    c0=$(ticks); f0=$(frames); w0=$(wakes)
    sleep "$secs"
    c1=$(ticks); f1=$(frames); w1=$(wakes)
    [[ -n ${DEBUG_MEASURE:-} ]] && echo "debug: f0=$f0 f1=$f1 c0=$c0 c1=$c1" >&2
    # The report file is written when a frame is painted: while hidden, wake-ups show in it at
    # the next painted frame, so the hidden line counts them after the window is restored.
    awk -v label="$1" -v c="$((c1 - c0))" -v t="$tck" -v s="$secs" -v f="$((f1 - f0))" -v w="$((w1 - w0))" \
        'BEGIN { printf "%-8s CPU %5.2f %% of one core over %d s, %d frames painted (%.2f per second), %d wake-ups\n",
                 label, 100 * c / t / s, s, f, f / s, w }'
}

sleep 3
measure stopped
window=$(xdotool search --name "Cadence Coach" | head -1)
# Keys go to the focused window through XTEST, as from a real keyboard.
xdotool windowfocus --sync "$window"
xdotool key space
sleep 2
measure playing
# Minimized (a window manager is needed for that): nothing is painted, and the app wakes only
# when something is due (a save, a segment, the end), not on every step.
openbox --sm-disable >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q "window id" && break; sleep 0.1; done
sleep 1
xdotool windowminimize --sync "$window"
c0=$(ticks); w0=$(wakes); f0=$(frames)
sleep "$secs"
c1=$(ticks)
xdotool windowactivate --sync "$window"
sleep 1
w1=$(wakes); f1=$(frames)
awk -v c="$((c1 - c0))" -v t="$tck" -v s="$secs" -v w="$((w1 - w0))" -v f="$((f1 - f0))" \
    'BEGIN { printf "hidden   CPU %5.2f %% of one core over %d s minimized, %d wake-ups (%.2f per second; incl. the restore)\n",
             100 * c / t / s, s, w, w / s }'
xdotool windowfocus --sync "$window"
xdotool key space
if [[ -n ${KEEP_SHOT:-} ]]; then import -window root "$KEEP_SHOT"; fi
for t in /proc/$app/task/*; do printf '%s %s\n' "$(cat $t/comm)" "$(awk '{ print $14 + $15 }' $t/stat)"; done | sort -k2 -n -r | head -8
printf 'peak RSS: %s\n' "$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$app/status")"
if grep -qi "panic" "$work/app.log"; then
    echo "the app reported a problem:"; cat "$work/app.log"; exit 1
fi
