#!/usr/bin/env bash
# A long real-time run, to see that memory does not grow: plays for MINUTES (default 30) through
# a private PulseAudio null sink, either the terminal metronome (`play`, 180 spm) or the window
# under Xvfb (Space pressed, 170 spm, the session recorded to a temporary data folder), and
# samples the process's resident memory every 10 s. Prints every sample, then first, last, min,
# max and the growth from the end of the first minute to the end.
# Usage: scripts/measure-long-play.sh [minutes] [play|window]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
mode=${2:-play}
source scripts/private-session.sh
start_sound_server
export XDG_CONFIG_HOME=$work/config CADENCE_COACH_DATA_DIR=$work/data

case $mode in
play)
    "$bin" play --spm 180 --minutes "$minutes" >"$work/app.log" 2>&1 &
    app=$!
    ;;
window)
    start_display
    "$bin" >"$work/app.log" 2>&1 &
    app=$!
    for _ in $(seq 300); do xdotool search --name "Cadence Coach" >/dev/null 2>&1 && break; sleep 0.1; done
    sleep 2
    xdotool windowfocus --sync "$(xdotool search --name 'Cadence Coach' | head -1)" key space
    ;;
*)
    echo "mode must be play or window" >&2
    exit 2
    ;;
esac
pids+=("$app")

samples=$((minutes * 6))
echo "mode $mode, $minutes min, RSS every 10 s (KiB)"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$app/status" 2>/dev/null || echo 0; }
values=()
for i in $(seq 1 "$samples"); do
    sleep 10
    kill -0 "$app" 2>/dev/null || { echo "the app ended early:"; cat "$work/app.log"; exit 1; }
    v=$(rss)
    values+=("$v")
    printf '%5d s  %8d\n' $((i * 10)) "$v"
done
printf '%s\n' "${values[@]}" | awk -v minutes="$minutes" '
    NR == 1 { first = $1; min = $1; max = $1 }
    NR == 6 { after_minute = $1 }
    { last = $1; if ($1 < min) min = $1; if ($1 > max) max = $1 }
    END {
        printf "first %d KiB, last %d KiB, min %d, max %d; growth from minute 1 to minute %d: %+d KiB (%+.2f %%)\n",
            first, last, min, max, minutes, last - after_minute, (last - after_minute) * 100 / after_minute
    }'
if [[ $mode == window ]]; then
    xdotool key space
    sleep 1
    "$bin" history --data-dir "$work/data" | tail -n 1
fi
