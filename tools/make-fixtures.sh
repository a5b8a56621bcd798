#!/bin/sh
# make-fixtures.sh: regenerates fixtures/*.evtx (and tests/data/forms/, every export form) from fixtures/*.json with
# tools/evtxgen, byte for byte (evtxgen is deterministic).  Run from anywhere;
# `make fixtures` calls it.
#
#   srcdir    the source tree holding fixtures/ (default: this script's ../)
#   builddir  the build tree holding tools/evtxgen (default: srcdir)
#   EVTXGEN   the evtxgen binary (default: $builddir/tools/evtxgen)
#
# Arguments, if any, are the fixture descriptions to regenerate (default: all).
# With --check, writes nothing and exits 1 if any committed .evtx differs
# from what evtxgen writes now (or is missing).
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${srcdir:-$here/..}" && pwd)
builddir=$(cd "${builddir:-$srcdir}" && pwd)
EVTXGEN=${EVTXGEN:-$builddir/tools/evtxgen}

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
if [ ! -x "$EVTXGEN" ]; then
	echo "make-fixtures: $EVTXGEN not found or not executable (run make first)" >&2
	exit 1
fi
if [ $# -gt 0 ]; then
	descs="$*"
else
	descs=$(ls "$srcdir"/fixtures/*.json 2>/dev/null || true)
fi
[ -n "$descs" ] || { echo "make-fixtures: no fixtures/*.json under $srcdir" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-fixtures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
changed=0
for desc in $descs; do
	base=$(basename "$desc" .json)
	target="${desc%.json}.evtx"
	"$EVTXGEN" -o "$tmp/$base.evtx" "$desc"
	if [ -f "$target" ] && cmp -s "$tmp/$base.evtx" "$target"; then
		echo "unchanged  $target"
		continue
	fi
	changed=$((changed + 1))
	if [ "$check" = 1 ]; then
		echo "OUT OF DATE $target"
	else
		cp "$tmp/$base.evtx" "$target.tmp"
		mv "$target.tmp" "$target"
		echo "written    $target"
	fi
done
# Each export form of the same events (tools/formgen.py, deterministic), for
# the fixtures without faults: tests/data/forms/NAME/FORM/HOST-Application.EXT.
FORMGEN=${FORMGEN:-$srcdir/tools/formgen.py}
for desc in $descs; do
	base=$(basename "$desc" .json)
	grep -q '"faults"' "$desc" && continue
	"$EVTXGEN" --expand "$desc" > "$tmp/$base.ndjson"
	host=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["computer"])' "$tmp/$base.ndjson")
	for form in evxml wevtutil wevtutil-rendered toxml evcsv evtxt pscsv51 pscsv7 json7 json51; do
		case $form in
		ev*xml|wevtutil*|toxml) ext=xml ;;
		json*) ext=json ;;
		evtxt) ext=txt ;;
		*) ext=csv ;;
		esac
		target="$srcdir/tests/data/forms/$base/$form/$host-Application.$ext"
		python3 "$FORMGEN" "$form" --locale iso -o "$tmp/form.out" < "$tmp/$base.ndjson"
		if [ -f "$target" ] && cmp -s "$tmp/form.out" "$target"; then
			continue
		fi
		changed=$((changed + 1))
		if [ "$check" = 1 ]; then
			echo "OUT OF DATE $target"
		else
			mkdir -p "$(dirname "$target")"
			cp "$tmp/form.out" "$target"
			echo "written    $target"
		fi
	done
done
if [ "$check" = 1 ] && [ "$changed" -gt 0 ]; then
	echo "make-fixtures: $changed fixture(s) out of date: run tools/make-fixtures.sh" >&2
	exit 1
fi
exit 0
