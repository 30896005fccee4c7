#!/bin/sh
# Build rcuvfs and run its whole test suite (unit, contract, walker, shell,
# kernel comparison, stress). Usage: scripts/test.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
sh scripts/install-deps.sh
# -g1 (line tables, no variables): a third less compile time than -g. The tests' own
# sources at -O1 (the largest compiles in a third less time again), while the library
# they test keeps -O2.
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DRCUVFS_TEST_COMPILE_OPTIONS=-O1 >/dev/null
cmake --build "$BUILD" -j2
# Four tests at a time on two cores: many wait (on etcd, on timers, on servers) more
# than they compute; the tests that must not share the machine say so (RUN_SERIAL,
# RESOURCE_LOCK).
cd "$BUILD" && ctest --output-on-failure -j4
