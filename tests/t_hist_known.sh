#!/bin/sh
# trackside known add|remove|list|import|export: the known drivers list.
. "$top_srcdir/tests/lib.sh"
plan 16
d=$(mktemp -d "${TMPDIR:-/tmp}/t_hist_known.XXXXXX")
trap 'rm -rf "$d"' EXIT
ts() { "$top_builddir/trackside" -D "$d/t.db" "$@"; }
q() { sqlite3 "$d/t.db" "$1"; }
ts db init >/dev/null 2>&1

ts known add "Kevin Estre" "league" >/dev/null
is "$(q "SELECT note FROM known_drivers WHERE name = 'Kevin Estre'")" league "known add stores a name and note"
ts known add "Kevin Estre" >/dev/null
ok $? "adding a known name again succeeds"
is "$(q "SELECT count(*) || note FROM known_drivers")" 1league "adding again keeps one row and the note"
ts known add "" >/dev/null 2>&1
is $? 2 "an empty name is refused"
ts known add "$(printf 'a\tb')" >/dev/null 2>&1
is $? 2 "a name with a control character is refused"
ts known add "$(printf '%065d' 0)" >/dev/null 2>&1
is $? 2 "a name longer than 64 bytes is refused"
ts known list | grep -q "^Kevin Estre	.*	league$"
ok $? "known list shows name, date and note"

printf 'name,note\r\n"Antonio Fuoco",Ferrari\r\n\r\n  Miguel Molina  \r\nKevin Estre,\r\n' > "$d/roster.csv"
out=$(ts known import "$d/roster.csv")
is "$out" "imported 2 known drivers (1 already known)" "known import adds the new names and counts the rest"
is "$(q "SELECT group_concat(name, '|') FROM (SELECT name FROM known_drivers ORDER BY name)")" \
   "Antonio Fuoco|Kevin Estre|Miguel Molina" "import skips the header and blank lines, unquotes and trims names"
printf 'Ian James\nbad\001name\n"unclosed\n' > "$d/bad.csv"
ts known import "$d/bad.csv" 2>"$d/err" >/dev/null
is $? 2 "a bad line fails the import"
is "$(q "SELECT count(*) FROM known_drivers WHERE name = 'Ian James'")" 0 "a failed import imports nothing"
grep -q "bad.csv:2: the name holds control characters" "$d/err"
ok $? "the error names the bad line and why"
printf 'Ian James\n' | ts known import - >/dev/null
is "$(q "SELECT count(*) FROM known_drivers WHERE name = 'Ian James'")" 1 "import reads standard input"
ts known add '=cmd|x' 'a "quoted", note' >/dev/null
ts known export > "$d/export.csv"
grep -q "^\"'=cmd|x\",\"a \"\"quoted\"\", note\"" "$d/export.csv"
ok $? "export quotes as CSV and guards a formula"
q "DELETE FROM known_drivers"
ts known import "$d/export.csv" >/dev/null
is "$(q "SELECT group_concat(name || '/' || coalesce(note, ''), '|') FROM (SELECT * FROM known_drivers ORDER BY name)")" \
   "=cmd|x/a \"quoted\", note|Antonio Fuoco/Ferrari|Ian James/|Kevin Estre/league|Miguel Molina/" \
   "an export imports back to the same list"

ts known remove "Kevin Estre" >/dev/null && ts known remove "Kevin Estre" >/dev/null 2>&1
is "$?$(q "SELECT count(*) FROM known_drivers WHERE name = 'Kevin Estre'")" 10 \
   "known remove removes; removing an unknown name fails"
done_testing
