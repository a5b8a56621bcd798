# setup.sh: sourced by every shell test: strict mode, paths, a temp dir kept on failure.
set -eu
export LC_ALL=C
unset NO_COLOR AADC_UPGRADE_DB XDG_DATA_HOME || true

: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${builddir:=$(pwd)}"
srcdir=$(cd "$srcdir" && pwd)
AU="$builddir/src/aadc-upgrade"
EVTXGEN="$builddir/tools/evtxgen"
FIXTURES="$srcdir/fixtures"
EXPECTED="$srcdir/tests/expected"
# The release catalog of the source tree, not one installed elsewhere.
AADC_UPGRADE_RELEASES="$srcdir/data/releases.tsv"
export AADC_UPGRADE_RELEASES
CORPUS="${AU_CORPUS:-$srcdir/../shared/corpus}"
[ -d "$CORPUS" ] || CORPUS="$srcdir/../../shared/corpus"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aadc-test.XXXXXX")
export HOME="$tmp/home"
mkdir -p "$HOME"
passed=0
failed=0
cleanup() {
	if [ "$failed" -eq 0 ]; then
		rm -rf "$tmp"
	else
		echo "kept $tmp for inspection" >&2
	fi
}
trap cleanup EXIT

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# check NAME EXPECTED_STATUS CMD...: runs CMD, output to $tmp/out and $tmp/err.
check_status() {
	name=$1 want=$2
	shift 2
	set +e
	"$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	set -e
	if [ "$got" -eq "$want" ]; then
		pass
	else
		fail "$name: exit status $got, expected $want"
		sed 's/^/  stderr: /' "$tmp/err" | head -5 >&2
	fi
}

# compare NAME EXPECTED_FILE ACTUAL_FILE: with AU_RECORD=1 re-records the expected file.
compare() {
	name=$1 want=$2 got=$3
	if [ "${AU_RECORD:-0}" = 1 ]; then
		cp "$got" "$want"
		pass
		return
	fi
	if cmp -s "$want" "$got"; then
		pass
	else
		fail "$name: output differs from $(basename "$want")"
		diff -u "$want" "$got" | head -40 >&2 || true
	fi
}

# contains NAME FILE TEXT: FILE holds the fixed string TEXT.
contains() {
	if grep -qF -- "$3" "$2"; then pass; else fail "$1: '$3' not found"; fi
}
lacks() {
	if grep -qF -- "$3" "$2"; then fail "$1: '$3' found but should not be"; else pass; fi
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
