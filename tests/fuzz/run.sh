#!/usr/bin/env bash
# Builds every libFuzzer target (the `fuzz` CMake preset: clang, ASan + UBSan) and fuzzes each.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# SECONDS per target (default 600; 0 = build only); no TARGET = all of them. FUZZ_JOBS=N fuzzes N
# targets at once (default 1). Seeds: inputs/<target>/ (saved crash inputs and small hand-made
# files) and real files from ../shared/data. Corpora grow in build-fuzz/corpus/<target>; crashes,
# leaks and timeouts land in build-fuzz/findings/<target>. Prints one line per target: seconds,
# executions, corpus size, and whether it found anything.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-600}"
shift || true
cd "$ROOT"
if [ "${FUZZ_SKIP_BUILD:-}" != 1 ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi
[ "$SECONDS_PER_TARGET" = 0 ] && exit 0

OUT="$ROOT/build-fuzz"
DATA="${LONGTAIL_SHARED_DATA:-$ROOT/../shared/data}"
SAMPLE="$ROOT/sample_logs/kitti/2026_01_01"
DRIVE="$SAMPLE/2026_01_01_drive_0001_sync"
TARGETS=("$@")
if [ ${#TARGETS[@]} = 0 ]; then
  mapfile -t TARGETS < <(cd tests/fuzz && ls ./*_fuzzer.cpp | sed 's|^\./||; s|\.cpp$||')
fi

# Copies seed files into $1, each prefixed with the byte $2 when given (targets whose first byte
# picks which file the rest replaces).
copy_seeds() {
  local dir="$1" prefix="$2"
  shift 2
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    if [ -n "$prefix" ]; then
      { printf "\\x$prefix"; cat "$file"; } >"$dir/$prefix-$(basename "$file")"
    else
      cp "$file" "$dir/"
    fi
  done
}

# Writes the seeds of target $1 into $2; echoes the largest input the fuzzer may make.
seed() {
  local target="$1" dir="$2"
  case "$target" in
    mcap_record_fuzzer)
      copy_seeds "$dir" "" $(find "$DATA/mcap-conformance" -name '*.mcap' -size -16k); echo 16384 ;;
    mcap_log_fuzzer)
      copy_seeds "$dir" "" $(find "$DATA/mcap-conformance" -name '*.mcap' -size -64k); echo 65536 ;;
    kitti_scan_fuzzer)
      copy_seeds "$dir" "" "$DRIVE"/velodyne_points/data/000000000[0-3].bin; echo 65536 ;;
    kitti_calibration_fuzzer)
      copy_seeds "$dir" 00 "$SAMPLE/calib_cam_to_cam.txt" "$DATA"/kitti-raw/2011_09_26/calib_cam_to_cam.txt
      copy_seeds "$dir" 01 "$SAMPLE/calib_velo_to_cam.txt" "$DATA"/kitti-raw/2011_09_26/calib_velo_to_cam.txt
      copy_seeds "$dir" 02 "$SAMPLE/calib_imu_to_velo.txt" "$DATA"/kitti-tracking/training/calib/0000.txt
      echo 8192 ;;
    kitti_oxts_fuzzer)
      copy_seeds "$dir" "" "$DRIVE"/oxts/data/000000000[0-3].txt; echo 4096 ;;
    kitti_timestamps_fuzzer)
      copy_seeds "$dir" 00 "$DRIVE/velodyne_points/timestamps.txt"
      copy_seeds "$dir" 01 "$DRIVE/image_02/timestamps.txt"
      copy_seeds "$dir" 02 "$DRIVE/oxts/timestamps.txt"
      echo 8192 ;;
    kitti_label_fuzzer)
      copy_seeds "$dir" "" "$DATA"/kitti-object/training/label_2/*.txt "$DATA/kitti-tracking/training/label_02/0000.txt"
      echo 16384 ;;
    openlabel_fuzzer)
      copy_seeds "$dir" "" "$DATA"/openlabel/examples/*.json; echo 65536 ;;
    pcd_fuzzer)
      copy_seeds "$dir" "" "$DATA/ros-logs/pcd-sequence/lidar_camera_pair/0.pcd" \
        $(find "$DATA/ros-logs/pcd-sequence/top_center_lidar" -name '*.pcd' | sort | head -2)
      echo 65536 ;;
    ros1_bag_fuzzer)
      copy_seeds "$dir" "" "$DATA/ros-logs/ros1-bag-luminar/test.bag"; echo 262144 ;;
    rosbag2_db3_fuzzer)
      copy_seeds "$dir" "" "$DATA"/ros-logs/db3-ros2-velodyne-packets/*/*.db3; echo 262144 ;;
    *) echo 16384 ;;
  esac
}

fuzz_one() {
  local target="$1"
  local corpus="$OUT/corpus/$target" seeds="$OUT/seeds/$target" findings="$OUT/findings/$target"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$findings"
  local max_len
  max_len=$(seed "$target" "$seeds")
  [ -d "$ROOT/tests/fuzz/inputs/$target" ] && cp "$ROOT/tests/fuzz/inputs/$target"/* "$seeds/" 2>/dev/null
  local status=0 start
  start=$(date +%s)
  (cd "$findings" && UBSAN_OPTIONS=print_stacktrace=1 "$OUT/tests/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
    -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$corpus" "$seeds") >"$OUT/findings/$target.log" 2>&1 || status=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/findings/$target.log" | grep -o '[0-9]*$' || echo '?')
  printf '%-26s %5ss %10s execs %6s corpus files %s\n' "$target" "$(($(date +%s) - start))" "$runs" \
    "$(ls "$corpus" | wc -l)" "$([ $status = 0 ] && echo ok || echo "FOUND SOMETHING: see $OUT/findings/$target.log")"
}
export -f fuzz_one seed copy_seeds
export OUT DATA SAMPLE DRIVE ROOT SECONDS_PER_TARGET
printf '%s\n' "${TARGETS[@]}" | xargs -P "${FUZZ_JOBS:-1}" -I{} bash -c 'fuzz_one {}'
