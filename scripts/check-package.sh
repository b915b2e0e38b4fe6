#!/usr/bin/env bash
# Checks the Debian package scripts/package.sh built: its files and control fields, the desktop
# entry and AppStream validators, and the app installed from it into a scratch root (dpkg -x)
# with nothing from the source tree: --version, render, its man pages and its bash completion.
# Ends with `package: N passed, M failed` and exits 1 if anything failed.
#   scripts/check-package.sh [FILE.deb]    (default: the one for the version built)
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
ok() { passed=$((passed + 1)); printf '[check-package] ok   %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf '[check-package] FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/    /'; }
# check NAME COMMAND...: runs the command, ok if it succeeds, else shows what it said.
check() {
    local name=$1 said
    shift
    if said=$("$@" 2>&1); then ok "$name"; else bad "$name" "$said"; fi
}
finish() {
    printf 'package: %d passed, %d failed\n' "$passed" "$failed"
    ((failed == 0))
    exit
}

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
deb=${1:-target/debian/cadence-coach_${version}_$(dpkg --print-architecture).deb}
if [[ ! -s $deb ]]; then
    bad "package $deb exists (build it with scripts/package.sh)"
    finish
fi
id=io.github.cadence_coach.CadenceCoach

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root

# The files, as dpkg-deb lists them.
listing=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's#^\./#/#')
expected=(
    /usr/bin/cadence-coach
    /usr/share/applications/cadence-coach.desktop
    "/usr/share/metainfo/$id.metainfo.xml"
    /usr/share/man/man1/cadence-coach.1.gz
    /usr/share/bash-completion/completions/cadence-coach
    /usr/share/zsh/vendor-completions/_cadence-coach
    /usr/share/fish/vendor_completions.d/cadence-coach.fish
    /usr/share/doc/cadence-coach/copyright
    /usr/share/doc/cadence-coach/examples/ten-minute-sampler.ron
)
for sub in play render history import plan measure completions; do
    expected+=("/usr/share/man/man1/cadence-coach-$sub.1.gz")
done
sizes=(16 22 24 32 48 64 128)
for size in "${sizes[@]}"; do
    expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/cadence-coach.png")
done
shots=(1366x768-run-playing.png 1366x768-run-stopped.png 1366x768-plan.png 1366x768-progress.png
    1366x768-summary.png)
for shot in "${shots[@]}"; do
    expected+=("/usr/share/cadence-coach/screenshots/$shot")
done
missing=()
for path in "${expected[@]}"; do
    grep -qxF "$path" <<<"$listing" || missing+=("$path")
