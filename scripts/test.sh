#!/usr/bin/env bash
# The whole test suite: set-up (installs and builds what is missing), native unit tests
# (GoogleTest via ctest), the same tests again under AddressSanitizer + UBSan (clang-19 build in
# build/sanitize) with the fuzz targets' regression corpus and a short run of each fuzz target
# (FD_FUZZ_SECONDS, default 30), then Vitest: wasm tests under Node (including the ref-vs-SIMD
# kernel suite compiled to wasm) and browser tests in headless Chromium (playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== native unit tests (ctest)"
ctest --test-dir build/native --output-on-failure -j2
echo "== sanitizer build (build/sanitize): unit tests and fuzz regression corpus under ASan + UBSan"
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-19 -DFD_SANITIZE=ON >/dev/null
cmake --build build/sanitize -j"${FD_JOBS:-$(nproc)}"
ctest --test-dir build/sanitize --output-on-failure -j2
echo "== fuzz smoke: each target ${FD_FUZZ_SECONDS:-30} s"
bash tests/fuzz/smoke.sh build/sanitize "${FD_FUZZ_SECONDS:-30}"
echo "== wasm and browser tests (vitest)"
npx vitest run
