#!/usr/bin/env bash
# Installs what Cadence Coach needs on Debian or Ubuntu, and says what it is doing.
#   scripts/setup.sh build   - what building and running the app needs (Rust, pkg-config, ALSA
#                              headers, the X11/Wayland and OpenGL libraries of the window)
#   scripts/setup.sh package - that, plus what scripts/package.sh and check-package.sh use
#   scripts/setup.sh test    - that, plus what the tests need (a PulseAudio server and tools)
# Packages already present are left alone; apt runs only when something is missing.
set -euo pipefail

want=${1:-build}
say() { printf '[setup] %s\n' "$*"; }

build_packages=(pkg-config libasound2-dev gcc g++ libclang-dev)
# What the window needs at run time on X11 or Wayland with OpenGL (Mesa's software renderer
# when there is no GPU).
window_packages=(libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
    libwayland-client0 libwayland-egl1 libegl1 libgl1 libgl1-mesa-dri fonts-dejavu-core)
# The tests: a private sound server and its tools, a virtual display, a window manager (to
# minimize the window), key presses, screenshots; GNU time for the measurement scripts; MP3,
# FLAC and Ogg Vorbis encoders to make the music the decoding tests read.
test_packages=(pulseaudio pulseaudio-utils libasound2-plugins xvfb x11-utils xdotool imagemagick openbox time lame flac vorbis-tools)
# Building the .deb (dpkg-shlibdeps, the icon sizes) and checking it (the desktop entry and
# AppStream validators, man).
package_packages=(dpkg-dev binutils imagemagick desktop-file-utils appstream man-db)

packages=("${build_packages[@]}" "${window_packages[@]}")
case $want in
    build) ;;
    package) packages+=("${package_packages[@]}") ;;
    test) packages+=("${test_packages[@]}" "${package_packages[@]}") ;;
    *) echo "usage: scripts/setup.sh build|package|test" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q >/dev/null
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    say "installed ${#missing[@]} package(s)"
else
    say "system packages present: ${packages[*]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [[ -x $HOME/.cargo/bin/cargo ]]; then
        say "using the Rust toolchain in $HOME/.cargo/bin"
    else
        say "installing the Rust toolchain with rustup (no cargo found)"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy -c rustfmt
    fi
fi
