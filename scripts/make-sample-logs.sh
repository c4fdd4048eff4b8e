#!/usr/bin/env bash
# Regenerates the committed sample logs in sample_logs/ from their scenarios with `longtail synth`.
# Byte-identical across runs: `git status sample_logs` stays clean after running it on a clean tree.
# Usage: scripts/make-sample-logs.sh [path/to/longtail]   (default: build/tools/longtail)
set -euo pipefail
cd "$(dirname "$0")/.."
longtail="${1:-build/tools/longtail}"
if [[ ! -x "$longtail" ]]; then
  echo "make-sample-logs: $longtail not found; build first (scripts/build.sh)" >&2
  exit 2
fi

# Written to a scratch folder first, then moved into place, so a failed run leaves the old logs.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# scenario | seed | drive number
while read -r scenario seed drive; do
  "$longtail" synth "sample_logs/scenarios/$scenario.pbtxt" -o "$scratch/kitti" --seed "$seed" \
    --drive "$drive" --format kitti
done <<'LIST'
stopped_vehicle_ahead 1 0001
LIST
rm -rf sample_logs/kitti
mv "$scratch/kitti" sample_logs/kitti
du -sh sample_logs/kitti
