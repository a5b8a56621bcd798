#!/bin/sh
# manpage.sh: the manual page is valid mdoc and documents every command and exit status.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

MAN="$srcdir/man/aadc-upgrade.1"
if mandoc -Tlint -W warning "$MAN" > "$tmp/lint" 2>&1; then
	pass
else
	fail "mandoc -Tlint reports problems"
	cat "$tmp/lint" >&2
fi
mandoc -Tascii "$MAN" | col -b > "$tmp/man.txt"
for c in $("$AU" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	contains "man documents command $c" "$tmp/man.txt" "$c"
	if grep -q "^\.It Cm $c\b" "$MAN"; then pass; else fail "man has no .It Cm $c entry"; fi
done
for s in 0 1 2 3; do
	if grep -q "^\.It $s\$" "$MAN"; then pass; else fail "EXIT STATUS lacks $s"; fi
done
finish
