#!/bin/sh
# Live events through the real stack: trackside-ingestd publishes to nginx's
# pub/sub module (nchan), which serves the viewers. A recorded race is
# uploaded in parts while viewers listen: a snapshot at once, then every
# event once and in order (seq), the live list, resume by Last-Event-ID
# without a gap, a late joiner, publishing refused from outside, nginx and
# trackside-ingestd restarted under the viewers. The first viewer asks as
# EventSource does (Accept: text/event-stream), the others as a plain GET.
# Without ../shared/data the race comes from the fake game.
. "$top_srcdir/tests/lib.sh"
plan 22

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"
REC=$REC_A
zcat "$REC" | sed -n '1p;2,200p' > "$TS_DIR/part1.jsonl"
zcat "$REC" | sed -n '1p;201,260p' > "$TS_DIR/part2.jsonl"
zcat "$REC" | sed -n '1p;261,300p' > "$TS_DIR/part3.jsonl"
zcat "$REC" | sed -n '1p;301,330p' > "$TS_DIR/part4.jsonl"
[ "$(wc -l < "$TS_DIR/part4.jsonl")" -ge 21 ] || { echo "Bail out! $REC has too few polls"; exit 1; }
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c liveclient01 "$@" >>"$TS_DIR/logs/post.log" 2>&1; }
# events FILE: each event's data as one JSON line
events() { sed -n 's/^data: //p' "$1"; }
# gapless FILE: the events after the first snapshot, seq from its own + 1 on,
# are each there once and in order (those at or below it are older ones).
gapless() {
	events "$1" | jq -s -e '([.[] | select(.event == "snapshot")][0].seq) as $s |
	    [.[] | select(.event != "snapshot" and .seq > $s) | .seq] as $d |
	    $s != null and ($d | length) > 0 and $d == [range($s + 1; ($d | max) + 1)]' >/dev/null
}
last_seq() { events "$1" | jq -s '[.[] | select(.event != "snapshot") | .seq] | max'; }
sse_et() { events "$1" | jq -s '[.[] | (.et // .session.et // empty)] | last'; }
caught_up() { [ "$(sse_et "$1")" = "$(api "/api/v1/sessions/$id" | jq '.et')" ]; }

curl -sN --max-time 300 "$TS_URL/live/sessions" > "$TS_DIR/list.sse" 2>/dev/null &
list_pid=$!
post "$TS_DIR/part1.jsonl"
wait_for 60 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')

t0=$(date +%s%N)
curl -sN --max-time 300 -D "$TS_DIR/s.hdr" -H "Accept: text/event-stream" "$TS_URL/live/sessions/$id" > "$TS_DIR/s.sse" 2>/dev/null &
viewer_pid=$!
wait_for 10 grep -q '^event: snapshot' "$TS_DIR/s.sse"
ms=$((($(date +%s%N) - t0) / 1000000))
snap=$(events "$TS_DIR/s.sse" | jq -c 'select(.event == "snapshot")' | head -1)
is "$(printf '%s' "$snap" | jq -r '.id + " " + (.standings | length | tostring)')" "$id $REC_CARS" \
    "a viewer gets a snapshot of the session with every car (after $ms ms)"
[ "$ms" -lt 1000 ]
ok $? "the snapshot comes within 1 s of connecting ($ms ms)"
grep -qi '^content-type: text/event-stream' "$TS_DIR/s.hdr" && grep -qi '^cache-control: no-store' "$TS_DIR/s.hdr"
ok $? "nginx serves it as text/event-stream that no proxy keeps"

post -s 200 -r 20 "$TS_DIR/part2.jsonl"
wait_for 60 inbox_empty
wait_for 60 caught_up "$TS_DIR/s.sse"
ok $? "the viewer follows the frames up to the latest ET ($(sse_et "$TS_DIR/s.sse"))"
gapless "$TS_DIR/s.sse"
ok $? "after the snapshot every event comes once and in order ($(events "$TS_DIR/s.sse" | jq -s -c '[.[].seq] | .[0:3]')...)"
is "$(grep -c '^id: ' "$TS_DIR/s.sse")" "$(grep -c '^data: ' "$TS_DIR/s.sse")" "every event has an id"
events "$TS_DIR/s.sse" | jq -s -e '[.[].laps[]?.lap] | length > 0' >/dev/null 2>&1
ok $? "a delta carries the laps completed"
grep -q '"pos":\[\[' "$TS_DIR/s.sse"
ok $? "a delta carries car positions for the map"
deltas=$(grep -c '^event: delta' "$TS_DIR/s.sse")
per=$(events "$TS_DIR/s.sse" | jq -s '[.[] | select(.event == "delta") | tostring | length] | add / length | floor')
[ "$per" -lt 4000 ]
ok $? "a delta of a $REC_CARS-car race is small (about $per bytes over $deltas)"
grep -q '^event: session' "$TS_DIR/list.sse" && grep -q "\"id\":\"$id\"" "$TS_DIR/list.sse"
ok $? "the live list announces the new session"

