#!/bin/sh
# Installs the Debian 12 packages rcuvfs builds and tests with (run as root).
# Each package is there for a reason the README's "Dependencies" section gives.
set -eu
PACKAGES="build-essential cmake pkg-config
  liburcu-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libcli11-dev
  nlohmann-json3-dev
  gnuplot-nox
  libfuse3-dev fuse3
  stress-ng git tar diffutils findutils attr
  etcd-server etcd-client
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  golang-etcd-server-dev"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# etcd-server's package starts a system etcd on localhost:2379 when it is installed;
# the tests start their own clusters (scripts/etcd-cluster.sh) and need none running.
# Stopped right after the install only: the init script's stop would also stop the
# clusters someone started by hand since.
case " $missing " in
  *" etcd-server "*)
    if command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now etcd >/dev/null 2>&1 || true
    fi
    if [ -x /etc/init.d/etcd ]; then
      /etc/init.d/etcd stop >/dev/null 2>&1 || true
    fi
    ;;
esac
