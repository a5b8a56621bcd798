#!/bin/sh
# Round-trip test of tools/evtxgen: for every case (tests/evtxgen/*.json and
# fixtures/*.json), write the log twice into a temp dir, check that both
# writes give the same bytes, then read it back with libevtx and python-evtx
# (tests/evtx_roundtrip.py) and compare with what the description asked for.
# A fixture whose committed .evtx exists must also equal the fresh write
# (regenerate with tools/make-fixtures.sh, or `make fixtures`).
#
# Finds the sources through $srcdir and the built tools through $builddir
# (automake sets srcdir; both default to this script's ../ directory), so it
# works in an out-of-tree build.  $EVTXGEN overrides the evtxgen binary,
# $PYTHON the python3 interpreter.  Arguments, if any, are the cases to run.
#
# Ends with "N passed, M failed"; exits non-zero if any failed.  On failure
# the temp dir is kept and its path printed.
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
top_default=$(cd "$here/.." && pwd)
srcdir=${srcdir:-$top_default}
# automake runs tests with srcdir relative to the test's directory (e.g. "."
# for tests/ or ".." for the top): if it points at tests/, step up.
if [ -f "$srcdir/evtx_roundtrip.py" ] && [ ! -f "$srcdir/tests/evtx_roundtrip.py" ]; then
	srcdir="$srcdir/.."
fi
srcdir=$(cd "$srcdir" && pwd)
builddir=${builddir:-$(pwd)}
if [ ! -x "$builddir/tools/evtxgen" ] && [ -x "$builddir/../tools/evtxgen" ]; then
	builddir="$builddir/.."
fi
if [ ! -x "$builddir/tools/evtxgen" ] && [ -x "$top_default/tools/evtxgen" ]; then
	builddir=$top_default
fi
builddir=$(cd "$builddir" && pwd)
EVTXGEN=${EVTXGEN:-$builddir/tools/evtxgen}
PYTHON=${PYTHON:-python3}
# Seconds one evtxgen run may take (a hang is a failure, not a stuck suite).
EVTXGEN_TIMEOUT=${EVTXGEN_TIMEOUT:-300}
if command -v timeout >/dev/null 2>&1; then
	limit="timeout $EVTXGEN_TIMEOUT"
else
	limit=""
fi
roundtrip="$srcdir/tests/evtx_roundtrip.py"

if [ ! -x "$EVTXGEN" ]; then
	echo "evtxgen-roundtrip: $EVTXGEN not found or not executable (build it first)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
for t in evtxexport evtxinfo evtx_dump.py; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "evtxgen-roundtrip: $t not found (run tools/setup-debian.sh)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evtxgen-roundtrip.XXXXXX")
passed=0
failed=0
failures=""

if [ $# -gt 0 ]; then
	cases="$*"
else
	cases=$(ls "$srcdir"/tests/evtxgen/*.json "$srcdir"/fixtures/*.json 2>/dev/null || true)
fi

for desc in $cases; do
	base=$(basename "$desc" .json)
	case "$desc" in
	*/fixtures/*) kind=fixture ;;
	*) kind=case ;;
	esac
	out="$tmp/$kind-$base.evtx"
	log="$tmp/$kind-$base.log"
	ok=1
	if ! $limit "$EVTXGEN" -o "$out" "$desc" >"$log" 2>&1; then
		echo "FAIL $kind $base: evtxgen failed or took over ${EVTXGEN_TIMEOUT}s:"
		sed 's/^/    /' "$log"
		ok=0
	elif ! $limit "$EVTXGEN" -o "$out.again" "$desc" >>"$log" 2>&1; then
		echo "FAIL $kind $base: evtxgen failed on the second write:"
		sed 's/^/    /' "$log"
		ok=0
	elif ! cmp "$out" "$out.again" >>"$log" 2>&1; then
		echo "FAIL $kind $base: writing twice gives different bytes: $(tail -n 1 "$log")"
		ok=0
	else
		rm -f "$out.again"
		if [ "$kind" = fixture ] && [ -f "${desc%.json}.evtx" ] &&
		   ! cmp "$out" "${desc%.json}.evtx" >/dev/null 2>&1; then
			echo "FAIL fixture $base: ${desc%.json}.evtx is not what evtxgen writes from $base.json (run tools/make-fixtures.sh)"
			ok=0
		fi
		if ! "$PYTHON" "$roundtrip" --evtxgen "$EVTXGEN" "$desc" "$out" >"$log" 2>&1; then
			sed 's/^/    /' "$log"
			echo "FAIL $kind $base: round trip"
			ok=0
		else
			sed 's/^/    /' "$log"
		fi
	fi
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
		echo "PASS $kind $base"
		rm -f "$log"
	else
		failed=$((failed + 1))
		failures="$failures $kind/$base"
	fi
done

if [ "$failed" -gt 0 ]; then
	echo "failed:$failures"
	echo "temp dir kept: $tmp"
else
	rm -rf "$tmp"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
