#!/bin/sh
# A flood of live viewers while a race is ingested: nginx serves them
# (nchan), trackside-ingestd only publishes. 400 viewers from 40 addresses
# arrive at once at a node capped at 300: 300 are served, the others get 503
# JSON with Retry-After, and frames keep being applied. One address gets 20
# streams at most (429 JSON beyond).
. "$top_srcdir/tests/lib.sh"
need_data
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz
FLOOD=$top_builddir/tests/live-flood
plan 7
ulimit -n 4096 2>/dev/null || true
TS_NGINX_ARGS="--live-max 300"
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
applied() { sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames"; }
applied_at_least() { [ "$(applied)" -ge "$1" ]; }
answered() { grep -q '^answered' "$TS_DIR/flood.out"; }

"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c floodclient01 -b 50 -n 2000 "$REC" >/dev/null 2>&1 &
poster=$!
wait_for 60 applied_at_least 50
id=$(sqlite3 "$TS_DB" "SELECT id FROM sessions ORDER BY started_at LIMIT 1")
"$FLOOD" -p "127.0.0.1:$TS_PORT" -a 40 -n 400 -t 300 "/live/sessions/$id" > "$TS_DIR/flood.out" 2>&1 &
flood=$!
wait_for 120 answered
a0=$(applied)
wait_for 120 applied_at_least $((a0 + 300))
ok $? "frames keep being applied while 400 viewers hold their streams (from $a0 to $(applied))"
kill -TERM "$flood"
wait "$flood"
wait "$poster"
wait_for 120 inbox_empty
is "$(applied)" 2000 "every frame of the race is applied"

got() { sed -n "s/^$1 //p" "$TS_DIR/flood.out"; }
diag "flood: $(tr '\n' ' ' < "$TS_DIR/flood.out")"
is "$(got 200)" 300 "nginx serves the viewers up to its cap (300)"
is "$(( $(got 200) + $(got 503) ))" 400 "every other viewer gets 503 JSON with Retry-After"
! grep -q 'trackside-ingestd error' "$TS_DIR/logs/ingestd.log"
ok $? "the worker logs no error"

# 25 streams from one address: 20 get through.
"$FLOOD" -p "127.0.0.1:$TS_PORT" -n 25 -t 5 /live/sessions > "$TS_DIR/nginx.out" 2>&1
diag "one address: $(tr '\n' ' ' < "$TS_DIR/nginx.out")"
is "$(sed -n 's/^200 //p' "$TS_DIR/nginx.out")" 20 "one address gets 20 live streams"
is "$(sed -n 's/^429 //p' "$TS_DIR/nginx.out")" 5 "the next ones get 429 JSON"
done_testing
