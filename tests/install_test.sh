#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR -- install into a temporary prefix,
# then build examples/embed.c against the installed copy with pkg-config
# and run it; check the shared library's SONAME.
set -eu
BUILD=$1 SRC=$2
PREFIX=$(mktemp -d)
trap 'rm -rf "$PREFIX"' EXIT
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig:$PREFIX/lib/$(cc -dumpmachine)/pkgconfig"
LIBDIR=$(pkg-config --variable=libdir sift)
cc -std=c11 -Wall -Wextra -Werror "$SRC/examples/embed.c" $(pkg-config --cflags --libs sift) \
    -Wl,-rpath,"$LIBDIR" -o "$PREFIX/embed"
out=$("$PREFIX/embed" "$PREFIX/index")
echo "$out"
echo "$out" | grep -q '^1 c ' || { echo "embed: unexpected output"; exit 1; }
readelf -d "$LIBDIR/libsift.so" | grep -q 'SONAME.*\[libsift.so.0\]' || { echo "no SONAME"; exit 1; }
# the static library and the header are installed too
[ -f "$LIBDIR/libsift.a" ] && [ -f "$PREFIX/include/sift/sift.h" ]
for b in search search-index; do [ -x "$PREFIX/bin/$b" ] || { echo "$b not installed"; exit 1; }; done
# only the API is exported from the shared library
if nm -D --defined-only "$LIBDIR/libsift.so" | awk '$2 == "T" {print $3}' | grep -v '^sift_'; then
    echo "symbols other than sift_* are exported"; exit 1
fi
# the same example through find_package(sift)
mkdir -p "$PREFIX/cm"
cat >"$PREFIX/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.18)
project(embed_cmake C)
find_package(sift 0.1 REQUIRED)
add_executable(embed_cmake $SRC/examples/embed.c)
target_link_libraries(embed_cmake PRIVATE sift::sift)
CM
cmake -S "$PREFIX/cm" -B "$PREFIX/cm/build" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$PREFIX/cm/build" >/dev/null
LD_LIBRARY_PATH="$LIBDIR" "$PREFIX/cm/build/embed_cmake" "$PREFIX/index2" | grep -q '^1 c ' || { echo "find_package build failed"; exit 1; }
# man pages and completions
for f in share/man/man1/search.1 share/man/man1/search-index.1 share/man/man3/sift.3 \
         share/bash-completion/completions/search; do
    [ -f "$PREFIX/$f" ] || { echo "$f not installed"; exit 1; }
done
man -l "$PREFIX/share/man/man1/search.1" >/dev/null 2>&1 || command -v man >/dev/null || true
echo "install test passed"
