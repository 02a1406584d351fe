#!/usr/bin/env bash
# One-time and incremental set-up for featherdet on Debian: installs missing apt packages,
# checks the Emscripten version against emsdk.lock, installs npm dependencies, then builds.
# Quiet and quick when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang-19 compiles the relaxed-SIMD kernels (emscripten's clang 14 has no relaxed intrinsics).
# libclang-rt-19-dev: the sanitizer and libFuzzer runtimes of the sanitizer build (tests/fuzz).
APT_PACKAGES=(cmake g++ make emscripten clang-19 libclang-rt-19-dev libstb-dev libflatbuffers-dev flatbuffers-compiler
  googletest libgtest-dev chromium ffmpeg wabt)
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
