#!/bin/sh
# ctest's etcd fixture: one 3-member cluster (scripts/etcd-cluster.sh) for the whole
# run, its data on /dev/shm when there is one (etcd syncs every commit to disk).
#   fixture.sh start FILE   start it; FILE gets the endpoints, then its directory
#   fixture.sh stop FILE    stop it and remove its data
set -eu
SCRIPTS=$(cd "$(dirname "$0")/../../scripts" && pwd)
FILE=${2:?usage: fixture.sh start|stop FILE}
case ${1:-} in
start)
  if [ -s "$FILE" ]; then "$0" stop "$FILE"; fi
  base=/tmp
  [ -d /dev/shm ] && base=/dev/shm
  dir=$(mktemp -d "$base/rcuvfs-etcd.XXXXXX")
  eps=$(sh "$SCRIPTS/etcd-cluster.sh" start "$dir/c")
  printf '%s\n%s\n' "$eps" "$dir" >"$FILE"
  echo "etcd cluster: $eps"
  ;;
stop)
  [ -s "$FILE" ] || exit 0
  dir=$(sed -n 2p "$FILE")
  sh "$SCRIPTS/etcd-cluster.sh" stop "$dir/c" || true
  rm -rf "$dir" "$FILE"
  ;;
*)
  echo "usage: fixture.sh start|stop FILE" >&2
  exit 2
  ;;
esac