# resume: the viewer leaves, frames go on, it comes back with its last id
kill "$viewer_pid" 2>/dev/null
wait "$viewer_pid" 2>/dev/null
lid=$(sed -n 's/^id: //p' "$TS_DIR/s.sse" | tail -1)
lseq=$(last_seq "$TS_DIR/s.sse")
post -s 260 -r 20 "$TS_DIR/part3.jsonl"
wait_for 60 inbox_empty
curl -sN --max-time 300 -H "Last-Event-ID: $lid" "$TS_URL/live/sessions/$id" > "$TS_DIR/r.sse" 2>/dev/null &
viewer_pid=$!
wait_for 60 caught_up "$TS_DIR/r.sse"
first=$(events "$TS_DIR/r.sse" | jq -s '[.[] | select(.event != "snapshot") | .seq] | min')
is "$first" "$((lseq + 1))" "a reconnect with Last-Event-ID continues with the next event"
events "$TS_DIR/r.sse" | jq -s -e --argjson l "$lseq" '[.[] | select(.event != "snapshot") | .seq] as $d |
    $d == [range($l + 1; ($d | max) + 1)]' >/dev/null
ok $? "and gets every event it missed, once and in order"

# a late joiner ends where the early viewer ends
curl -sN --max-time 300 "$TS_URL/live/sessions/$id" > "$TS_DIR/late.sse" 2>/dev/null &
late_pid=$!
wait_for 10 grep -q '^event: snapshot' "$TS_DIR/late.sse"
post -s 300 -r 20 "$TS_DIR/part4.jsonl"
wait_for 60 inbox_empty
wait_for 60 caught_up "$TS_DIR/r.sse" && wait_for 60 caught_up "$TS_DIR/late.sse"
is "$(last_seq "$TS_DIR/late.sse")" "$(last_seq "$TS_DIR/r.sse")" "a late joiner reaches the same last event as an early viewer"
gapless "$TS_DIR/late.sse"
ok $? "and misses none after its snapshot"

# publishing is internal
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"seq":1}' "$TS_URL/live/sessions/$id")
code2=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"seq":1}' "$TS_URL/pub/d.$id")
n0=$(grep -c '^data: ' "$TS_DIR/late.sse")
case "$code $code2" in 4??\ 4??) r=0 ;; *) r=1 ;; esac
[ $r = 0 ] && ! grep -q '^data: {"seq":1}' "$TS_DIR/late.sse"
ok $? "a public POST to a live stream or the publisher's path is refused ($code, $code2) and publishes nothing"
curl -s --unix-socket "$TS_DIR/run/publish.sock" http://localhost/nchan_status > "$TS_DIR/status"
grep -q '^subscribers: [1-9]' "$TS_DIR/status" && grep -q '^total published messages: [1-9]' "$TS_DIR/status"
ok $? "nchan's figures are at the internal status location ($(grep '^subscribers' "$TS_DIR/status"))"
is "$(curl -s -o /dev/null -w '%{http_code}' "$TS_URL/nchan_status")" 404 "and not on the public side"

# nginx restarts (its memory of the channels is gone): a new viewer gets a
# snapshot as soon as the next frame is applied
"$NGINX" -c "$TS_DIR/nginx/nginx.conf" -p "$TS_DIR/nginx" -e "$TS_DIR/nginx/logs/nginx-error.log" -s stop
wait_for 20 sh -c "! curl -s -o /dev/null '$TS_URL/healthz'"
"$NGINX" -c "$TS_DIR/nginx/nginx.conf" -p "$TS_DIR/nginx" -e "$TS_DIR/nginx/logs/nginx-error.log"
wait_for 20 curl -fsS -o /dev/null "$TS_URL/healthz"
zcat "$REC" | sed -n '1p;331,360p' > "$TS_DIR/part5.jsonl"
curl -sN --max-time 300 "$TS_URL/live/sessions/$id" > "$TS_DIR/n.sse" 2>/dev/null &
n_pid=$!
post -s 330 -r 10 "$TS_DIR/part5.jsonl"
wait_for 60 grep -q '^event: snapshot' "$TS_DIR/n.sse"
ok $? "after nginx restarts, a viewer gets a fresh snapshot once frames flow again"
wait_for 60 inbox_empty
wait_for 60 caught_up "$TS_DIR/n.sse" && gapless "$TS_DIR/n.sse"
ok $? "and every event after it"

# trackside-ingestd is killed and restarted: viewers get a snapshot of the
# new run, whose seq continues above the old
before=$(last_seq "$TS_DIR/n.sse")
stack_stop_service ingestd KILL
stack_start_service ingestd
zcat "$REC" | sed -n '1p;361,380p' > "$TS_DIR/part6.jsonl"
post -s 360 -r 10 "$TS_DIR/part6.jsonl"
wait_for 60 inbox_empty
newsnap() { events "$TS_DIR/n.sse" | jq -s -e --argjson b "$before" '[.[] | select(.event == "snapshot" and .seq > $b)] | length > 0' >/dev/null; }
wait_for 30 newsnap
ok $? "after trackside-ingestd restarts, viewers get a snapshot whose seq is above every earlier one"
wait_for 60 caught_up "$TS_DIR/n.sse"
ok $? "and follow the frames again"

# a quiet stream (a session not live yet) gets heartbeats
curl -sN --max-time 40 "$TS_URL/live/sessions/0190ffff000070008000000000000009" > "$TS_DIR/q.sse" 2>/dev/null &
q_pid=$!
wait_for 30 grep -qx ':' "$TS_DIR/q.sse"
ok $? "a quiet stream gets a heartbeat comment every 15 s"
kill $list_pid $viewer_pid $late_pid $n_pid $q_pid 2>/dev/null
done_testing
