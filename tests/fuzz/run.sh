#!/usr/bin/env bash
# Builds the MCAP record fuzzer with Debian's clang (libFuzzer + ASan + UBSan) and runs it.
#   tests/fuzz/run.sh [SECONDS]   (default 600; 0 = build only)
# Seeds: the official conformance vectors and a few longtail-written files if present.
# Findings (crash-*, leak-*, timeout-*) land in $OUT (default build-fuzz/findings).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECONDS_TO_RUN="${1:-600}"
OUT="${OUT:-$ROOT/build-fuzz}"
mkdir -p "$OUT/findings" "$OUT/corpus"
# The record parser and readers need no generated code, so the fuzzer compiles them directly.
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$ROOT" -isystem /usr/include/eigen3 \
  "$ROOT/tests/fuzz/mcap_record_fuzzer.cpp" \
  "$ROOT/sensors/mcap/mcap_records.cpp" "$ROOT/sensors/mcap/mcap_reader.cpp" \
  "$ROOT/sensors/mcap/compression.cpp" "$ROOT/sensors/issues.cpp" \
  -lzstd -llz4 -lz -o "$OUT/mcap_record_fuzzer"
[ "$SECONDS_TO_RUN" = 0 ] && exit 0
SEEDS="$OUT/seeds"
mkdir -p "$SEEDS"
DATA="${LONGTAIL_SHARED_DATA:-$ROOT/../shared/data}"
if [ -d "$DATA/mcap-conformance" ]; then
  find "$DATA/mcap-conformance" -name '*.mcap' -size -16k -exec cp -t "$SEEDS" {} +
fi
cd "$OUT/findings"
exec "$OUT/mcap_record_fuzzer" -max_total_time="$SECONDS_TO_RUN" -max_len=16384 \
  -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$OUT/corpus" "$SEEDS"
