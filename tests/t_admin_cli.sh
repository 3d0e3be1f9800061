#!/bin/sh
# The trackside command's changes: through the inbox while trackside-ingestd
# runs (it applies them and the command prints what it did), in place while
# it does not, "queued" when it does not answer in time; refusals on stderr;
# a password that is too short never leaves the command, and a password is
# never stored or shown anywhere.
. "$top_srcdir/tests/lib.sh"
command -v flock >/dev/null 2>&1 || skip_all "no flock(1) to see trackside-ingestd's lock"
plan 37
d=$(mktemp -d "${TMPDIR:-/tmp}/t_admin_cli.XXXXXX")
stack_start || { rm -rf "$d"; echo "Bail out! the stack did not start"; exit 1; }
ingestd=$(cat "$TS_DIR/run/ingestd.pid")
trap 'kill -CONT "$ingestd" 2>/dev/null; stack_stop; rm -rf "$d"' EXIT
ts() { "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" "$@"; }
q() { sqlite3 "$TS_DB" "$1"; }
log_has() { grep -q "$1" "$TS_DIR/logs/ingestd.log"; }
# whether trackside-ingestd holds the writer's lock
ingestd_locked() { ! flock -n "$TS_INBOX/ingestd.lock" true; }
pw=Quartz-Lantern-7341
pw2=Velvet-Harbour-9026

wait_for 30 ingestd_locked
ok $? "trackside-ingestd holds the inbox's writer lock"

# --- through the inbox -------------------------------------------------
ts known add "Ann Example" "club member" > "$d/out" 2> "$d/err"
is "$?:$(cat "$d/out")" '0:added "Ann Example" to the known drivers' \
   "known add prints what trackside-ingestd did and exits 0"
log_has 'command known.add by cli:.*added "Ann Example"'
ok $? "trackside-ingestd applied it from the inbox"
tok=$(ts client add "Car 9" 2> "$d/err")
case $tok in ts_????????????????????????????????????????????????) r=0 ;; *) r=1 ;; esac
ok $r "client add prints the token"
hash=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
is "$(q "SELECT count(*) FROM clients WHERE token_hash = '$hash' AND name = 'Car 9'")" 1 \
   "its hash is stored"
log_has 'command client.add by cli:.*created client token'
ok $? "client add went through trackside-ingestd"
ts client revoke "Car 9" > "$d/out" 2> "$d/err"
is "$?:$(q "SELECT revoked_at IS NOT NULL FROM clients WHERE token_hash = '$hash'")" 0:1 \
   "client revoke revokes the token"
log_has 'command client.revoke by cli:'
ok $? "client revoke went through trackside-ingestd"
printf '%s\n' "$pw" | ts admin add alice > "$d/out.add" 2> "$d/err.add"
is $? 0 "admin add takes the password from stdin"
case $(q "SELECT pw_hash FROM admin_accounts WHERE name = 'alice'") in
'$argon2id$'*) r=0 ;; *) r=1 ;; esac
ok $r "the account keeps an Argon2id hash"
log_has 'command account.add by cli:'
ok $? "admin add went through trackside-ingestd"
old=$(q "SELECT pw_hash FROM admin_accounts WHERE name = 'alice'")
printf '%s\n' "$pw2" | ts admin passwd alice > "$d/out.passwd" 2> "$d/err.passwd"
is $? 0 "admin passwd exits 0"
new=$(q "SELECT pw_hash FROM admin_accounts WHERE name = 'alice'")
[ -n "$new" ] && [ "$new" != "$old" ]
ok $? "admin passwd changes the hash"
log_has 'command account.passwd by cli:'
ok $? "admin passwd went through trackside-ingestd"
ts admin list > "$d/list" 2>&1
is "$?:$(awk 'NR > 1 { print $1 }' "$d/list")" 0:alice "admin list shows the account"
ts log > "$d/log" 2>&1
is "$?:$(tail -n 5 "$d/log" | cut -f4,5 | tr '\t\n' ' /')" \
   "0:known.add applied/client.add applied/client.revoke applied/account.add applied/account.passwd applied/" \
   "log lists the commands, oldest first"

