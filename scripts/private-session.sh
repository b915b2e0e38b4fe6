# Sourced by the measurement scripts: builds the release binary ($bin), makes a temporary folder
# ($work, removed on exit with every process in $pids), and offers a private PulseAudio server
# with a 48 kHz null sink for a sound card (start_sound_server) and a private Xvfb display
# (start_display), so a measurement disturbs nothing else and nothing disturbs it.
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
mkdir -p "$work/run" "$work/home" "$work/config"
chmod 700 "$work/run"

start_sound_server() {
    XDG_RUNTIME_DIR=$work/run HOME=$work/home pulseaudio -n --daemonize=no --exit-idle-time=-1 \
        --load=module-native-protocol-unix --load="module-null-sink sink_name=ci rate=48000" \
        >"$work/pulse.log" 2>&1 &
    pids+=($!)
    export PULSE_SERVER=unix:$work/run/pulse/native
    for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
}

start_display() {
    # Xvfb picks a free display number itself and writes it to fd 3. -noreset: a client that
    # connects while Xvfb resets after its last one left (the xdpyinfo below) would be refused.
    Xvfb -displayfd 3 -noreset -screen 0 1280x900x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [[ -s $work/display ]] && break; sleep 0.1; done
    export DISPLAY=:$(head -n 1 "$work/display")
    for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    unset WAYLAND_DISPLAY
}
