#!/bin/sh
# The trackside admin command: database creation and migration, client tokens.
. "$top_srcdir/tests/lib.sh"
plan 12
d=$(mktemp -d "${TMPDIR:-/tmp}/t_admin.XXXXXX")
trap 'rm -rf "$d"' EXIT
ts() { "$top_builddir/trackside" -D "$d/t.db" "$@"; }

out=$(ts db init 2>&1)
ok $? "db init creates a database"
is "$(sqlite3 "$d/t.db" 'PRAGMA user_version')" "$(ls "$top_srcdir"/sql/*.sql | wc -l)" \
   "the database is at the latest schema version"
is "$(sqlite3 "$d/t.db" 'PRAGMA journal_mode')" wal "the database is in WAL mode"
ts db migrate | grep -q "up to date"
ok $? "db migrate on a current database changes nothing"
tok=$(ts client add "Car 7" 2>/dev/null)
case $tok in ts_????????????????????????????????????????????????) r=0 ;; *) r=1 ;; esac
ok $r "client add prints a token"
hash=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
is "$(sqlite3 "$d/t.db" "SELECT count(*) FROM clients WHERE token_hash = '$hash'")" 1 \
   "only the token's hash is stored"
is "$(sqlite3 "$d/t.db" "SELECT count(*) FROM clients WHERE token_hash = '$tok'")" 0 \
   "the token itself is not stored"
ts client list | grep -q "Car 7"
ok $? "client list shows the client"
ts client revoke "Car 7" >/dev/null
is "$(sqlite3 "$d/t.db" "SELECT revoked_at IS NOT NULL FROM clients WHERE name = 'Car 7'")" 1 \
   "client revoke marks the token revoked"
ts client revoke "Car 7" >/dev/null 2>&1
is $? 1 "revoking an unknown or revoked token fails"
ts frobnicate >/dev/null 2>&1
is $? 2 "an unknown command is a usage error"
sqlite3 "$d/t.db" 'PRAGMA user_version = 99'
ts client list > /dev/null 2>&1
is $? 1 "a database newer than the program is refused"
done_testing
