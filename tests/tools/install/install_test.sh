#!/usr/bin/env bash
# `cmake --install` into a scratch prefix gives a binary that runs and the review page beside it,
# where the installed binary looks for it (labeling/review: DefaultWebRoot).
# Usage: install_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build="$1"
prefix="$2/prefix"
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/longtail" --help >/dev/null
for file in index.html app.js keys.js style.css three.module.js; do
  [ -s "$prefix/share/longtail/web/$file" ] || { echo "missing share/longtail/web/$file"; exit 1; }
done
echo "installed: $prefix/bin/longtail and $(ls "$prefix/share/longtail/web" | wc -l) page files"
