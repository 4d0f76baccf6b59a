#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the unit, convergence,
# validation and end-to-end tests (ctest), the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the Python checks.
# Exits non-zero on any failure or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/setup.sh

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"

echo "== ctest"
ctest --preset release -j"$jobs"

echo "== unit tests under ASan + UBSan"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j"$jobs" --target fwkit_unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./build/sanitize/tests/fwkit_unit_tests

echo "== Python checks"
# The MPI tests must run here, not skip: Open MPI comes with setup.sh.
export FWKIT_REQUIRE_MPI=1
FWKIT_BIN="$PWD/build/release/bin/fwkit" PYTHONPATH="$PWD/python" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests
