#!/bin/sh
# The main job: build rcuvfs (Release) and run the side-by-side benchmark on an
# embedded memfs namespace (`rcuvfs bench --quick`, about a minute on 2 cores).
# Extra arguments go to `rcuvfs bench`, e.g. scripts/run.sh --json out.json --plot out.svg
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DRCUVFS_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j2 --target rcuvfs_tool
exec build-release/rcuvfs bench --quick "$@"
