#!/usr/bin/env bash
# Runs every fuzz target of a sanitizer build (cmake -DFD_SANITIZE=ON) for SECONDS each from its
# seed corpus, two at a time (one per core); fails on the first crash, leak, timeout or
# out-of-memory, whose input is then in OUT_DIR/<target>/ (add it to tests/fuzz/regression/).
# Usage: smoke.sh BUILD_DIR SECONDS [OUT_DIR]
set -euo pipefail
build=$1 seconds=$2 out=${3:-$1/fuzz/smoke}
targets=(tflite detector onnx image json)
rm -rf "$out"
run() {
  local t=$1
  mkdir -p "$out/$t/corpus"
  if "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$out/$t/" "$out/$t/corpus" "$build/fuzz/seeds/$t" >"$out/$t/log.txt" 2>&1; then
    echo "fuzz_$t: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$out/$t/log.txt" | cut -d' ' -f2) runs in ${seconds} s, no findings"
  else
    echo "fuzz_$t: FAILED (log and input in $out/$t/):"
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$out/$t/log.txt" | head -n 8
    return 1
  fi
}
pids=()
status=0
for t in "${targets[@]}"; do
  run "$t" & pids+=($!)
  if [ ${#pids[@]} -eq 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[1]}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
