#!/usr/bin/env bash
# Build the libFuzzer targets with clang (AddressSanitizer + UBSan) and run
# each for SECONDS (default 60): scripts/fuzz.sh [SECONDS]. CI runs a short
# smoke run; run it for hours by hand. Crashes are saved as crash-* files:
# (in fuzz-artifacts/): add each one to tests/fuzz/seeds/ and a regression test.
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
bash scripts/install-deps.sh
CC=clang cmake -S . -B build-fuzz -DSIFT_FUZZ=ON -DSIFT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_query fuzz_search fuzz_analyzer fuzz_jsonl fuzz_index
mkdir -p fuzz-artifacts
# the index target starts from a real small segment
cmake --build build-fuzz -j "$(nproc)" --target search-index >/dev/null
seed_index=$(mktemp -d)
./build-fuzz/search-index -q --index "$seed_index/idx" tests/fuzz/seeds/docs >/dev/null 2>&1 || true
TARGETS=${FUZZ_TARGETS:-query search analyzer jsonl index}
for target in $TARGETS; do
    work=$(mktemp -d)
    if [ "$target" = index ]; then cp "$seed_index"/idx/seg-*.sift "$work/"; fi
    # stored seeds, including every input that once failed (regressions replayed first)
    seeds=$target; [ "$target" = search ] && seeds=query   # the same inputs: query text
    [ -d tests/fuzz/seeds/$seeds ] && cp tests/fuzz/seeds/$seeds/* "$work/"
    echo "== fuzz_$target for $SECS s"
    ./build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=fuzz-artifacts/ \
        -print_final_stats=1 "$work" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY" || true
    rm -rf "$work"
    if ls fuzz-artifacts/* >/dev/null 2>&1; then echo "fuzz_$target found a failure:"; ls fuzz-artifacts; exit 1; fi
done
rm -rf "$seed_index"
echo "fuzzing: no failures"
