#!/usr/bin/env bash
# Line and branch coverage of the library (common/, indexer/, searcher/) by
# the whole ctest suite: a gcc --coverage build, lcov, a summary per
# directory printed and an HTML report in build-cov/html/.
# (The install test is left out: a coverage build exports gcov symbols.)
# Usage: bash scripts/coverage.sh
set -eu
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if ! command -v lcov >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends lcov >/dev/null
fi
JOBS=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-cov -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="--coverage -O0" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage >/dev/null
cmake --build build-cov -j "$JOBS" >/dev/null
find build-cov -name '*.gcda' -delete
(cd build-cov && ctest -j "$JOBS" -E install >/dev/null) || echo "coverage.sh: some tests failed (coverage still reported)"
lcov -q --rc lcov_branch_coverage=1 --capture --directory build-cov --output-file build-cov/all.info 2>/dev/null
lcov -q --rc lcov_branch_coverage=1 --extract build-cov/all.info "$PWD/common/*" "$PWD/indexer/*" \
    "$PWD/searcher/*" --output-file build-cov/lib.info 2>/dev/null
for d in common indexer searcher; do
    printf '%-9s' "$d"
    lcov -q --rc lcov_branch_coverage=1 --extract build-cov/lib.info "$PWD/$d/*" --output-file build-cov/$d.info 2>/dev/null
    lcov --rc lcov_branch_coverage=1 --summary build-cov/$d.info 2>&1 | grep -E 'lines|branches' | tr '\n' ' '
    echo
done
printf '%-9s' all
lcov --rc lcov_branch_coverage=1 --summary build-cov/lib.info 2>&1 | grep -E 'lines|branches' | tr '\n' ' '
echo
genhtml -q --branch-coverage build-cov/lib.info --output-directory build-cov/html 2>/dev/null &&
    echo "report: build-cov/html/index.html"
