#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install, build, and mine the bundled sample log into a
# review queue (out/sample.db). Safe to run again: re-mining adds no duplicate tasks.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh --target longtail   # the tests and benchmarks are built by scripts/test.sh
mkdir -p out
./build/tools/longtail inspect sample_logs/kitti/2026_01_01/2026_01_01_drive_0001_sync
./build/tools/longtail mine sample_logs/kitti/2026_01_01/2026_01_01_drive_0001_sync --queue out/sample.db
