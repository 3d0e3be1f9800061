#!/bin/sh
# Clocks through the whole stack (tests/lib.sh): every upload carries
# Trackside-Sent-At, so where a frame goes depends on when it was captured,
# not on when it arrives. Recordings of one race (sebring-school-race A, B,
# C) replayed as fast as the server takes them with their own capture
# times, a client whose clock is 90 s fast, and a client that spooled its
# first 10 minutes because the server was not reachable yet: one session.
. "$top_srcdir/tests/lib.sh"
need_data
CLIENT=$top_builddir/trackside-client
REC=$SHARED_DATA/recordings
plan 13
TS_NGINX_ARGS=--no-rate-limit	# five clients from one address

T=$(mktemp -d "${TMPDIR:-/tmp}/t_clock.XXXXXX")
PIDS= WRAP=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -f "$T/nginx2/nginx.pid" ] && "$NGINX" -c "$T/nginx2/nginx.conf" -p "$T/nginx2" \
	    -e "$T/nginx2/nginx-error.log" -s stop 2>/dev/null
	stack_stop
	rm -rf "$T"
}
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT
# client NAME URL ARGS...: a client replaying as fast as it can, in the background
client() {
	_n=$1 _u=$2
	shift 2
	$WRAP "$CLIENT" --state-dir "$T/$_n" --server "$_u" --token "$TS_TOKEN" --quiet --name "$_n" \
	    --speed max --replay-clock original --spool-cap 64M "$@" 2>>"$T/$_n.log" &
	PIDS="$PIDS $!"
}
id_of() { cat "$T/$1/client-id"; }
sql() { sqlite3 "$TS_DB" "$1"; }
# records in a client's spool (each starts with the magic "TSR1")
spooled_ge() { [ "$(cat "$T/$1"/spool/*.spool 2>/dev/null | grep -ao TSR1 | wc -l)" -ge "$2" ]; }
stored_ge() { [ "$(sql "SELECT count(*) FROM raw_frames WHERE client = '$(id_of "$1")'")" -ge "$2" ]; }

# A second way in for the spooling client: nothing listens there yet.
P2=$(_free_port)
conf2=$("$top_srcdir/scripts/nginx-conf" --listen "127.0.0.1:$P2" --static "$top_srcdir/static" \
    --fcgi "$TS_DIR/run/fcgi.sock" --publish "$T/nginx2-publish.sock" --prefix "$T/nginx2" \
    --workers 1 --no-rate-limit)

# 1. The server is not reachable when this client starts: it spools.
client spool "http://127.0.0.1:$P2" --replay "$REC/sebring-school-race-B.jsonl.gz"
wait_for 120 spooled_ge spool 600
ok $? "a client that cannot reach the server spools its first 10 minutes (600 polls)"
reach=$(date +%s)
"$NGINX" -c "$conf2" -p "$T/nginx2" -e "$T/nginx2/nginx-error.log" 2>"$T/nginx2.start"
# C joins the race at ET 1003 and, sent as fast, runs ahead of A and B; the
# tracker takes laps and pits from a car's newest observation only, so the
# start of the race is in before C starts.
wait_for 120 stored_ge spool 1001
ok $? "once the server is reachable its spooled frames arrive"
is "$(sql "SELECT min(sent_at) >= $reach - 1 FROM raw_frames WHERE client = '$(id_of spool)'")" 1 \
    "spooled frames carry the time they were sent, not the time they were spooled"

# 2. A, B and C as fast as the server takes them, with their capture
# times; one more client replays C with a clock 90 s fast (its recording
# was made with that clock too).
c=$(zcat "$REC/sebring-school-race-C.jsonl.gz" | head -1 | jq -r .created)
fast=$(date -u -d "@$(( $(date -u -d "$c" +%s) + 90 ))" +%Y-%m-%dT%H:%M:%S).${c#*.}
{ zcat "$REC/sebring-school-race-C.jsonl.gz" | head -1 | jq -c --arg t "$fast" '.created = $t'
  zcat "$REC/sebring-school-race-C.jsonl.gz" | tail -n +2; } | gzip -1 > "$T/C-fast.jsonl.gz"
for x in A B C; do
	client "$x" "$TS_URL" --replay "$REC/sebring-school-race-$x.jsonl.gz"
done
nclients=4
if command -v faketime >/dev/null 2>&1; then
	# faketime preloads itself: an ASan build must not insist on coming first
	WRAP="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 faketime -f +90s" \
	    client fast "$TS_URL" --replay "$T/C-fast.jsonl.gz"
	nclients=5
else
	diag "no faketime: the client with a clock 90 s fast is left out"
fi
r=0
for p in $PIDS; do wait "$p" || r=1; done
PIDS=
ok $r "every client sends its whole recording"
wait_for 300 inbox_empty
ok $? "the worker applies every frame"

is "$(api /api/v1/sessions | jq '[.sessions[] | select(.type == "race1")] | length')" 1 \
    "all the clients make one session"
[ "$_tap_failed" -eq 0 ] || api /api/v1/sessions | jq -c '.sessions[]' | sed 's/^/# /'
sid=$(api /api/v1/sessions | jq -r '.sessions[0].id')
is "$(sql 'SELECT count(*) FROM raw_frames WHERE sent_at IS NULL')" 0 \
    "every frame is stored with the client's clock when its upload was sent"
"$top_builddir/tests/truth-check" "$TS_DB" "$REC/sebring-school-race.truth.json" > "$T/truth"
ok $? "the session is the truth: laps, pits, final positions, chat"
diag "$(cat "$T/truth")"
is "$(sql 'SELECT count(DISTINCT session_id), sum(session_id IS NULL) FROM raw_frames')" "1|$nclients" \
    "every frame of every client is applied to it, but each client's last (it left)"
[ "$_tap_failed" -eq 0 ] || sql 'SELECT client, count(*), sum(session_id IS NULL),
    count(DISTINCT session_id) FROM raw_frames GROUP BY client' | sed 's/^/# /'
if [ "$nclients" = 5 ]; then
	is "$(sql "SELECT min(sent_at - received_at) > 85 AND max(sent_at - received_at) < 95
	    FROM raw_frames WHERE client = '$(id_of fast)'")" 1 \
	    "the server knows the fast client's clock is 90 s ahead"
else
	skip "no faketime"
fi

# 3. A send time that is not an RFC 3339 UTC time: 400, nothing stored.
before=$(sql 'SELECT count(*) FROM raw_frames')
frame='{"v":1,"client":{"id":"clockbadsent"},"seq":1,"captured_at":"2026-03-09T13:00:00.000Z","source":"lmu","data":{}}'
code=$(curl -sS -o "$T/err.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TS_TOKEN" -H 'Trackside-Sent-At: yesterday' --data "$frame" \
    "$TS_URL/api/v1/frames")
is "$code $(jq -r .error "$T/err.json")" "400 bad_sent_at" "a bad Trackside-Sent-At is refused"
code=$(curl -sS -o "$T/ok.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TS_TOKEN" --data "$frame" "$TS_URL/api/v1/frames")
is "$code" 202 "a frame without the header is taken (version 1 clients)"
# the inbox may be empty before the worker's transaction commits: wait for the row
wait_for 30 sh -c "[ \"\$(sqlite3 '$TS_DB' 'SELECT count(*) FROM raw_frames')\" -gt $before ]"
is "$(sql 'SELECT count(*) FROM raw_frames')" "$((before + 1))" "only the frame without the header is stored"
done_testing
