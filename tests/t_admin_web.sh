#!/bin/sh
# The admin sign-in behind a real nginx, with trackside-ingestd applying the
# commands: an account made with the trackside command, signing in, the
# overview, a POST without a sign-in, signing out, the headers of admin
# answers, and nginx's rate limit on the sign-in form.
. "$top_srcdir/tests/lib.sh"
plan 23

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
PW='correct horse battery'
jar=$TS_DIR/cookies
ts() { "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" "$@"; }
# req NAME CURL-ARGS...: a request with the cookie jar; NAME.h the headers, NAME.b the body.
req() {
	_n=$1
	shift
	curl -sS -b "$jar" -c "$jar" -D "$TS_DIR/$_n.h" -o "$TS_DIR/$_n.b" "$@"
}
status() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TS_DIR/$1.h"; }
hdr() { grep -i "^$2:" "$TS_DIR/$1.h" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
field() { sed -n "s/.*name=\"$2\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TS_DIR/$1.b" | head -n 1; }
cookie() { awk -v n="$1" '$6 == n { print $7 }' "$jar" | tail -n 1; }

printf '%s\n' "$PW" | ts admin add alice >/dev/null 2>"$TS_DIR/admin-add.err"
ok $? "trackside admin add takes the password from stdin"
is "$(sqlite3 "$TS_DB" "SELECT count(*) FROM admin_accounts WHERE name = 'alice'")" 1 \
   "the account is there"

req form "$TS_URL/admin/login"
tok=$(field form login)
is "$(status form)" 200 "the sign-in form"
req foreign -H 'Origin: http://evil.test' --data-urlencode "login=$tok" --data-urlencode name=alice \
    --data-urlencode "password=$PW" "$TS_URL/admin/login"
is "$(status foreign)" 403 "a sign-in posted from a foreign Origin: 403"
req form "$TS_URL/admin/login"
tok=$(field form login)
req in -H "Origin: $TS_URL" --data-urlencode "login=$tok" --data-urlencode name=alice --data-urlencode "password=$PW" \
    --data-urlencode next=/admin/ "$TS_URL/admin/login"
is "$(status in)" 303 "a right password: 303"
is "$(hdr in Location)" /admin/ "to the overview"
sc=$(grep -i '^set-cookie: ts_admin=' "$TS_DIR/in.h" | tr -d '\r')
case $sc in *"Path=/admin;"*HttpOnly*SameSite=Strict*) r=0 ;; *) r=1 ;; esac
ok $r "the sign-in cookie is HttpOnly, SameSite=Strict, for /admin: $sc"
old=$(cookie ts_admin)
case $old in ????????????????????????????????????????????????????????????????) r=0 ;; *) r=1 ;; esac
ok $r "the cookie holds a 256-bit id"

req home "$TS_URL/admin/"
is "$(status home)" 200 "the overview"
grep -q 'Signed in as <strong>alice</strong>' "$TS_DIR/home.b"
ok $? "it names the account"
is "$(grep -ci '^cache-control: no-store' "$TS_DIR/home.h")" 1 "Cache-Control: no-store, once"
is "$(hdr home X-Frame-Options)" DENY "X-Frame-Options: DENY"
is "$(hdr home Referrer-Policy)" same-origin "Referrer-Policy: same-origin"
csrf=$(field home csrf)

# A change posted without a sign-in: sent to the sign-in page, nothing applied.
curl -sS -D "$TS_DIR/anon.h" -o /dev/null --data-urlencode name=Intruder \
    --data-urlencode "csrf=$csrf" "$TS_URL/admin/known/add"
is "$(status anon) $(hdr anon Location)" "303 /admin/login" "a POST without a sign-in: 303 to the sign-in"
wait_for 30 inbox_empty
is "$(sqlite3 "$TS_DB" "SELECT count(*) FROM known_drivers WHERE name = 'Intruder'")" 0 \
   "and nothing was changed"

req evil -H 'Origin: http://evil.test' --data-urlencode "csrf=$csrf" "$TS_URL/admin/logout"
is "$(status evil)" 403 "a POST with the right token from a foreign Origin: 403"
req same -H "Origin: $TS_URL" -d x=1 "$TS_URL/admin/logout"
is "$(status same)" 403 "a POST from this site without the token: 403"
req out -H "Origin: $TS_URL" --data-urlencode "csrf=$csrf" "$TS_URL/admin/logout"
is "$(status out) $(hdr out Location)" "303 /admin/login?out=1" "sign-out: 303 to the sign-in page"
curl -sS -D "$TS_DIR/after.h" -o /dev/null -b "ts_admin=$old" "$TS_URL/admin/"
is "$(status after)" 303 "the old cookie no longer signs in"
is "$(sqlite3 "$TS_DB" "SELECT count(*) FROM admin_logins WHERE account = 'alice' AND ended_at IS NOT NULL")" 1 \
   "the sign-in is ended in the database"

# nginx: at most 10 sign-in POSTs a minute per address, with a burst of 10.
n429=0
for i in $(seq 30); do
	s=$(curl -sS -o "$TS_DIR/rl.b" -w '%{http_code}' -d x=1 "$TS_URL/admin/login")
	[ "$s" = 429 ] && { n429=$((n429 + 1)); cp "$TS_DIR/rl.b" "$TS_DIR/rl429.b"; }
done
ok "$([ "$n429" -gt 0 ] && echo 0 || echo 1)" "nginx answers 429 to a flood of sign-in POSTs ($n429 of 30)"
grep -q 'Too many sign-in attempts' "$TS_DIR/rl429.b" 2>/dev/null
ok $? "as a page that says what to do"
is "$(curl -sS -o /dev/null -w '%{http_code}' "$TS_URL/admin/login")" 200 \
   "the sign-in form itself is not limited"
done_testing