done
if ((${#missing[@]} == 0)); then
    ok "dpkg-deb -c lists all ${#expected[@]} files"
else
    bad "dpkg-deb -c lists all ${#expected[@]} files" "missing: ${missing[*]}"
fi
if strays=$(dpkg-deb -c "$deb" | grep -v -E '^(drwxr-xr-x|-rw-r--r--|-rwxr-xr-x) root/root '); then
    bad "every file is root's, 0644 or 0755" "$strays"
else
    ok "every file is root's, 0644 or 0755"
fi

# The control fields.
field() { dpkg-deb -f "$deb" "$1"; }
if [[ $(field Package) == cadence-coach && $(field Version) == "$version" ]]; then
    ok "Package cadence-coach, Version $version"
else
    bad "Package cadence-coach, Version $version" "$(field Package) $(field Version)"
fi
depends=$(field Depends)
# What the binary links (libasound with its t64 name) and what the window opens with dlopen.
wanted=("libasound2t64 (>= " "| libasound2 (>= " "libc6 (>= " libgcc-s1 libx11-6 libx11-xcb1
    libxcursor1 libxi6 libxrender1 libxkbcommon0 libxkbcommon-x11-0 libwayland-client0
    libwayland-egl1 libegl1 libgl1)
absent=()
for dep in "${wanted[@]}"; do
    grep -qF -- "$dep" <<<"$depends" || absent+=("$dep")
done
if ((${#absent[@]} == 0)); then ok "Depends names the linked and dlopened libraries"; else
    bad "Depends names the linked and dlopened libraries" "absent: ${absent[*]} in: $depends"
fi
# Each dependency has at least one alternative this system's package lists know.
unknown=()
IFS=, read -ra clauses <<<"$depends"
for clause in "${clauses[@]}"; do
    known=no
    IFS='|' read -ra alternatives <<<"$clause"
    for alternative in "${alternatives[@]}"; do
        name=$(awk '{ print $1 }' <<<"$alternative")
        if apt-cache show "$name" >/dev/null 2>&1 || dpkg-query -W "$name" >/dev/null 2>&1; then known=yes; fi
    done
    [[ $known == yes ]] || unknown+=("$clause")
done
if ((${#unknown[@]} == 0)); then ok "every Depends clause names a package that exists here"; else
    bad "every Depends clause names a package that exists here" "${unknown[*]}"
fi

# Installed into a scratch root.
check "dpkg -x into a scratch root" dpkg -x "$deb" "$root"
bin=$root/usr/bin/cadence-coach
share=$root/usr/share
# As a user who has only the package: an empty home, elsewhere than the source tree.
home=$scratch/home
mkdir -p "$home"
as_user() { (cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"); }

check "desktop-file-validate" desktop-file-validate "$share/applications/cadence-coach.desktop"
check "appstreamcli validate --no-net" appstreamcli validate --no-net "$share/metainfo/$id.metainfo.xml"
check "appstreamcli validate-tree --no-net (metainfo, desktop entry and icons together)" \
    appstreamcli validate-tree --no-net "$root"
# The screenshots block the metainfo keeps when built with CADENCE_COACH_SCREENSHOT_URL.
with_shots=$scratch/$id.metainfo.xml
sed 's#@SCREENSHOT_URL@#https://example.org/cadence-coach/screenshots#g' "assets/$id.metainfo.xml" >"$with_shots"
check "appstreamcli validate --no-net, with screenshots" appstreamcli validate --no-net "$with_shots"
unshipped=()
for image in $(grep -o '[^/]*\.png' "$with_shots"); do
    [[ -s $share/cadence-coach/screenshots/$image ]] || unshipped+=("$image")
done
if ((${#unshipped[@]} == 0)); then ok "every screenshot the metainfo names is shipped"; else
    bad "every screenshot the metainfo names is shipped" "${unshipped[*]}"
fi
release=$(grep -o '<release version="[^"]*"' "$share/metainfo/$id.metainfo.xml" | head -1 | cut -d'"' -f2)
if [[ $release == "$version" ]]; then ok "the newest AppStream release is $version"; else
    bad "the newest AppStream release is $version" "it is '$release'"
fi

wrong=()
for size in "${sizes[@]}"; do
    got=$(identify -format '%wx%h' "$share/icons/hicolor/${size}x${size}/apps/cadence-coach.png" 2>&1)
    [[ $got == "${size}x${size}" ]] || wrong+=("${size}x${size}: $got")
done
if ((${#wrong[@]} == 0)); then ok "the icons are ${#sizes[@]} PNGs of their sizes"; else
    bad "the icons are ${#sizes[@]} PNGs of their sizes" "${wrong[*]}"
fi

said=$(as_user "$bin" --version 2>&1)
if [[ $said == "cadence-coach $version" ]]; then ok "cadence-coach --version says $version"; else
    bad "cadence-coach --version says $version" "$said"
fi

wav=$home/click.wav
said=$(as_user "$bin" render --spm 180 --minutes 0.1 -o "$wav" 2>&1)
# 6 s of 48 kHz 16-bit stereo after a 44-byte header.
if [[ $(head -c 4 "$wav" 2>/dev/null) == RIFF && $(stat -c %s "$wav" 2>/dev/null) -eq $((44 + 6 * 48000 * 4)) ]]; then
    ok "render writes a 6 s WAV"
else
    bad "render writes a 6 s WAV" "$said"
fi
said=$(as_user "$bin" render --workout "$share/doc/cadence-coach/examples/ten-minute-sampler.ron" \
    --rate 8000 --channels 1 -o "$home/sampler.wav" 2>&1)
if [[ $(stat -c %s "$home/sampler.wav" 2>/dev/null) -eq $((44 + 600 * 8000 * 2)) ]]; then
    ok "render plays the packaged example workout (10 min)"
else
    bad "render plays the packaged example workout (10 min)" "$said"
fi

for page in "$share"/man/man1/*.1.gz; do
    name=$(basename "$page" .1.gz)
    said=$(MANWIDTH=80 as_user man -l "$page" 2>&1)
    if [[ $said == *NAME*"$name"*SYNOPSIS* ]]; then ok "man -l $name.1"; else bad "man -l $name.1" "$said"; fi
done
said=$(MANWIDTH=80 as_user man --manpath="$share/man" cadence-coach-render 2>&1)
if [[ $said == *--spm* ]]; then ok "man finds cadence-coach-render under the package's man path"; else
    bad "man finds cadence-coach-render under the package's man path" "$said"
fi

# The bash completion, loaded the way bash-completion does and asked as a shell would on Tab.
cat >"$scratch/complete.bash" <<'EOF'
source "$1"
complete -p cadence-coach >/dev/null || exit 1
ask() {  # ask INDEX WORDS...: what Tab offers for word INDEX
    local n=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$n
    COMPREPLY=()
    local fn
    fn=$(complete -p cadence-coach | sed -E 's/.*-F ([^ ]+).*/\1/')
    "$fn" cadence-coach "${COMP_WORDS[n]}" "${COMP_WORDS[n - 1]}"
    echo "${COMPREPLY[*]}"
}
[[ $(ask 1 cadence-coach re) == render ]] || { echo "cadence-coach re<Tab>: $(ask 1 cadence-coach re)"; exit 1; }
[[ $(ask 2 cadence-coach render --ra) == --rate ]] || { echo "render --ra<Tab>: $(ask 2 cadence-coach render --ra)"; exit 1; }
[[ $(ask 3 cadence-coach import --sport w) == walking ]] || { echo "import --sport w<Tab>: $(ask 3 cadence-coach import --sport w)"; exit 1; }
[[ $(ask 2 cadence-coach completions f) == fish ]] || { echo "completions f<Tab>: $(ask 2 cadence-coach completions f)"; exit 1; }
EOF
check "the bash completion loads and completes subcommands, options and values" \
    as_user bash --norc --noprofile "$scratch/complete.bash" "$share/bash-completion/completions/cadence-coach"
same=()
for shell in bash zsh fish; do
    case $shell in
        bash) file=$share/bash-completion/completions/cadence-coach ;;
        zsh) file=$share/zsh/vendor-completions/_cadence-coach ;;
        fish) file=$share/fish/vendor_completions.d/cadence-coach.fish ;;
    esac
    cmp -s <(as_user "$bin" completions "$shell") "$file" || same+=("$shell")
done
if ((${#same[@]} == 0)); then ok "the packaged completions are what \`completions SHELL\` prints"; else
    bad "the packaged completions are what \`completions SHELL\` prints" "differ: ${same[*]}"
fi
if [[ $(head -1 "$share/zsh/vendor-completions/_cadence-coach") == "#compdef cadence-coach" ]] &&
    grep -q '^complete -c cadence-coach' "$share/fish/vendor_completions.d/cadence-coach.fish"; then
    ok "the zsh and fish completions are for cadence-coach"
else
    bad "the zsh and fish completions are for cadence-coach"
fi

finish
