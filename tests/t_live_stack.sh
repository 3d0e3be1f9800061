#!/bin/sh
# Server-sent events through the real stack: nginx proxies /live/ to the
# worker's hub. A recorded race is uploaded in two parts while viewers
# listen: snapshot, deltas, the live list, resume by Last-Event-ID, bad
# input refused.
# Without ../shared/data the race comes from the fake game.
. "$top_srcdir/tests/lib.sh"
plan 11

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"
REC=$REC_A
zcat "$REC" | sed -n '1p;2,200p' > "$TS_DIR/part1.jsonl"
zcat "$REC" | sed -n '1p;201,260p' > "$TS_DIR/part2.jsonl"
[ "$(wc -l < "$TS_DIR/part2.jsonl")" -ge 31 ] || { echo "Bail out! $REC has too few polls"; exit 1; }
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c liveclient01 "$@" >>"$TS_DIR/logs/post.log" 2>&1; }

curl -sN --max-time 300 "$TS_URL/live/sessions" > "$TS_DIR/list.sse" 2>/dev/null &
list_pid=$!
wait_for 30 grep -q '^retry:' "$TS_DIR/list.sse"	# the hub has the viewer
post "$TS_DIR/part1.jsonl"
wait_for 60 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')

curl -sN --max-time 300 -D "$TS_DIR/s.hdr" "$TS_URL/live/sessions/$id" > "$TS_DIR/s.sse" 2>/dev/null &
viewer_pid=$!
wait_for 30 grep -q '^data: ' "$TS_DIR/s.sse"
snap=$(sed -n '/^event: snapshot/{n;s/^data: //p;q}' "$TS_DIR/s.sse")
is "$(printf '%s' "$snap" | jq -r '.id + " " + (.standings | length | tostring)')" "$id $REC_CARS" \
    "a viewer gets a snapshot of the session with every car"
grep -qi '^content-type: text/event-stream' "$TS_DIR/s.hdr"
ok $? "nginx passes the stream as text/event-stream"
first_id=$(sed -n 's/^id: //p' "$TS_DIR/s.sse" | head -1)

post -s 200 -r 20 "$TS_DIR/part2.jsonl"
wait_for 60 inbox_empty
api_et=$(api "/api/v1/sessions/$id" | jq '.et')
sse_et() { grep -o '"et":[0-9.]*' "$TS_DIR/s.sse" | tail -1 | cut -d: -f2; }
sse_caught_up() { [ "$(sse_et)" = "$api_et" ]; }
wait_for 60 sse_caught_up
deltas=$(grep -c '^event: delta' "$TS_DIR/s.sse")
last_et=$(sse_et)
[ "$deltas" -ge 5 ] && [ "$last_et" = "$api_et" ]
ok $? "frames arrive at the viewer as deltas up to the latest ($deltas deltas, ET $last_et = $api_et)"
grep '^data: ' "$TS_DIR/s.sse" | sed 's/^data: //' | tail -n +2 | jq -s -e '[.[].laps[]?.lap] | length > 0' >/dev/null 2>&1
ok $? "a delta carries the laps completed"
grep -q '"pos":\[\[' "$TS_DIR/s.sse"
ok $? "a delta carries car positions for the map"
bytes=$(wc -c < "$TS_DIR/s.sse")
per=$((bytes / (deltas + 1)))
[ "$per" -lt 4000 ]
ok $? "a delta of a $REC_CARS-car race is small (about $per bytes)"

grep -q '^event: session' "$TS_DIR/list.sse" && grep -q "\"id\":\"$id\"" "$TS_DIR/list.sse"
ok $? "the live list announces the new session"

# resume: the events after the snapshot, and no snapshot
curl -sN --max-time 3 -H "Last-Event-ID: $first_id" "$TS_URL/live/sessions/$id" > "$TS_DIR/r.sse" 2>/dev/null
rd=$(grep -c '^event: delta' "$TS_DIR/r.sse")
rs=$(grep -c '^event: snapshot' "$TS_DIR/r.sse")
is "$rs $rd" "0 $deltas" "a reconnect with Last-Event-ID replays exactly the missed deltas"
curl -sN --max-time 3 -H "Last-Event-ID: 1-1" "$TS_URL/live/sessions/$id" > "$TS_DIR/o.sse" 2>/dev/null
is "$(grep -c '^event: snapshot' "$TS_DIR/o.sse")" 1 "an id of another run gets a fresh snapshot"

code=$(curl -s -o "$TS_DIR/e.json" -w '%{http_code}' --max-time 3 -H 'Last-Event-ID: x<y' "$TS_URL/live/sessions/$id")
is "$code $(jq -r .error "$TS_DIR/e.json")" "400 bad_last_event_id" "a malformed Last-Event-ID is refused"
code=$(curl -s -o "$TS_DIR/e.json" -w '%{http_code}' --max-time 3 "$TS_URL/live/sessions/0190ffff000070008000000000000009")
is "$code $(jq -r .error "$TS_DIR/e.json")" "404 not_found" "an unknown session is 404"
kill $list_pid $viewer_pid 2>/dev/null
done_testing
