#!/usr/bin/env bash
# --help of each program fits one screen (at most 50 lines of at most 80
# columns) and lists the same options, in the same order, as its man page.
# usage: help_man_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1 src=$2
fail=0

# options of the lines that start an entry in the help's Options: section
help_opts() {
    "$build/$1" --help | awk '/^Options:/{on=1; next} on && /^  -/' |
        grep -oE '(^|[ ,])--?[a-z0-9][a-z0-9-]*' | tr -d ' ,'
}
# options of the tag line after each .TP in the man page's OPTIONS section
man_opts() {
    awk '/^\.SH OPTIONS/{on=1; next} /^\.SH/{on=0} on && tp {print; tp=0} on && /^\.TP/{tp=1}' \
        "$src/docs/man/$1.1" | sed 's/\\-/-/g' |
        grep -oE '(^|[ ,"])--?[a-z0-9][a-z0-9-]*' | tr -d ' ,"'
}

for prog in search search-index; do
    out=$("$build/$prog" --help)
    lines=$(printf '%s\n' "$out" | wc -l)
    wide=$(printf '%s\n' "$out" | awk 'length > 80' | wc -l)
    [ "$lines" -le 50 ] || { echo "FAIL: $prog --help has $lines lines"; fail=1; }
    [ "$wide" -eq 0 ] || { echo "FAIL: $prog --help has $wide lines over 80 columns"; fail=1; }
    h=$(help_opts "$prog")
    m=$(man_opts "$prog")
    [ "$(printf '%s\n' "$h" | wc -l)" -ge 8 ] || { echo "FAIL: $prog: too few options parsed from --help"; fail=1; }
    if [ "$h" != "$m" ]; then
        echo "FAIL: $prog --help and $prog.1 list different options:"
        diff <(printf '%s\n' "$h") <(printf '%s\n' "$m") || true
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "help_man: --help and man pages agree"
exit $fail
