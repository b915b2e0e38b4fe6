#!/usr/bin/env bash
# The music scan's memory and time as a library grows: folders of N tracks (20 distinct 30-s
# songs with a steady beat, made by the app itself as click tracks at 150-188 spm, each
# hard-linked N/20 times so every path is a file of its own to analyse and cache) scanned by
# `render --music` into an empty data folder, then again from the cache. Prints, per N, the
# peak resident memory of the process, the seconds taken and the cache's size; then the peak
# for one 60-minute file (its audio held whole would be 115 MB of f32 at 8 kHz; it is decoded
# a block at a time into the analysis instead).
# A library that held its audio would grow by megabytes a track; this one grows by the cache
# entries alone.
# Usage: scripts/measure-music-scan.sh [N ...]   (multiples of 20; default: 40 500 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/private-session.sh
sizes=("$@")
((${#sizes[@]})) || sizes=(40 500 5000)

songs=$work/songs
mkdir -p "$songs"
for i in $(seq 0 19); do
    spm=$((150 + 2 * i))
    "$bin" render --spm "$spm" --minutes 0.5 --rate 22050 --channels 1 -o "$songs/song-$spm.wav" >/dev/null
done

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Runs a command and prints "peak_kb seconds" (GNU time).
peak() {
    /usr/bin/time -f '%M %e' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
        cat "$work/stderr" >&2
        return 1
    }
    cat "$work/time"
}

printf '%-8s %14s %10s %14s %10s %12s\n' tracks "first scan MB" seconds "from cache MB" seconds "cache KB"
for n in "${sizes[@]}"; do
    lib=$work/library-$n
    data=$work/data-$n
    mkdir -p "$lib" "$data"
    for k in $(seq 1 $((n / 20))); do
        for s in "$songs"/*.wav; do ln "$s" "$lib/$k-$(basename "$s")"; done
    done
    read -r kb1 s1 < <(peak "$bin" --data-dir "$data" render --spm 170 --minutes 0.05 --music "$lib" -o "$work/out.wav")
    read -r kb2 s2 < <(peak "$bin" --data-dir "$data" render --spm 170 --minutes 0.05 --music "$lib" -o "$work/out.wav")
    cache=$(($(stat -c %s "$data/music-cache.ron") / 1024))
    printf '%-8s %14.1f %10s %14.1f %10s %12s\n' "$(find "$lib" -name '*.wav' | wc -l)" \
        "$(mb "$kb1")" "$s1" "$(mb "$kb2")" "$s2" "$cache"
    rm -rf "$lib"
done

long=$work/long
mkdir -p "$long" "$work/data-long"
"$bin" render --spm 170 --minutes 60 --rate 8000 --channels 1 -o "$long/hour.wav" >/dev/null
read -r kb s < <(peak "$bin" --data-dir "$work/data-long" render --spm 170 --minutes 0.05 --music "$long" -o "$work/out.wav")
printf 'one 60-minute file (8 kHz mono, %d MB on disk): peak %.1f MB, %s s\n' \
    "$(($(stat -c %s "$long/hour.wav") / 1048576))" "$(mb "$kb")" "$s"
