#!/bin/sh
# test-all.sh: the whole test suite as CI runs it: warnings as errors, then again
# under AddressSanitizer/UndefinedBehaviorSanitizer, then make distcheck.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
# The real-log corpus lies beside the checkout; tests in other build trees need its path.
if [ -z "${AU_CORPUS:-}" ] && [ -d "$top/../shared/corpus" ]; then
	AU_CORPUS=$(cd "$top/../shared/corpus" && pwd)
	export AU_CORPUS
fi
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n=== %s\n' "$*"; }

step "build (warnings are errors) and make check"
autoreconf -fi
./configure --enable-werror
make -j"$jobs"
make -j"$jobs" check || { cat test-suite.log; exit 1; }

step "make check under AddressSanitizer and UndefinedBehaviorSanitizer"
rm -rf _build-asan
mkdir _build-asan
(cd _build-asan && ../configure --enable-asan --enable-werror &&
	make -j"$jobs" && make -j"$jobs" check) ||
	{ cat _build-asan/test-suite.log 2>/dev/null; exit 1; }
rm -rf _build-asan

step "make distcheck"
make -j"$jobs" distcheck
step "all passed"
