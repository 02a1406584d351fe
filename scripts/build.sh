#!/usr/bin/env bash
# Builds featherdet: native (unit tests, tools) into build/native, WebAssembly (runtime module and
# the kernel test suite) into build/wasm, then assembles the npm package's dist/: the Emscripten
# glue (featherdet.mjs) and its two wasm builds (featherdet.wasm, featherdet-relaxed.wasm), the TypeScript API compiled by tsc, then
# scripts/package.mjs: bundled models, manifest.json (SHA-256 of each file), IIFE and ESM bundles.
# FD_JOBS sets the build parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${FD_JOBS:-$(nproc)}"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
# `npm test` / `npm run build` put node_modules/.bin first on PATH. Its binaryen tools (the npm
# package `binaryen`, which CMake calls by absolute path for the post-link wasm-opt) must not
# stand in for Debian's binaryen inside emcc: there they left -O3 glue and wasm disagreeing on
# minified import names.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)
export PATH

echo "== native build (build/native)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$JOBS"

echo "== wasm build (build/wasm)"
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$JOBS"

echo "== package (dist/)"
mkdir -p dist
cp build/wasm/featherdet.mjs build/wasm/featherdet.wasm build/wasm/featherdet-relaxed.wasm dist/
cp web/src/featherdet.d.mts dist/
npx --no-install tsc -p tsconfig.json
node scripts/package.mjs dist
echo "build: dist/ ready ($(du -sh dist | cut -f1)); featherdet.wasm $(stat -c %s dist/featherdet.wasm) bytes, featherdet-relaxed.wasm $(stat -c %s dist/featherdet-relaxed.wasm) bytes"
