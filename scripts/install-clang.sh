#!/bin/sh
# clang and its libFuzzer runtime (Debian: clang pulls in libclang-rt-14-dev), which the
# AddressSanitizer build and the fuzz targets are built with (libFuzzer exists in clang,
# not g++): installed here rather than for every build.
set -eu
command -v clang++ >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "clang++ is missing (run as root, or install clang)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
