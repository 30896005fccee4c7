#!/bin/sh
# A 3-member etcd cluster on loopback addresses only, for tests and benchmarks.
#
#   etcd-cluster.sh start DIR      start members 1-3 (data, logs and pids in DIR, which
#                                  must be empty or absent); prints the client
#                                  endpoints (comma-separated) once every member is
#                                  healthy, or fails within 30 s
#   etcd-cluster.sh endpoints DIR  the client endpoints again
#   etcd-cluster.sh kill DIR N     SIGKILL member N (1-3)
#   etcd-cluster.sh restart DIR N  start member N again on its data; returns once it
#                                  is healthy, or fails within 30 s
#   etcd-cluster.sh pause DIR N    SIGSTOP member N: it stops answering but keeps its
#                                  connections open (a frozen machine, a partition
#                                  that sends no reset)
#   etcd-cluster.sh resume DIR N   SIGCONT member N
#   etcd-cluster.sh stop DIR       stop every member (SIGTERM, then SIGKILL after 2 s:
#                                  a member left without quorum waits seconds to exit)
#
# Ports: two per member from a base chosen free at start, in 20000-31999 (below the
# ephemeral ports) on 127.0.0.1 only, kept in DIR/ports. Needs etcd and etcdctl
# (Debian: etcd-server, etcd-client).
set -eu
CMD=${1:?usage: etcd-cluster.sh start|endpoints|kill|restart|pause|resume|stop DIR [N]}
DIR=${2:?usage: etcd-cluster.sh $CMD DIR [N]}
export ETCDCTL_API=3

die() {
  echo "etcd-cluster: $*" >&2
  exit 1
}
client_url() { echo "http://127.0.0.1:$((BASE + 2 * $1 - 2))"; }
peer_url() { echo "http://127.0.0.1:$((BASE + 2 * $1 - 1))"; }
endpoints() { echo "$(client_url 1),$(client_url 2),$(client_url 3)"; }
pid_of() { cat "$DIR/m$1.pid" 2>/dev/null || true; }
alive() {
  p=$(pid_of "$1")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null
}
# launch N STATE: member N in the background, its log in DIR/mN.log.
launch() {
  cluster="m1=$(peer_url 1),m2=$(peer_url 2),m3=$(peer_url 3)"
  etcd --name "m$1" --data-dir "$DIR/m$1.etcd" \
       --listen-client-urls "$(client_url "$1")" --advertise-client-urls "$(client_url "$1")" \
       --listen-peer-urls "$(peer_url "$1")" --initial-advertise-peer-urls "$(peer_url "$1")" \
       --initial-cluster "$cluster" --initial-cluster-state "$2" \
       --initial-cluster-token "rcuvfs-$BASE" \
       --logger zap --log-outputs stderr >>"$DIR/m$1.log" 2>&1 &
  echo $! >"$DIR/m$1.pid"
}
# healthy N...: wait (at most 30 s) until every member named answers a health check.
healthy() {
  tries=0
  for n in "$@"; do
    until etcdctl --endpoints="$(client_url "$n")" --command-timeout=1s endpoint health \
        >/dev/null 2>&1; do
      alive "$n" || die "member $n exited: $(tail -n 3 "$DIR/m$n.log")"
      tries=$((tries + 1))
      [ $tries -lt 150 ] || die "member $n is not healthy after 30 s"
      sleep 0.2
    done
  done
}
# free BASE: whether the six ports from BASE are free on 127.0.0.1.
free() {
  for p in $(seq "$1" $(($1 + 5))); do
    ss -ltnH "sport = :$p" | grep -q . && return 1
  done
  return 0
}

case $CMD in
start)
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then die "$DIR is not empty"; fi
  mkdir -p "$DIR"
  BASE=
  for try in 1 2 3 4 5 6 7 8; do
    # Below Linux's ephemeral ports (32768 and up by default): a client's connection
    # could take a member's port between this check and a (re)start otherwise.
    b=$((20000 + ($$ * 7 + try * 997) % 12000 / 6 * 6))
    if free "$b"; then
      BASE=$b
      break
    fi
  done
  [ -n "$BASE" ] || die "no six free ports found"
  echo "$BASE" >"$DIR/ports"
  for n in 1 2 3; do launch "$n" new; done
  healthy 1 2 3
  endpoints
  ;;
endpoints | kill | restart | pause | resume | stop)
  BASE=$(cat "$DIR/ports" 2>/dev/null) || die "no cluster in $DIR"
  case $CMD in
  endpoints) endpoints ;;
  kill)
    N=${3:?usage: etcd-cluster.sh kill DIR N}
    alive "$N" || die "member $N is not running"
    kill -KILL "$(pid_of "$N")"
    while alive "$N"; do sleep 0.05; done
    ;;
  pause | resume)
    N=${3:?usage: etcd-cluster.sh $CMD DIR N}
    alive "$N" || die "member $N is not running"
    if [ "$CMD" = pause ]; then kill -STOP "$(pid_of "$N")"; else kill -CONT "$(pid_of "$N")"; fi
    ;;
  restart)
    N=${3:?usage: etcd-cluster.sh restart DIR N}
    alive "$N" && die "member $N is running"
    launch "$N" existing
    healthy "$N"
    ;;
  stop)
    # CONT: a paused member would not act on the TERM.
    for n in 1 2 3; do alive "$n" && kill -TERM "$(pid_of "$n")" && kill -CONT "$(pid_of "$n")"; done
    waited=0
    for n in 1 2 3; do
      while alive "$n"; do
        if [ $waited -ge 20 ]; then kill -KILL "$(pid_of "$n")" 2>/dev/null || true; fi
        waited=$((waited + 1))
        sleep 0.1
      done
    done
    ;;
  esac
  ;;
*) die "unknown command $CMD" ;;
esac
