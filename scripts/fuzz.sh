#!/usr/bin/env bash
# Build the libFuzzer targets with clang (AddressSanitizer + UBSan) and run
# them. Two modes:
#   scripts/fuzz.sh [SECONDS]          each target for SECONDS (default 60):
#                                      CI's smoke run, from the stored seeds
#   scripts/fuzz.sh --campaign [RUNS]  each target for RUNS executions
#                                      (default 10,000,000), its corpus kept in
#                                      fuzz-corpus/TARGET between campaigns;
#                                      prints executions, seconds and exec/s
# FUZZ_TARGETS picks targets (default: all), FUZZ_MAX_LEN caps input bytes,
# FUZZ_JOBS runs that many targets at once (default 1), FUZZ_WORKERS runs
# that many processes of each target on its one corpus, which they share
# as libFuzzer reloads it (a campaign's runs split between them, their
# executions summed; default 1). Crashes are saved
# in fuzz-artifacts/: add each one to tests/fuzz/seeds/TARGET/ and a
# regression test.
set -eu
cd "$(dirname "$0")/.."
campaign=0
if [ "${1:-}" = --campaign ]; then campaign=1; RUNS=${2:-10000000}; else SECS=${1:-60}; fi
bash scripts/install-deps.sh
CC=clang cmake -S . -B build-fuzz -DSIFT_FUZZ=ON -DSIFT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_query fuzz_search fuzz_analyzer fuzz_jsonl fuzz_frontmatter fuzz_stats fuzz_index
mkdir -p fuzz-artifacts
# the index target starts from a real small segment
cmake --build build-fuzz -j "$(nproc)" --target search-index >/dev/null
seed_index=$(mktemp -d)
./build-fuzz/search-index -q --index "$seed_index/idx" tests/fuzz/seeds/docs >/dev/null 2>&1 || true
TARGETS=${FUZZ_TARGETS:-query search analyzer jsonl frontmatter stats index}
run_target() {   # target -> one line of figures
    local target=$1 work seeds
    if [ $campaign = 1 ]; then work=fuzz-corpus/$target; mkdir -p "$work"; else work=$(mktemp -d); fi
    if [ "$target" = index ]; then cp "$seed_index"/idx/seg-*.sift "$work/" 2>/dev/null || true; fi
    # stored seeds, including every input that once failed (regressions replayed first)
    seeds=$target; [ "$target" = search ] && seeds=query   # the same inputs: query text
    [ -d tests/fuzz/seeds/$seeds ] && cp tests/fuzz/seeds/$seeds/* "$work/"
    local limit
    if [ $campaign = 1 ]; then limit="-runs=$RUNS"; else limit="-max_total_time=$SECS"; fi
    # FUZZ_MAX_LEN caps the inputs libFuzzer makes (its default grows them
    # to 4,096 bytes, where a query target slows tenfold)
    if [ -n "${FUZZ_MAX_LEN:-}" ]; then limit="$limit -max_len=$FUZZ_MAX_LEN"; fi
    # A campaign records 4 frames of each allocation's stack, not 30 (the
    # unwinding took a sixth of a query target's time; a crash's own stack
    # stays whole, and its saved input replays with every frame), and
    # rereads the shared corpus every 10 s, not every second.
    local asan=${ASAN_OPTIONS:-}
    if [ $campaign = 1 ]; then limit="$limit -reload=10"; asan="malloc_context_size=4${asan:+:$asan}"; fi
    local t0 t1 workers=${FUZZ_WORKERS:-1} i
    [ $campaign = 1 ] && limit="${limit/-runs=$RUNS/-runs=$((RUNS / workers))}"
    rm -f fuzz-artifacts/fuzz_$target.*.log
    t0=$(date +%s)
    for i in $(seq 1 "$workers"); do
        ASAN_OPTIONS=$asan ./build-fuzz/tests/fuzz/fuzz_$target $limit -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix=fuzz-artifacts/fuzz_$target- -print_final_stats=1 "$work" \
            >"fuzz-artifacts/fuzz_$target.$i.log" 2>&1 &
    done
    wait || true
    t1=$(date +%s)
    local n
    n=$(cat fuzz-artifacts/fuzz_$target.*.log | sed -n 's/^stat::number_of_executed_units: *//p' |
        awk '{ s += $1 } END { print s + 0 }')
    grep -hE "ERROR|SUMMARY" fuzz-artifacts/fuzz_$target.*.log | head -5 || true
    local secs=$((t1 - t0)); [ "$secs" -gt 0 ] || secs=1
    echo "fuzz_$target: $n executions in $secs s ($(( n / secs )) per second, $workers process(es))"
    [ $campaign = 1 ] || rm -rf "$work"
}
JOBS=${FUZZ_JOBS:-1}
running=0
for target in $TARGETS; do
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait
rm -rf "$seed_index"
if ls fuzz-artifacts/fuzz_*-* >/dev/null 2>&1; then echo "fuzzing found a failure:"; ls fuzz-artifacts/fuzz_*-*; exit 1; fi
echo "fuzzing: no failures"
