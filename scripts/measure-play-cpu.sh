#!/usr/bin/env bash
# What playing costs: `play --spm 170` through a private PulseAudio null sink for SECONDS (default
# 60) after a 5 s settling time, with the CPU each thread of the app used over that window (from
# /proc: utime+stime in clock ticks, and the scheduler's nanoseconds), and 10 s of the sink
# recorded to check that every click is still on the 170 spm grid.
# Usage: scripts/measure-play-cpu.sh [seconds] [binary]
# Run it on an otherwise idle machine: a build next to it shows up in the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
source scripts/private-session.sh
app_bin=${2:-$bin}
start_sound_server
export XDG_CONFIG_HOME=$work/config CADENCE_COACH_DATA_DIR=$work/data

minutes=$(awk -v s="$seconds" 'BEGIN { printf "%.2f", (s + 15) / 60 }')
"$app_bin" play --spm 170 --minutes "$minutes" >"$work/app.log" 2>&1 </dev/null &
app=$!
pids+=("$app")
sleep 5

# One line per thread: id, name, utime, stime (ticks), time on the CPU (ns).
threads() {
    for task in /proc/"$app"/task/*; do
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }"
        printf '%s %s %s %s %s\n' "${task##*/}" "$(tr ' ' _ <"$task/comm")" "${f[11]}" "${f[12]}" \
            "$(cut -d' ' -f1 "$task/schedstat")"
    done | sort
}

threads >"$work/before"
t0=$(date +%s.%N)
parecord -d ci.monitor --rate=48000 --channels=2 --format=s16le --raw "$work/clicks.raw" &
recorder=$!
sleep 10
kill -INT "$recorder"
wait "$recorder" 2>/dev/null || true
sleep $((seconds - 10))
threads >"$work/after"
t1=$(date +%s.%N)
kill -0 "$app" 2>/dev/null || { echo "the app ended early:"; cat "$work/app.log"; exit 1; }

wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "play --spm 170, CPU over $wall s (ticks of 1/$(getconf CLK_TCK) s; % of one core)"
join "$work/before" "$work/after" | awk -v wall="$wall" -v hz="$(getconf CLK_TCK)" '
    {
        u = $7 - $3; s = $8 - $4; ns = $9 - $5
        printf "  %-16s utime %4d  stime %4d  = %6.3f %%  (on CPU %7.1f ms = %6.3f %%)\n",
            $2, u, s, (u + s) / hz / wall * 100, ns / 1e6, ns / 1e9 / wall * 100
        tu += u; ts += s; tns += ns
    }
    END {
        printf "  %-16s utime %4d  stime %4d  = %6.3f %%  (on CPU %7.1f ms = %6.3f %%)\n",
            "all threads", tu, ts, (tu + ts) / hz / wall * 100, tns / 1e6, tns / 1e9 / wall * 100
    }'

# Clicks: sound after at least 100 frames of exact silence. At 48 kHz and 170 spm beat k lies
# round(k * 16941.176) frames after the first one heard; print the worst distance from that.
od -An -v -t d2 -w4 "$work/clicks.raw" | awk '
    BEGIN { quiet = 100; step = 60 * 48000 / 170 }
    {
        if ($1 != 0 || $2 != 0) {
            if (quiet >= 100) { at[n++] = NR - 1 }
            quiet = 0
        } else quiet++
    }
    END {
        if (n < 2) { print "clicks: fewer than two heard"; exit 1 }
        for (k = 0; k < n; k++) {
            d = at[k] - (at[0] + int(k * step + 0.5)); if (d < 0) d = -d; if (d > worst) worst = d
            if (k) { iv = at[k] - at[k - 1]; if (!min || iv < min) min = iv; if (iv > max) max = iv }
        }
        printf "clicks in %.1f s recorded: %d, intervals %d–%d frames (ideal %.3f), largest distance from the grid %d frames\n",
            NR / 48000, n, min, max, step, worst
    }'