# --- refused -----------------------------------------------------------
ts known remove "Nobody Here" > "$d/out" 2> "$d/err"
is "$?:$(cat "$d/out")" 1: "a refused command exits 1 and prints nothing on stdout"
grep -q '"Nobody Here" is not a known driver' "$d/err"
ok $? "the reason is on stderr"
printf '%s\n' "$pw" | ts admin add ALICE > /dev/null 2> "$d/err"
is "$?:$(q "SELECT count(*) FROM admin_accounts")" 1:1 \
   "a second account of the same name in another case is refused"
grep -q 'there is an admin account "ALICE" already' "$d/err"
ok $? "it says why"

# --- too short a password: nothing is sent -----------------------------
before=$(q "SELECT count(*) FROM admin_log")
printf 'Short-123\n' | ts admin add carol > /dev/null 2> "$d/err"
is $? 1 "a password of 9 characters is refused"
grep -q 'a password has 10 to' "$d/err"
ok $? "it says how long a password must be"
wait_for 10 inbox_empty
is "$(q "SELECT count(*) FROM admin_log"):$(q "SELECT count(*) FROM admin_accounts WHERE name = 'carol'")" \
   "$before:0" "no command was sent for it"

# --- queued: trackside-ingestd stopped with SIGSTOP ---------------------
kill -STOP "$ingestd"
ts -w 0 known add "Queued Driver" > "$d/out" 2> "$d/err"
rc=$?
id=$(sed -n 's/.*queued (command \([0-9a-f]*\)).*/\1/p' "$d/err")
is "$rc:$(cat "$d/out")" 3: "with -w 0 and trackside-ingestd stopped the command exits 3"
grep -q "queued" "$d/err"
ok $? "it says the command is queued"
[ -n "$id" ] && grep -rlaq "$id" "$TS_INBOX"/seg/
ok $? "the command record is in the inbox"
is "$(q "SELECT count(*) FROM admin_log WHERE id = '$id'")" 0 "it is not applied yet"
kill -CONT "$ingestd"
wait_for 30 sh -c "[ \"\$(sqlite3 '$TS_DB' \"SELECT ok FROM admin_log WHERE id = '$id'\")\" = 1 ]"
ok $? "it is applied once trackside-ingestd continues"
is "$(q "SELECT count(*) FROM known_drivers WHERE name = 'Queued Driver'")" 1 \
   "the driver is known"

# --- in place: trackside-ingestd not running ---------------------------
stack_stop_service ingestd
wait_for 30 sh -c "! kill -0 $ingestd"
ingestd_locked
is $? 1 "trackside-ingestd no longer holds the lock"
n_before=$(q "SELECT count(*) FROM admin_log WHERE ok AND by LIKE 'cli:%'")
ts -w 5 known add "Bob Example" > "$d/out" 2> "$d/err"
is "$?:$(cat "$d/out")" '0:added "Bob Example" to the known drivers' \
   "without trackside-ingestd, known add applies the change itself"
tok=$(ts -w 5 client add "Car 10" 2> "$d/err")
hash=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
is "$(q "SELECT count(*) FROM clients WHERE token_hash = '$hash'")" 1 "client add too"
ts -w 5 client revoke "Car 10" > /dev/null 2>&1
is "$?:$(q "SELECT revoked_at IS NOT NULL FROM clients WHERE token_hash = '$hash'")" 0:1 \
   "client revoke too"
printf '%s\n' "$pw" | ts -w 5 admin add bob > "$d/out.add2" 2> "$d/err.add2"
is "$?:$(q "SELECT count(*) FROM admin_accounts WHERE name = 'bob'")" 0:1 "admin add too"
printf '%s\n' "$pw2" | ts -w 5 admin passwd bob > "$d/out.passwd2" 2> "$d/err.passwd2"
is $? 0 "admin passwd too"
is "$(q "SELECT count(*) FROM admin_log WHERE ok AND by LIKE 'cli:%'")" $((n_before + 5)) \
   "each left its row in the audit log"

# --- the password is nowhere -------------------------------------------
ts log 1000000 > "$d/log" 2>&1
found=$(grep -rlaF -e "$pw" -e "$pw2" "$TS_DIR" "$d" 2>/dev/null)
is "$found" "" "the passwords are in neither the database, the inbox, the logs nor any output"

done_testing
