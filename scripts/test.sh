#!/usr/bin/env bash
# Install the dependencies, build sift twice -- with AddressSanitizer and
# UndefinedBehaviorSanitizer (leaks included), then with -Werror as shipped
# -- and run the whole test suite under both; the two threaded tests also
# under ThreadSanitizer. The release suite also
# installs into a temporary prefix and builds examples/embed.c against it.
set -eu
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSIFT_SANITIZE=ON -DSIFT_WERROR=ON >/dev/null
cmake --build build-asan -j "$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$JOBS")

echo "== ThreadSanitizer: the indexer's workers and final merge, and concurrent searches"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSIFT_WERROR=ON \
    -DCMAKE_C_FLAGS="-fsanitize=thread -O1 -g" >/dev/null
cmake --build build-tsan -j "$JOBS" --target test_pool test_threads search-index >/dev/null
TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_pool
TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_threads
tsan_index=$(mktemp -d)   # the whole writer with its workers, on the bundled corpus
TSAN_OPTIONS=halt_on_error=1 build-tsan/search-index -q --threads 3 --index "$tsan_index/idx" corpus
rm -rf "$tsan_index"

echo "== fuzzing smoke run (libFuzzer, 30 s per target)"
bash scripts/fuzz.sh 30

echo "== release build (-Wall -Wextra -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIFT_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"

echo "== valgrind memcheck (unit tests and both programs)"
bash scripts/valgrind.sh build

(cd build && ctest --output-on-failure -j "$JOBS")


echo "== benchmark smoke run (bench/compare.sh --quick: Reuters, 200 queries, all engines)"
bash bench/compare.sh --quick >/dev/null
echo "benchmark smoke run: bench/results/quick/report.md"
