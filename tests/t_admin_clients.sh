#!/bin/sh
# Client access in the browser, behind a real nginx with trackside-ingestd
# applying the commands: a token made on /admin/clients uploads, revoked
# there it no longer does; a client enrolls with a code made on
# /admin/enroll (POST /api/v1/clients) and uploads with the token it gets.
. "$top_srcdir/tests/lib.sh"
plan 17

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
PW='pit lane open'
jar=$TS_DIR/cookies
ts() { "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" "$@"; }
sql() { sqlite3 "$TS_DB" "$1"; }
# req NAME CURL-ARGS...: a request with the cookie jar; NAME.h the headers, NAME.b the body.
req() {
	_n=$1
	shift
	curl -sS -b "$jar" -c "$jar" -D "$TS_DIR/$_n.h" -o "$TS_DIR/$_n.b" "$@"
}
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TS_DIR/$1.h"; }
field() { sed -n "s/.*name=\"$2\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TS_DIR/$1.b" | head -n 1; }
# form NAME PATH FIELD=VALUE...: POSTs an admin form from this site with the sign-in's csrf.
form() {
	_n=$1
	_p=$2
	shift 2
	set -- --data-urlencode "csrf=$csrf" "$@"
	req "$_n" -H "Origin: $TS_URL" "$@" "$TS_URL$_p"
}
# upload TOKEN CLIENT SEQ: posts one frame, prints the HTTP status.
upload() {
	curl -sS -o "$TS_DIR/up.json" -w '%{http_code}' -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $1" --data \
	    "{\"v\":1,\"client\":{\"id\":\"$2\"},\"seq\":$3,\"captured_at\":\"2026-03-09T13:00:0$3.000Z\",\"source\":\"lmu\",\"data\":{}}" \
	    "$TS_URL/api/v1/frames"
}

printf '%s\n' "$PW" | ts admin add alice >/dev/null 2>"$TS_DIR/admin-add.err"
ok $? "an account made with the trackside command"
req login "$TS_URL/admin/login"
req in -H "Origin: $TS_URL" --data-urlencode "login=$(field login login)" --data-urlencode name=alice \
    --data-urlencode "password=$PW" "$TS_URL/admin/login"
is "$(status in)" 303 "signed in"
req clients "$TS_URL/admin/clients"
is "$(status clients)" 200 "the client access page"
csrf=$(field clients csrf)

# A token made in the browser uploads; revoked in the browser, it does not.
form new /admin/clients/add --data-urlencode 'name=Web PC'
is "$(status new)" 200 "a new token is shown as a page, not a redirect"
tok=$(sed -n 's/.*value="\(ts_[0-9a-f]*\)".*/\1/p' "$TS_DIR/new.b" | head -n 1)
is "${#tok}" 51 "the page shows the token: ts_ and 48 hex digits"
grep -q "token = $tok" "$TS_DIR/new.b" && grep -q "server = $TS_URL" "$TS_DIR/new.b"
ok $? "with a client configuration naming this server and the token"
wait_for 30 test "$(sql "SELECT count(*) FROM clients WHERE name = 'Web PC'")" = 1
is "$(sql "SELECT count(*) FROM clients WHERE name = 'Web PC' AND revoked_at IS NULL")" 1 \
   "trackside-ingestd made the token"
is "$(upload "$tok" webclient0001 1)" 202 "a frame sent with the new token is accepted"
id=$(sql "SELECT id FROM clients WHERE name = 'Web PC'")
form ask /admin/clients/revoke --data-urlencode "token=$id"
grep -q 'name="confirm" value="1"' "$TS_DIR/ask.b"
ok $? "revoking asks first"
form revoke /admin/clients/revoke --data-urlencode "token=$id" --data-urlencode confirm=1
is "$(status revoke)" 303 "revoked: 303 back to the list"
wait_for 30 test "$(sql "SELECT revoked_at IS NOT NULL FROM clients WHERE id = $id")" = 1
code=$(upload "$tok" webclient0001 2)
is "$code $(jq -r .error "$TS_DIR/up.json")" "403 revoked" "the same token is refused once revoked"

# Enrollment: a code made in the browser gives a client its token.
form enroll /admin/enroll/add --data-urlencode 'label=Event drivers' --data-urlencode hours=2
is "$(status enroll)" 200 "a new enrollment code is shown as a page"
ecode=$(sed -n 's/.*value="\([A-Z0-9]\{5\}-[A-Z0-9]\{5\}\)".*/\1/p' "$TS_DIR/enroll.b" | head -n 1)
is "${#ecode}" 11 "the page shows the code"
wait_for 30 test "$(sql "SELECT count(*) FROM enroll_codes WHERE label = 'Event drivers'")" = 1
code=$(curl -sS -o "$TS_DIR/bad.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"name": "Laptop", "code": "ZZZZZ-ZZZZZ"}' "$TS_URL/api/v1/clients")
is "$code $(jq -r .error "$TS_DIR/bad.json")" "403 bad_code" "an unknown code is refused"
code=$(curl -sS -o "$TS_DIR/enrolled.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{\"name\": \"Laptop\", \"code\": \"$ecode\"}" "$TS_URL/api/v1/clients")
etok=$(jq -r .token "$TS_DIR/enrolled.json")
is "$code ${#etok}" "201 51" "POST /api/v1/clients with the code: 201 and a token"
is "$(upload "$etok" laptopclient01 1)" 202 "a frame sent with the enrolled token is accepted"
is "$(sql "SELECT used FROM enroll_codes WHERE label = 'Event drivers'")" 1 "the code counts one use"
done_testing
