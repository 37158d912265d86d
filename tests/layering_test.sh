#!/usr/bin/env bash
# layering_test.sh SOURCE_DIR -- the rooms of the tree keep to their floors:
#   common/           includes only common/
#   common/segment/   common/ and common/segment/
#   indexer/          common/, common/segment/ and indexer/ (never searcher/)
#   searcher/         common/, common/segment/ and searcher/ (never indexer/)
# and no C source of theirs is longer than 800 lines. A quoted include is
# resolved to the room that holds a header of that name.
set -eu
root=$1
cd "$root"
fail=0
room_of() {   # header name -> its room (first match), or "" when not ours
    for d in common/segment common indexer searcher; do
        [ -f "$d/$1" ] && { echo "$d"; return; }
    done
    echo ""
}
allowed() {   # room of the including file, room of the header
    case "$1:$2" in
    common:common) return 0 ;;
    common/segment:common|common/segment:common/segment) return 0 ;;
    indexer:common|indexer:common/segment|indexer:indexer) return 0 ;;
    searcher:common|searcher:common/segment|searcher:searcher) return 0 ;;
    esac
    return 1
}
for room in common common/segment indexer searcher; do
    for f in "$room"/*.c "$room"/*.h; do
        [ -e "$f" ] || continue
        # the programs' main.c and the CLI helpers are not part of the library's rooms
        case "$f" in indexer/main.c|searcher/main.c|common/cli.c|common/cli.h) continue ;; esac
        while read -r hdr; do
            r=$(room_of "$hdr")
            [ -z "$r" ] && continue
            if ! allowed "$room" "$r"; then
                echo "layering: $f includes $r/$hdr"
                fail=1
            fi
        done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
        if [ "${f##*.}" = c ] && [ "$(wc -l <"$f")" -gt 800 ]; then
            echo "layering: $f has $(wc -l <"$f") lines (at most 800)"
            fail=1
        fi
    done
done
# the programs: search-index uses no searcher/ header, search no indexer/ one
for pair in indexer/main.c:searcher searcher/main.c:indexer; do
    f=${pair%%:*} banned=${pair##*:}
    while read -r hdr; do
        [ "$(room_of "$hdr")" = "$banned" ] && { echo "layering: $f includes $banned/$hdr"; fail=1; }
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
[ $fail = 0 ] && echo "layering: every room keeps to its floor"
exit $fail
