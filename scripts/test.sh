#!/usr/bin/env bash
# The whole test suite: set-up (installs and builds what is missing), native unit tests
# (GoogleTest via ctest), then Vitest: wasm tests under Node (including the ref-vs-SIMD kernel
# suite compiled to wasm) and browser tests in headless Chromium (playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== native unit tests (ctest)"
ctest --test-dir build/native --output-on-failure -j2
echo "== wasm and browser tests (vitest)"
npx vitest run
