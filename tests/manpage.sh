#!/bin/sh
# manpage.sh: the manual page is valid mdoc and documents every command, its options and exit status.
. "${srcdir:-$(dirname "$0")/..}/tests/setup.sh"

MAN="$srcdir/man/aadc-upgrade.1"
if mandoc -Tlint -W warning "$MAN" > "$tmp/lint" 2>&1; then
	pass
else
	fail "mandoc -Tlint reports problems"
	cat "$tmp/lint" >&2
fi
mandoc -Tascii "$MAN" | col -b > "$tmp/man.txt"
# The same with tabs expanded, so that indentation tells the command entries apart.
mandoc -Tascii "$MAN" | col -bx > "$tmp/man-x.txt"
cmds=$("$AU" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | tr '\n' ' ')
if [ -n "$cmds" ]; then pass; else fail "--help lists no commands"; fi
for c in $cmds; do
	contains "man documents command $c" "$tmp/man.txt" "$c"
	if grep -q "^\.It Cm $c\b" "$MAN"; then pass; else fail "man has no .It Cm $c entry"; fi

	# The command's entry in COMMANDS: from its tag line (indented 5) to the next command's.
	awk -v c="$c" -v cmds="$cmds" '
		BEGIN { n = split(cmds, a, " "); for (i = 1; i <= n; i++) iscmd[a[i]] = 1 }
		/^[A-Z]/ { sect = $0; on = 0; next }
		sect != "COMMANDS" { next }
		/^     [a-z]/ { split($0, w, " "); if (w[1] in iscmd) on = (w[1] == c) }
		on { print }
	' "$tmp/man-x.txt" > "$tmp/entry.$c"
	if [ -s "$tmp/entry.$c" ]; then pass; else fail "man: no entry for $c under COMMANDS"; fi
	contains "man: $c entry has its exit status" "$tmp/entry.$c" "Exit status:"

	# Every option --help lists ("  -x, --name" or, without a short name,
	# "      --name"), in the manual and under the command's entry, with its
	# short name when it has one.
	"$AU" "$c" --help > "$tmp/help.$c"
	grep -oE '^  (-[A-Za-z], |    )--[a-z][a-z-]*' "$tmp/help.$c" | sed 's/^ *//' > "$tmp/opts.$c"
	if [ -s "$tmp/opts.$c" ]; then pass; else fail "$c --help lists no options"; fi
	while IFS= read -r o; do
		long=${o#*, }
		contains "man documents $c $long" "$tmp/man.txt" "$long"
		# -h, --help is described once, under help.
		[ "$long" = --help ] && continue
		if grep -qE -- "(^|[^A-Za-z-])$long([^a-z-]|\$)" "$tmp/entry.$c"; then
			pass
		else
			fail "man: the $c entry does not document $long"
		fi
		if [ "$o" != "$long" ]; then
			contains "man: the $c entry gives $long its short name" "$tmp/entry.$c" "$o"
		fi
	done < "$tmp/opts.$c"
done
# -h, --help, left out above, is in the help entry, for every command.
tr -s ' \n' '  ' < "$tmp/entry.help" > "$tmp/entry.help.flat"
contains "man: help says every command takes -h, --help" "$tmp/entry.help.flat" "-h, --help"
for s in 0 1 2 3; do
	if grep -q "^\.It $s\$" "$MAN"; then pass; else fail "EXIT STATUS lacks $s"; fi
done
finish
