#!/bin/sh
# Instructions per stat of the deep path (`rcuvfs bench`'s tree, one thread, no
# writer), counted by callgrind: `spec` (Task::statx, the speculative stat) and
# `floor` (diag::floor_stat: the same lookups with no synchronisation at all). Machine
# noise does not move these counts, so they show what a change to the walker costs.
#   scripts/callgrind-stat.sh [BUILD_DIR]     (default build-release; needs valgrind)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build-release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {  # $1: mode, $2: the function measured
  valgrind --tool=callgrind --callgrind-out-file="$out/$1" --toggle-collect="$2" \
    "$BUILD/rcuvfs" bench --modes "$1" --threads 1 --seconds 0.2 --rounds 1 \
    --writer-rate 0 >/dev/null 2>&1
  # The collected instructions over the calls of the function (its callers' cfn=
  # entries name it by a number after its first mention).
  awk -v fn="$2" '
    /^(c?fn)=\([0-9]+\) / { id = $1; sub(/^c?fn=/, "", id); name = $0;
                            sub(/^c?fn=\([0-9]+\) /, "", name); names[id] = name }
    /^cfn=/ { id = $1; sub(/^cfn=/, "", id); getline;
              n = names[id]; pat = fn; sub(/\*$/, "", pat);
              if (index(n, pat) == 1) { split($1, c, "="); calls += c[2] } }
    /^summary:/ { total = $2 }
    END { if (calls) printf "%d", total / calls; else print "?" }' "$out/$1"
}
echo "spec: $(count spec 'rcuvfs::Task::statx*') instructions per stat"
echo "floor: $(count floor 'rcuvfs::diag::floor_stat*') instructions per stat"
