#!/usr/bin/env bash
# Installs every Debian package longtail needs to build, test and benchmark.
# Idempotent: apt-get skips what is already there. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libeigen3-dev libopencv-dev libpcl-dev libprotobuf-dev protobuf-compiler libtbb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3 libpq-dev libpqxx-dev
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libzstd-dev liblz4-dev libdeflate-dev zlib1g-dev libbz2-dev
  libisal-dev
  libsodium-dev
)
if [ "${1:-}" = "--test" ]; then
  # Only the test suite needs a PostgreSQL server, a browser, python3-rosbag (an independent
  # ROS 1 bag writer for tests/js/ros_bag_interop.test.mjs), and Slurm with munge and jq for the
  # one-node cluster that runs docs/deploy/slurm-array.sh (tests/deploy/).
  packages+=(postgresql chromium python3-rosbag python3-sensor-msgs python3-tf2-msgs
    slurm-wlm munge jq)
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "Node.js and npm are needed for the Foxglove schema generator and the JS tests" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q nodejs npm
}
