#!/bin/sh
# The trackside admin command: database creation and migration, client tokens.
. "$top_srcdir/tests/lib.sh"
plan 17
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
printf 'database = %s\ninbox = %s\n' "$d/t.db" "$d/inbox" > "$d/t.conf"
tsc() { "$top_builddir/trackside" -c "$d/t.conf" "$@"; }
tsc client add "Car 8" >/dev/null 2>&1
sqlite3 "$d/t.db" "INSERT INTO client_seqs (client, token_id, last_seq, last_at) VALUES ('rigAAAAA', 1, 5, 0)"
mkdir -p "$d/inbox/clients" && echo 1 > "$d/inbox/clients/rigAAAAA"
tsc client rebind rigAAAAA "Car 8" >/dev/null
ok $? "client rebind moves a client id to another token"
is "$(cat "$d/inbox/clients/rigAAAAA")" 2 "the inbox's binding names the new token"
is "$(sqlite3 "$d/t.db" "SELECT token_id FROM client_seqs WHERE client = 'rigAAAAA'")" 2 \
   "the database's too"
tsc client rebind rigAAAAA "Car 7" >/dev/null 2>&1
is "$? $(cat "$d/inbox/clients/rigAAAAA")" "1 2" "a revoked token cannot take a client id"
tsc client rebind 'bad/id' "Car 8" >/dev/null 2>&1
is $? 2 "a malformed client id is a usage error"
ts frobnicate >/dev/null 2>&1
is $? 2 "an unknown command is a usage error"
sqlite3 "$d/t.db" 'PRAGMA user_version = 99'
ts client list > /dev/null 2>&1
is $? 1 "a database newer than the program is refused"
done_testing
