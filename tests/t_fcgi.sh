#!/bin/sh
# trackside-fcgi as a real process behind nginx: concurrent requests, a clean
# stop on SIGTERM, and a clear error when nginx cannot reach it.
. "$top_srcdir/tests/lib.sh"
plan 9
TS_NGINX_ARGS=--no-rate-limit	# what is tested here is the app, not nginx's limits
stack_start || { echo "Bail out! the stack did not start"; exit 1; }

# 64 requests, 16 at a time.
seq 64 | xargs -P 16 -I{} curl -fsS -o /dev/null "$TS_URL/api/v1/sessions?offset={}"
ok $? "concurrent requests are all answered"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$TS_URL/sessions/nope/../x")
case $code in 404|400) r=0 ;; *) r=1 ;; esac
ok $r "a path outside the routes is a 4xx"
is "$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$TS_URL/")" 403 \
   "methods other than GET, HEAD and POST are refused by nginx"

sqlite3 "$TS_DB" < "$top_srcdir/tests/fixtures/pages.sql"
closed=/sessions/0190aaaa000070008000000000000000
live=/sessions/0190aaaa000070008000000000000001
curl -fsS -o /dev/null "$TS_URL$closed" && curl -fsS -o /dev/null "$TS_URL$live"
ok $? "a closed and a live session's pages are answered"

pid=$(cat "$TS_DIR/run/fcgi.pid")
kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null
is $? 1 "SIGTERM stops trackside-fcgi"
wait "$pid"
is $? 0 "it exits 0 after finishing its requests"
test -S "$TS_DIR/run/fcgi.sock"
is $? 1 "it removes its socket"
rm -f "$TS_DIR/run/fcgi.pid"
code=$(curl -sS -o "$TS_DIR/err.json" -w '%{http_code}' "$TS_URL/api/v1/sessions")
is "$code $(jq -r .error "$TS_DIR/err.json" 2>/dev/null)" "503 unavailable" \
   "nginx answers 503 JSON while the app is down"
is "$(curl -sS -o /dev/null -w '%{http_code}' "$TS_URL$closed")" 200 \
   "nginx still serves a closed session's page from its cache"
done_testing
