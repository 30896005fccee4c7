#!/bin/sh
# Installs rcuvfs into a scratch prefix and builds examples/embed against it, through
# find_package(rcuvfs) and through pkg-config; both programs must run and print the
# expected stat.
set -eu
BUILD_DIR=$1
SOURCE_DIR=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD_DIR" --prefix "$TMP/prefix" >/dev/null
cmake -S "$SOURCE_DIR/examples/embed" -B "$TMP/embed" -DCMAKE_PREFIX_PATH="$TMP/prefix" >/dev/null
cmake --build "$TMP/embed" >/dev/null
out=$(LD_LIBRARY_PATH="$TMP/prefix/lib:$TMP/prefix/lib/x86_64-linux-gnu" "$TMP/embed/embed")
[ "$out" = "mode=100644 size=3" ] || { echo "find_package build printed: $out"; exit 1; }
PKG_CONFIG_PATH="$TMP/prefix/lib/pkgconfig:$TMP/prefix/lib/x86_64-linux-gnu/pkgconfig"
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
c++ -std=c++20 -o "$TMP/embed-pc" "$SOURCE_DIR/examples/embed/main.cc" $(pkg-config --cflags --libs rcuvfs)
out=$(LD_LIBRARY_PATH="$TMP/prefix/lib:$TMP/prefix/lib/x86_64-linux-gnu" "$TMP/embed-pc")
[ "$out" = "mode=100644 size=3" ] || { echo "pkg-config build printed: $out"; exit 1; }
echo "install test: find_package and pkg-config builds both work"
