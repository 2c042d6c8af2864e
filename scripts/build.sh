#!/bin/sh
# build.sh DIR [configure options]: out-of-tree build of vpnd in DIR.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; shift
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || "$top/configure" --prefix="$dir/stage" "$@" >/dev/null
make -j"$(nproc)" >/dev/null
