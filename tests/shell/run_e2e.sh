#!/bin/sh
# End-to-end check of a shell program against a checked-in expected output.
#
#   run_e2e.sh MODE PROGRAM NORMALIZE SCRIPT EXPECTED
#
# MODE: "file" runs `PROGRAM shell SCRIPT`, "stdin" runs `PROGRAM shell < SCRIPT`,
# "dash" runs `PROGRAM shell - < SCRIPT` (all three: the rcuvfs binary), "oracle" runs
# `PROGRAM SCRIPT` (linux_shell, to check the oracle and the expected file agree).
# Both outputs go through NORMALIZE (ino=/dev= renumbering) before the diff. The
# exit status must be 1 when the expected output has a `bad` line, 0 otherwise.
set -u
mode=$1 prog=$2 normalize=$3 script=$4 expected=$5
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

case $mode in
  file)   "$prog" shell "$script" > "$tmp/raw"; status=$? ;;
  stdin)  "$prog" shell < "$script" > "$tmp/raw"; status=$? ;;
  dash)   "$prog" shell - < "$script" > "$tmp/raw"; status=$? ;;
  oracle) "$prog" "$script" > "$tmp/raw"; status=$? ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac

"$normalize" < "$tmp/raw" > "$tmp/got"
"$normalize" < "$expected" > "$tmp/want"
if grep -q '^bad ' "$expected"; then want_status=1; else want_status=0; fi

fail=0
if ! diff -u "$tmp/want" "$tmp/got"; then
  echo "FAIL: output of $script differs from $expected (- expected, + got)"
  fail=1
fi
if [ "$status" -ne "$want_status" ]; then
  echo "FAIL: exit status $status, expected $want_status"
  fail=1
fi
exit $fail
