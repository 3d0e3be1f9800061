#!/bin/sh
# A flood of live viewers while a race is ingested: trackside-ingestd runs
# with 256 open files at most and 400 viewers arrive at once. The viewers it
# has room for are served, the others get 503 with Retry-After, frames keep
# being applied and the log stays small. Through nginx, one address gets
# 20 streams at most (429 beyond).
. "$top_srcdir/tests/lib.sh"
need_data
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz
FLOOD=$top_builddir/tests/live-flood
plan 7
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
stack_stop_service ingestd
rm -f "$TS_DIR/run/live.sock"
(ulimit -n 256 && stack_start_service ingestd)
wait_for 20 test -S "$TS_DIR/run/live.sock" || { echo "Bail out! no live socket"; exit 1; }
applied() { sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames"; }
applied_at_least() { [ "$(applied)" -ge "$1" ]; }
refused_logged() { grep -q "viewer(s) refused" "$TS_DIR/logs/ingestd.log"; }
answered() { grep -q '^answered' "$TS_DIR/flood.out"; }

"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c floodclient01 -b 50 -n 2000 "$REC" >/dev/null 2>&1 &
poster=$!
wait_for 60 applied_at_least 50
"$FLOOD" -u "$TS_DIR/run/live.sock" -n 400 -t 300 /live/sessions > "$TS_DIR/flood.out" 2>&1 &
flood=$!
wait_for 60 refused_logged
a0=$(applied)
wait_for 120 applied_at_least $((a0 + 300))
ok $? "frames keep being applied while 400 viewers hold the hub (from $a0 to $(applied))"
wait_for 120 answered
kill -TERM "$flood"
wait "$flood"
wait "$poster"
wait_for 120 inbox_empty
is "$(applied)" 2000 "every frame of the race is applied"

got() { sed -n "s/^$1 //p" "$TS_DIR/flood.out"; }
diag "flood: $(tr '\n' ' ' < "$TS_DIR/flood.out")"
served=$(got 200)
[ -n "$served" ] && [ "$served" -gt 0 ] && [ "$served" -le 192 ]
ok $? "the hub serves the viewers it has descriptors for ($served, at most 256 - 64)"
is "$(( $(got 200) + $(got 503) ))" 400 "every other viewer gets 503 JSON with Retry-After"
log=$(wc -c < "$TS_DIR/logs/ingestd.log")
[ "$log" -lt 16384 ] && [ "$(grep -c 'refused' "$TS_DIR/logs/ingestd.log")" -le 3 ]
ok $? "the log stays small ($log bytes)"

# nginx: 25 streams from one address, 20 get through.
"$FLOOD" -p "127.0.0.1:$TS_PORT" -n 25 -t 5 /live/sessions > "$TS_DIR/nginx.out" 2>&1
diag "through nginx: $(tr '\n' ' ' < "$TS_DIR/nginx.out")"
is "$(sed -n 's/^200 //p' "$TS_DIR/nginx.out")" 20 "one address gets 20 live streams through nginx"
is "$(sed -n 's/^429 //p' "$TS_DIR/nginx.out")" 5 "the next ones get 429 JSON"
done_testing
