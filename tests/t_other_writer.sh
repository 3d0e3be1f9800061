#!/bin/sh
# Another process writes the database while trackside-ingestd applies a
# race (an admin adds client tokens): the worker goes on applying frames
# and never reports a locked database.
. "$top_srcdir/tests/lib.sh"
need_data
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz
plan 4
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
zcat "$REC" | sed -n '1p;2,401p' > "$TS_DIR/part1.jsonl"
zcat "$REC" | sed -n '1p;402,1201p' > "$TS_DIR/part2.jsonl"
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c otherclient01 "$@" >/dev/null 2>&1; }
applied() { sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames WHERE client = 'otherclient01'"; }
applied_at_least() { [ "$(applied)" -ge "$1" ]; }
admin() { "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" "$@"; }

# A viewer; the live events read their views on the worker's connection.
curl -sN --max-time 120 "$TS_URL/live/sessions" >/dev/null 2>&1 &
viewer=$!
post "$TS_DIR/part1.jsonl"
wait_for 60 inbox_empty
is "$(applied)" 400 "the first frames are applied"

admin client add admin-during-race >/dev/null 2>&1
ok $? "an admin adds a client token while the stack runs"
post -s 401 "$TS_DIR/part2.jsonl" &
poster=$!
wait_for 60 applied_at_least 500
admin client add admin-during-upload >/dev/null 2>&1
wait "$poster"
wait_for 60 inbox_empty
is "$(applied)" 1200 "every frame sent after the other writes is applied"
! grep -q "database is locked" "$TS_DIR/logs/ingestd.log"
ok $? "trackside-ingestd never finds the database locked"
kill "$viewer" 2>/dev/null
done_testing
