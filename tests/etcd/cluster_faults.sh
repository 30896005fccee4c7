#!/bin/sh
# The etcd cluster the etcd tests run on (scripts/etcd-cluster.sh): three members on
# loopback ports, and the faults they are put through, with what rcuvfs relies on.
#
#  1. One member killed and restarted five times (each member in turn) while a writer
#     puts keys: every put is acknowledged (a put whose member went away is tried
#     again, as a client must: the retries are counted), and every acknowledged put
#     is there afterwards, on every member.
#  2. Quorum lost (two members killed): a put with a 2-s deadline fails within 5 s,
#     a serializable read of the last member still answers, and once the members are
#     back a put succeeds without restarting anything else.
#
#   cluster_faults.sh SCRIPTS_DIR
# Exit 77 (ctest SKIP) without etcd.
set -eu
SCRIPTS=$1
export ETCDCTL_API=3 LC_ALL=C
command -v etcd >/dev/null && command -v etcdctl >/dev/null || {
  echo "SKIP: etcd and etcdctl are not installed" >&2
  exit 77
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcuvfs-etcd.XXXXXX")
C=$WORK/cluster
cleanup() {
  [ -f "$WORK/writer.pid" ] && kill "$(cat "$WORK/writer.pid")" 2>/dev/null || true
  sh "$SCRIPTS/etcd-cluster.sh" stop "$C" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

E=$(sh "$SCRIPTS/etcd-cluster.sh" start "$C")
echo "cluster: $E"

# 1. A writer puts k1, k2, ... (one client call each, 2-s deadline, tried up to five
#    times), logging each acknowledged put, each retry and each put never
#    acknowledged, until told to stop.
(
  i=0
  while [ ! -e "$WORK/stop" ]; do
    i=$((i + 1))
    try=1
    until etcdctl --endpoints="$E" --command-timeout=2s put "k$i" "v$i" >/dev/null 2>>"$WORK/errors"; do
      echo "k$i" >>"$WORK/retried"
      try=$((try + 1))
      if [ $try -gt 5 ]; then
        echo "k$i" >>"$WORK/failed"
        continue 2
      fi
    done
    echo "k$i v$i" >>"$WORK/acked"
  done
) &
echo $! >"$WORK/writer.pid"
for round in 1 2 3 4 5; do
  n=$(((round - 1) % 3 + 1))
  sleep 0.5
  sh "$SCRIPTS/etcd-cluster.sh" kill "$C" "$n"
  sleep 0.5
  sh "$SCRIPTS/etcd-cluster.sh" restart "$C" "$n"
done
sleep 0.5
touch "$WORK/stop"
wait "$(cat "$WORK/writer.pid")"
rm -f "$WORK/writer.pid"
[ ! -s "$WORK/failed" ] || fail "puts failed: $(wc -l <"$WORK/failed") ($(head -n 3 "$WORK/errors"))"
acked=$(wc -l <"$WORK/acked")
[ "$acked" -gt 20 ] || fail "only $acked puts in five kills"
for ep in $(echo "$E" | tr , ' '); do
  # Everything under k, as this member has it (serializable: its own copy).
  etcdctl --endpoints="$ep" --command-timeout=5s get --consistency=s --prefix k --print-value-only=false \
    | paste - - | sort >"$WORK/have"
  sort "$WORK/acked" | tr ' ' '\t' >"$WORK/want"
  lost=$(comm -23 "$WORK/want" "$WORK/have" | wc -l)
  [ "$lost" = 0 ] || fail "$ep lost $lost of $acked acknowledged puts"
done
retried=$(cat "$WORK/retried" 2>/dev/null | wc -l)
echo "five member kills under writes: $acked puts acknowledged ($retried tried again), 0 lost on any member"

# 2. Quorum lost.
sh "$SCRIPTS/etcd-cluster.sh" kill "$C" 1
sh "$SCRIPTS/etcd-cluster.sh" kill "$C" 2
start=$(date +%s%N)
if etcdctl --endpoints="$E" --command-timeout=2s put q 1 >/dev/null 2>&1; then
  fail "a put succeeded without quorum"
fi
took=$((($(date +%s%N) - start) / 1000000))
[ "$took" -lt 5000 ] || fail "a put without quorum took $took ms to fail"
last=$(echo "$E" | cut -d, -f3)
[ "$(etcdctl --endpoints="$last" --command-timeout=2s get --consistency=s --print-value-only k1)" = v1 ] ||
  fail "the last member does not answer a serializable read"
sh "$SCRIPTS/etcd-cluster.sh" restart "$C" 1
sh "$SCRIPTS/etcd-cluster.sh" restart "$C" 2
etcdctl --endpoints="$E" --command-timeout=5s put q 2 >/dev/null || fail "no put after quorum came back"
echo "quorum lost: a put failed after $took ms; serializable reads answered; writes work again"
