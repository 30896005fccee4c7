#!/bin/sh
# Build the libFuzzer targets (fuzz/) with clang and run each over its seed corpus
# for a bounded time. Any crash, leak, sanitizer report or broken invariant fails.
#   scripts/fuzz.sh [SECONDS [BUILD]]   seconds per target (default 30), build
#                                       directory (default build-fuzz; one made by
#                                       scripts/sanitize.sh address is used as it is)
# New inputs found along the way go to BUILD/corpus/<target>/ (emptied at the start of
# each run; the checked-in seeds in fuzz/corpus/ are only read); a failing input is
# saved as BUILD/crash-<target>-* and can be replayed with BUILD/fuzz/<target>_fuzz FILE.
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
BUILD=${2:-build-fuzz}
sh scripts/install-deps.sh
sh scripts/install-clang.sh
if ! grep -qs '^RCUVFS_FUZZ:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  launcher=""
  if command -v ccache >/dev/null 2>&1; then
    launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
  fi
  # shellcheck disable=SC2086
  cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DRCUVFS_FUZZ=ON -DRCUVFS_BUILD_TESTS=OFF -DRCUVFS_BUILD_BENCH=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
        $launcher >/dev/null
fi
cmake --build "$BUILD" -j2 --target shell_fuzz resolve_fuzz
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for target in shell resolve; do
  # Inputs are sequences of calls: long ones from the start (-len_control=0); a
  # resolve input of 1 KiB already decodes into its maximum of 32 calls.
  max_len=4096
  [ "$target" = resolve ] && max_len=1024
  # New inputs of this run only: a corpus kept from run to run would make libFuzzer's
  # first pass over it outlast any time bound.
  work="$BUILD/corpus/$target"
  rm -rf "$work"
  mkdir -p "$work"
  echo "=== fuzz: ${target}_fuzz for ${SECONDS_PER_TARGET} s ==="
  # -detect_leaks=0: no leak check after each input (the namespace frees its objects
  # after RCU grace periods, so every input would look leaky and trigger a full LSan
  # scan, a quarter of the speed); LeakSanitizer still checks the whole run at exit.
  if ! "$BUILD/fuzz/${target}_fuzz" -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 -max_len="$max_len" -len_control=0 -print_final_stats=1 -detect_leaks=0 \
        -artifact_prefix="$BUILD/crash-$target-" \
        "$work" "fuzz/corpus/$target" 2>"$BUILD/$target.log"; then
    tail -n 60 "$BUILD/$target.log" >&2
    echo "fuzz: ${target}_fuzz FAILED (log: $BUILD/$target.log)" >&2
    status=1
  else
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done [0-9]+ runs' \
         "$BUILD/$target.log" || true
  fi
done
exit $status
