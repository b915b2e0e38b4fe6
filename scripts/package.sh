#!/usr/bin/env bash
# Builds the Debian package target/debian/cadence-coach_VERSION_ARCH.deb with dpkg-deb: the
# release binary, the desktop entry, the AppStream metainfo, the icon at the hicolor sizes, the
# man pages and the bash, zsh and fish completions (both made by the binary from its own clap
# definition), the screenshots and an example workout. scripts/check-package.sh checks it.
#
#   CADENCE_COACH_SCREENSHOT_URL=https://…  where the screenshots are published: the metainfo
#       then lists them (AppStream takes screenshot images by web URL only); without it the
#       metainfo has no screenshots, and they are shipped in /usr/share/cadence-coach/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh package
export PATH="$HOME/.cargo/bin:$PATH"
umask 022

say() { printf '[package] %s\n' "$*"; }
started=$SECONDS

say "building the release binary"
cargo build --release --locked --quiet
bin=target/release/cadence-coach

# The screenshots the window tests take; made here when the tests have not run.
shots=(1366x768-run-playing.png 1366x768-run-stopped.png 1366x768-plan.png 1366x768-progress.png
    1366x768-summary.png)
for shot in "${shots[@]}"; do
    if [[ ! -s target/screenshots/$shot ]]; then
        say "target/screenshots/$shot is missing: taking the screenshots (cargo test --test window_screens)"
        cargo test --release --locked --quiet --test window_screens
        break
    fi
done

version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
id=io.github.cadence_coach.CadenceCoach
out=target/debian
root=$out/root
rm -rf "$root"
mkdir -p "$root/DEBIAN"
share=$root/usr/share

say "staging cadence-coach $version ($arch)"
install -D -m 0755 "$bin" "$root/usr/bin/cadence-coach"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/cadence-coach"

install -D -m 0644 assets/cadence-coach.desktop "$share/applications/cadence-coach.desktop"

mkdir -p "$share/metainfo"
metainfo=$share/metainfo/$id.metainfo.xml
if [[ -n ${CADENCE_COACH_SCREENSHOT_URL:-} ]]; then
    sed "s#@SCREENSHOT_URL@#${CADENCE_COACH_SCREENSHOT_URL%/}#g" "assets/$id.metainfo.xml" >"$metainfo"
else
    sed '/<screenshots>/,/<\/screenshots>/d' "assets/$id.metainfo.xml" >"$metainfo"
fi
chmod 0644 "$metainfo"

for size in 16 22 24 32 48 64 128; do
    dir=$share/icons/hicolor/${size}x${size}/apps
    mkdir -p "$dir"
    # No time chunks, so that the same icon makes the same file.
    convert assets/icon.png -resize "${size}x${size}" -strip -define png:exclude-chunks=date,time \
        "png:$dir/cadence-coach.png"
    chmod 0644 "$dir/cadence-coach.png"
done

man=$share/man/man1
"$bin" manpages "$man"
gzip -9n "$man"/*.1
chmod 0644 "$man"/*

install -d "$share/bash-completion/completions" "$share/zsh/vendor-completions" \
    "$share/fish/vendor_completions.d"
"$bin" completions bash >"$share/bash-completion/completions/cadence-coach"
"$bin" completions zsh >"$share/zsh/vendor-completions/_cadence-coach"
"$bin" completions fish >"$share/fish/vendor_completions.d/cadence-coach.fish"

install -d "$share/cadence-coach/screenshots"
for shot in "${shots[@]}"; do
    install -m 0644 "target/screenshots/$shot" "$share/cadence-coach/screenshots/$shot"
done

doc=$share/doc/cadence-coach
install -D -m 0644 examples/ten-minute-sampler.ron "$doc/examples/ten-minute-sampler.ron"
cat >"$doc/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: cadence-coach
Comment: The binary also holds, unmodified, the Rust crates symphonia 0.5 and its codecs
 (music decoding; Copyright the Symphonia authors; License: MPL-2.0; their source is at
 https://github.com/pdeljanov/Symphonia and on crates.io), and Signalsmith Stretch with
 Signalsmith Linear, built in by the crate signalsmith-stretch (time-stretching; Copyright
 2022 Geraint Luff / Signalsmith Audio Ltd., 2025 Signalsmith Audio; License: MIT, the
 terms below).

Files: *
Copyright: the Cadence Coach authors
License: MIT or Apache-2.0
 Cadence Coach may be used under the terms of either licence, at your option.
 .
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
 .
 Permission is hereby granted, free of charge, to any person obtaining a copy of this
 software and associated documentation files (the "Software"), to deal in the Software
 without restriction, including without limitation the rights to use, copy, modify, merge,
 publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
 to whom the Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
 PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
 FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
 OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 DEALINGS IN THE SOFTWARE.

License: MPL-2.0
 On Debian systems the full text of the Mozilla Public License 2.0 is in
 /usr/share/common-licenses/MPL-2.0.
EOF

# Depends: the libraries the binary links, from dpkg-shlibdeps (which wants a debian/control
# to read), and those the window opens with dlopen at run time, which no tool can see:
# winit's X11 (Xlib, Xlib-xcb, Xcursor, XInput2, xkbcommon-x11) and Wayland (wayland-client,
# xkbcommon), glutin's EGL and GLX (libEGL, libGL, libwayland-egl; Xrender for its visuals).
# The ALSA library was renamed libasound2t64 in the 64-bit time_t transition (Debian 13,
# Ubuntu 24.04): either name will do.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
printf 'Source: cadence-coach\n\nPackage: cadence-coach\nArchitecture: any\n' >"$work/debian/control"
linked=$(cd "$work" && dpkg-shlibdeps -O "$OLDPWD/$root/usr/bin/cadence-coach" 2>/dev/null | sed 's/^shlibs:Depends=//')
linked=$(sed -E 's/libasound2(t64)? (\([^)]*\))/libasound2t64 \2 | libasound2 \2/' <<<"$linked")
opened="libx11-6, libx11-xcb1, libxcursor1, libxi6, libxrender1, libxkbcommon0, libxkbcommon-x11-0,
 libwayland-client0, libwayland-egl1, libegl1, libgl1"
depends="$linked, $(tr -d '\n' <<<"$opened")"

(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# DEBFULLNAME and DEBEMAIL name the maintainer, as for Debian's own tools.
maintainer="${DEBFULLNAME:-Cadence Coach developers} <${DEBEMAIL:-cadence-coach@localhost}>"
description=$(awk -F' = ' '$1 == "description" { gsub(/"/, "", $2); print $2; exit }' Cargo.toml)
cat >"$root/DEBIAN/control" <<EOF
Package: cadence-coach
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: $depends
Recommends: libgl1-mesa-dri
Suggests: pulseaudio | pipewire-alsa
Section: sound
Priority: optional
Description: $description
 Cadence Coach plays a click track at an exact number of steps per minute
 through the speakers or headphones, follows workouts that hold, ramp or fade
 the tempo, plans a multi-week ramp-up in steps of at most 5 %, records and
 reviews every session, plots progress (with a watch's cadence imported from
 FIT, TCX or GPX files), and keeps form cues in front of the runner.
 .
 The same binary is a terminal metronome (play) and renders click tracks to
 WAV (render); history, import and plan work on the recorded sessions.
EOF

deb=$out/cadence-coach_${version}_${arch}.deb
rm -f "$deb"
# xz at level 3: 10 % bigger than the default level 6 and about three times faster.
dpkg-deb --root-owner-group -Zxz -z3 --build "$root" "$deb" >/dev/null
say "built $deb ($(du -h "$deb" | cut -f1), $((SECONDS - started)) s)"
