#!/bin/sh
# test-all.sh: the whole test suite as CI runs it: warnings as errors with gcc,
# again with clang, under AddressSanitizer/UndefinedBehaviorSanitizer, the
# fuzzers briefly, then make distcheck. Builds happen in _build*/, outside the source tree.
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
show_log() { cat "$1/test-suite.log" 2>/dev/null || true; }
# Test programs passed and failed, from automake's summary in a build dir.
count() { sed -n "s/^# $2: *//p" "$1/test-suite.log" 2>/dev/null | head -n 1; }
npass=0
nfail=0
tally() {
	npass=$((npass + $(count "$1" PASS)))
	nfail=$((nfail + $(count "$1" FAIL) + $(count "$1" ERROR)))
}

autoreconf -fi
# A build made in the source tree (README's first line) would stop the
# out-of-tree builds below: clean it first.
if [ -f Makefile ]; then
	make distclean >/dev/null
fi

step "build (warnings are errors) and make check"
rm -rf _build
mkdir _build
(cd _build && ../configure --enable-werror && make -j"$jobs" &&
	make -j"$jobs" check) || { show_log _build; exit 1; }
tally _build

# Portability: the same tree, warnings as errors, with clang (no sanitizers:
# the sanitized stage below already covers memory errors).
if command -v clang >/dev/null 2>&1; then
	step "build with clang (warnings are errors) and make check"
	rm -rf _build-clang
	mkdir _build-clang
	(cd _build-clang && CC=clang ../configure --enable-werror &&
		make -j"$jobs" && make -j"$jobs" check) || { show_log _build-clang; exit 1; }
	tally _build-clang
	rm -rf _build-clang
else
	echo "clang not installed: tools/setup-debian.sh installs it" >&2
	exit 1
fi

step "make check under AddressSanitizer and UndefinedBehaviorSanitizer"
rm -rf _build-asan
mkdir _build-asan
(cd _build-asan && ../configure --enable-asan --enable-werror &&
	make -j"$jobs" && make -j"$jobs" check) || { show_log _build-asan; exit 1; }
tally _build-asan
rm -rf _build-asan

# The fuzzers, briefly (make fuzz runs each for a minute by default): every
# earlier finding replayed, then FUZZ_TIME seconds a harness.
step "make fuzz (FUZZ_TIME=${FUZZ_TIME:-15} seconds a harness)"
(cd _build && make fuzz FUZZ_TIME="${FUZZ_TIME:-15}") || exit 1
cat _build/_fuzz/report.txt
rm -rf _build/_fuzz

step "make distcheck"
(cd _build && make -j"$jobs" distcheck) || exit 1
rm -rf _build
step "all passed"
# Test programs of the plain and the sanitized build together.
echo "tests: $npass passed, $nfail failed"
