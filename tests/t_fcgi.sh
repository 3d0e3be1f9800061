#!/bin/sh
# trackside-fcgi as a real process behind nginx: concurrent requests, a clean
# stop on SIGTERM, a clear error when nginx cannot reach it, JSON for the
# errors nginx answers itself, and timeouts for peers that send too slowly.
. "$top_srcdir/tests/lib.sh"
plan 14
# What is tested here is the app, not nginx's rate limits; a short body timeout.
TS_NGINX_ARGS="--no-rate-limit --body-timeout 2s"
stack_start || { echo "Bail out! the stack did not start"; exit 1; }

# 64 requests, 16 at a time.
seq 64 | xargs -P 16 -I{} curl -fsS -o /dev/null "$TS_URL/api/v1/sessions?offset={}"
ok $? "concurrent requests are all answered"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$TS_URL/sessions/nope/../x")
case $code in 404|400) r=0 ;; *) r=1 ;; esac
ok $r "a path outside the routes is a 4xx"
is "$(curl -sS -o "$TS_DIR/e.json" -w '%{http_code}' -X DELETE "$TS_URL/") $(jq -r .error "$TS_DIR/e.json")" \
   "403 forbidden" "methods other than GET, HEAD and POST are refused by nginx, in JSON"

# raw REQUEST [SECONDS]: sends REQUEST (\r\n escapes) over TCP, prints the
# answer, or "no answer" when none came within SECONDS.
raw() {
	perl -MIO::Socket::INET -e '
	    my ($port, $req, $wait) = @ARGV;
	    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die "$!";
	    $req =~ s/\\r\\n/\r\n/g;
	    print $s $req;
	    $SIG{ALRM} = sub { print "no answer\n"; exit 1 };
	    alarm $wait;
	    local $/;
	    my $r = <$s>;
	    print $r;' "$TS_PORT" "$1" "${2:-20}"
}
long=$(head -c 20000 /dev/zero | tr '\0' a)
is "$(curl -sS -o "$TS_DIR/e.json" -w '%{http_code}' "$TS_URL/api/v1/sessions?q=$long") $(jq -r .error "$TS_DIR/e.json")" \
   "414 uri_too_long" "an address too long: 414 in JSON"
raw 'GET /api/v1/sessions HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' > "$TS_DIR/raw.out"
grep -q '^HTTP/1.1 400' "$TS_DIR/raw.out" && grep -q '^Content-Type: application/json' "$TS_DIR/raw.out" &&
    grep -q '"error":"bad_request"' "$TS_DIR/raw.out"
ok $? "a malformed request: 400 in JSON"
# A body that stops after its first byte is cut off by client_body_timeout:
# nginx closes the connection (it answers no 408) long before 20 s.
raw "POST /api/v1/frames HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer $TS_TOKEN\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{" > "$TS_DIR/raw.out"
is "$? $(head -c 100 "$TS_DIR/raw.out")" "0 " "a slow body is cut off by the body timeout"

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

# One thread, a 2 s read timeout, and a peer that sends the first bytes of a
# request and stalls: it is dropped and the next request is answered.
printf 'read_timeout = 2\nfcgi_threads = 1\n' >> "$TS_DIR/trackside.conf"
stack_start_service fcgi
ok $? "trackside-fcgi starts with read_timeout"
perl -MIO::Socket::UNIX -e '
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!";
    $s->autoflush(1);
    print $s "\x01\x01\x00";
    open(my $f, ">", $ARGV[1]); close($f);
    sleep 30;' "$TS_DIR/run/fcgi.sock" "$TS_DIR/stalled" &
stall=$!
wait_for 10 test -f "$TS_DIR/stalled"
is "$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' "$TS_URL/api/v1/sessions")" 200 \
   "a peer that stalls mid-request is timed out instead of holding the thread"
kill "$stall" 2>/dev/null
done_testing
