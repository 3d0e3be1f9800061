#!/bin/sh
# Session maintenance through the trackside command against a running stack
# (the commands go through the inbox to trackside-ingestd): a recorded race
# is split mid-race and merged back into the truth, renamed, reprocessed
# while another session's frames keep flowing, and deleted.
. "$top_srcdir/tests/lib.sh"
need_data
plan 26

TRACKSIDE=${TRACKSIDE:-$top_builddir/trackside}
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
ts() { "$TRACKSIDE" -c "$TS_DIR/trackside.conf" -w 120 "$@"; }
q() { sqlite3 "$TS_DB" "$1"; }
# laps of session $1 (recorded ones, not the missing)
laps() {
	q "SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id
	   WHERE c.session_id = '$1' AND l.source <> 'missing'"
}
# every lap of session $1: slot, vehicle, lap, time, driver, pit
lap_rows() {
	q "SELECT c.slot, c.vehicle, l.lap, l.time, l.driver, l.pit FROM laps l
	   JOIN cars c ON c.id = l.car_id WHERE c.session_id = '$1' AND l.source <> 'missing'
	   ORDER BY 1, 2, 3"
}
http_status() { curl -sS -o /dev/null -w '%{http_code}' "$TS_URL$1"; }

race_recordings "$TS_DIR"
TRUTH_M=$SHARED_DATA/recordings/monza-weekend.truth.json
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c raceclientA -b 50 "$REC_A" > "$TS_DIR/post.out" 2>&1
ok $? "the race is uploaded"
check "the worker applies every frame" wait_for 300 inbox_empty
s=$(q "SELECT id FROM sessions")
frames=$(q "SELECT count(*) FROM raw_frames WHERE session_id = '$s'")
laps0=$(laps "$s")
cars=$(q "SELECT count(*) FROM cars WHERE session_id = '$s'")
"$top_builddir/tests/truth-check" "$TS_DB" "$TRUTH" > "$TS_DIR/truth0"
ok $? "the race matches the truth ($(cat "$TS_DIR/truth0"))"

# Split mid-race (the upload stamps frames with the time it sends them): the
# frames captured at or after T go to a new session.
t=$(q "SELECT CAST((min(captured_at) + max(captured_at)) / 2 AS INTEGER) FROM raw_frames")
iso=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
ts session split "$s" "$iso" -n > "$TS_DIR/split.dry"
ok $? "split --dry-run says it would apply"
is "$(q 'SELECT count(*) FROM sessions')" 1 "a dry run changes nothing"
ts session split "$s" "$iso" > "$TS_DIR/split.out" 2>&1
ok $? "trackside session split applies ($(cat "$TS_DIR/split.out"))"
n=$(q "SELECT next_id FROM sessions WHERE id = '$s'")
is "$(api /api/v1/sessions | jq -r '.total')" 2 "the API lists two sessions"
is "$(q "SELECT count(*) FROM raw_frames WHERE session_id = '$n'") $(q "SELECT count(*) \
    FROM raw_frames WHERE session_id = '$s'")" \
   "$(q "SELECT count(*) FROM raw_frames WHERE captured_at >= $t") \
$(q "SELECT count(*) FROM raw_frames WHERE captured_at < $t")" \
   "the frames captured at or after $iso are the new session's, the others the old one's"
both=$(q "SELECT count(*) FROM (SELECT DISTINCT c.slot, c.vehicle, l.lap FROM laps l
    JOIN cars c ON c.id = l.car_id WHERE c.session_id IN ('$s', '$n') AND l.source <> 'missing')")
l1=$(laps "$s")
l2=$(laps "$n")
is "$both" "$laps0" "the laps of the two sessions add up to the race's ($l1 + $l2, $laps0 before)"
[ "$l1" -gt 0 ] && [ "$l2" -gt 0 ] && [ $((l1 + l2 - laps0)) -le "$cars" ]
ok $? "only the lap in progress at the split is in both, at most one a car ($((l1 + l2 - laps0)))"

# Merge back: the truth again.
ts session merge "$n" "$s" -n > "$TS_DIR/merge.dry"
ok $? "merge --dry-run says it would apply"
ts session merge "$n" "$s" > "$TS_DIR/merge.out" 2>&1
ok $? "trackside session merge applies ($(cat "$TS_DIR/merge.out"))"
is "$(q 'SELECT count(*) FROM sessions') $(q "SELECT count(*) FROM raw_frames WHERE session_id = '$s'")" \
   "1 $frames" "one session again, with every frame"
"$top_builddir/tests/truth-check" "$TS_DB" "$TRUTH" > "$TS_DIR/truth1"
ok $? "the merged session is the truth: laps, pit stops, final order ($(cat "$TS_DIR/truth1"))"
ts session merge "$s" "$s" > /dev/null 2>&1
is $? 1 "merging a session into itself is refused"

# Rename: the API shows the name.
ts session rename "$s" "Sebring sprint" > /dev/null 2>&1
ok $? "trackside session rename applies"
is "$(api /api/v1/sessions | jq -r --arg id "$s" '.sessions[] | select(.id == $id) | .name')" \
   "Sebring sprint" "the API shows the name"

# Reprocess while another session's frames keep flowing.
lap_rows "$s" > "$TS_DIR/laps.before"
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c monzaclient -b 25 "$SHARED_DATA/recordings/monza-weekend.jsonl.gz" \
    > "$TS_DIR/monza.out" 2>&1 &
up=$!
wait_for 120 sh -c "[ \$(sqlite3 '$TS_DB' \"SELECT count(*) FROM raw_frames WHERE client = 'monzaclient'\") -gt 200 ]"
ts reprocess "$s" > "$TS_DIR/reprocess.out" 2>&1
ok $? "trackside reprocess applies while frames flow ($(cat "$TS_DIR/reprocess.out"))"
wait "$up"
ok $? "the other session's frames are all uploaded"
wait_for 300 inbox_empty
is "$(q "SELECT count(*) FROM raw_frames WHERE client = 'monzaclient'")" \
   "$(zcat "$SHARED_DATA/recordings/monza-weekend.jsonl.gz" | tail -n +2 | wc -l | tr -d ' ')" \
   "every frame of the other session is applied, none lost"
lap_rows "$s" > "$TS_DIR/laps.after"
cmp -s "$TS_DIR/laps.before" "$TS_DIR/laps.after"
ok $? "the reprocessed race has the same laps ($(wc -l < "$TS_DIR/laps.after"))"
is "$(q "SELECT name FROM sessions WHERE id = '$s'")" "Sebring sprint" "reprocess keeps the name"

# Delete: the session, its laps and raw frames go; the API answers 404.
ts session delete "$s" > "$TS_DIR/delete.out" 2>&1
ok $? "trackside session delete applies ($(cat "$TS_DIR/delete.out"))"
is "$(q "SELECT count(*) FROM sessions WHERE id = '$s'") $(laps "$s") \
$(q "SELECT count(*) FROM raw_frames WHERE session_id = '$s' OR client = 'raceclientA'")" \
   "0 0 0" "the session, its laps and its raw frames are gone"
is "$(http_status "/api/v1/sessions/$s")" 404 "the API answers 404 for it"
# What is left is the other recording alone: its truth says nothing was lost.
"$top_builddir/tests/truth-check" "$TS_DB" "$TRUTH_M" > "$TS_DIR/truth2"
ok $? "the sessions that kept flowing are their truth ($(cat "$TS_DIR/truth2"))"
done_testing
