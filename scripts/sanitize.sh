#!/bin/sh
# Build with a sanitizer and run the tests again:
#   scripts/sanitize.sh thread    ThreadSanitizer: the tests that run threads against
#                                 each other (ctest labels stress and threads)
#   scripts/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer +
#                                 LeakSanitizer: every test. Built with clang and
#                                 RCUVFS_FUZZ, so that the same build has the fuzz
#                                 targets (scripts/fuzz.sh SECONDS build-address);
#                                 clang also checks the lock annotations there
#                                 (-Werror=thread-safety, CMakeLists.txt)
set -eu
cd "$(dirname "$0")/.."
KIND=${1:?usage: sanitize.sh thread|address}
BUILD=build-$KIND
sh scripts/install-deps.sh
# ThreadSanitizer does not follow the forked sandboxes: don't build those tests.
sandbox=ON
[ "$KIND" = thread ] && sandbox=OFF
if [ "$KIND" = thread ]; then
  kind="-DRCUVFS_SANITIZE=thread"
else
  sh scripts/install-clang.sh
  kind="-DRCUVFS_SANITIZE= -DRCUVFS_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++"
  kind="$kind -DRCUVFS_TEST_COMPILE_OPTIONS=-O0"
fi
# -O1 -g1: line numbers in reports, at a fraction of the compile time of -O2 -g.
# A unity build (sources compiled in batches) halves the library's and the tools'
# compile time; the normal build (scripts/test.sh) still compiles every file alone,
# so a file that only compiles beside others does not go unseen.
# shellcheck disable=SC2086
cmake -S . -B "$BUILD" $kind -DRCUVFS_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
      -DRCUVFS_BUILD_SANDBOX_TESTS=$sandbox -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
if [ "$KIND" = thread ]; then
  cmake --build "$BUILD" -j2 --target concurrency_tests
else
  cmake --build "$BUILD" -j2
fi
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export RCUVFS_STRESS_SECONDS=${RCUVFS_STRESS_SECONDS:-2}
cd "$BUILD"
# install_test builds a consumer without the sanitizer runtime: not meaningful here.
# The injected-bug self-tests (torture_inject_*, stat_race_test's StatRaceChecker)
# prove the checker, not the library, and wait for a race whose odds the sanitizers'
# slowdown changes: the normal build runs them. So does
# etcd_cluster_faults, which tests the cluster script, not rcuvfs. EtcdFaults kills
# and restarts etcd members for a minute and more: the normal and AddressSanitizer
# builds run it; what it exercises of rcuvfs's threads the other etcd tests do too.
# The kernel comparison's random scripts exercise the same code over and
# over: 40 per filesystem here, against 100-200 in the normal build. Four tests at a
# time, as in scripts/test.sh.
if [ "$KIND" = thread ]; then
  GTEST_FILTER='-StatRaceChecker.*' \
    ctest --output-on-failure -j4 -L 'stress|threads' -E '^(torture_inject_|EtcdFaults\.)'
else
  RCUVFS_RANDOM_SCRIPTS=40 \
    ctest --output-on-failure -j4 -E '^(install_test|torture_inject_|etcd_cluster_faults$)'
fi
