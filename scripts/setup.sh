#!/usr/bin/env bash
# One-time and incremental set-up for featherdet on Debian: installs missing apt packages,
# checks the Emscripten version against emsdk.lock, installs npm dependencies, then builds.
# Quiet and quick when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang-19 compiles the relaxed-SIMD kernels (emscripten's clang 14 has no relaxed intrinsics).
# libclang-rt-19-dev: the sanitizer and libFuzzer runtimes of the sanitizer build (tests/fuzz).
APT_PACKAGES=(cmake g++ make emscripten clang-19 libclang-rt-19-dev libflatbuffers-dev flatbuffers-compiler
  googletest libgtest-dev chromium ffmpeg wabt curl)
# Node.js and npm may come from elsewhere than Debian (e.g. a newer release): only install
# Debian's when there is none on PATH.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  APT_PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# stb_image 2.30 (2024) from Debian 13's libstb-dev: Debian 12's 2.27 (2022) lets the JPEG bit
# reader's count go negative on corrupt scans (undefined shifts) and lacks 2.28's other security
# fixes. Only the headers are taken from the package (installing it would pull in Debian 13's
# libc), checked against its SHA-256, into build/deps/stb, which CMake links. stb_image_write.h:
# the tests' encoder.
STB_DEB=libstb-dev_0.0~git20241109.5c20573+ds-1_amd64.deb
STB_SHA256=36fbe0c268c76daa655180ea3c9933afc41c6449ec5e53ef3d4907b516147650
if [ "$(cat build/deps/stb/.source 2>/dev/null)" != "$STB_SHA256" ]; then
  echo "setup: fetching stb_image 2.30 ($STB_DEB from deb.debian.org)"
  tmp=$(mktemp -d)
  curl -fsSL --retry 3 -o "$tmp/stb.deb" "http://deb.debian.org/debian/pool/main/libs/libstb/$STB_DEB"
  echo "$STB_SHA256  $tmp/stb.deb" | sha256sum -c --quiet -
  dpkg-deb -x "$tmp/stb.deb" "$tmp/x"
  mkdir -p build/deps/stb
  cp "$tmp/x/usr/include/stb/stb_image.h" "$tmp/x/usr/include/stb/stb_image_write.h" build/deps/stb/
  echo "$STB_SHA256" > build/deps/stb/.source
  rm -rf "$tmp"
fi

want=$(tr -d '[:space:]' < emsdk.lock)
have=$(NODE_PATH=/usr/share/nodejs emcc --version 2>/dev/null | head -n1 | sed -E 's/.* ([0-9]+\.[0-9]+\.[0-9]+).*/\1/')
if [ "$have" != "$want" ]; then
  echo "setup: Emscripten $want is required (emsdk.lock) but emcc reports '${have:-nothing}'." >&2
  echo "setup: on Debian 12 run 'apt-get install emscripten' (it ships $want); elsewhere install" >&2
  echo "setup: emsdk $want and put its emcc first on PATH." >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  # npm ci rejects lock files written with omit-lockfile-registry-resolved (optional platform
  # packages are left out), so install from the lock file with npm install instead.
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

bash scripts/build.sh
node scripts/models.mjs && node scripts/package.mjs dist
