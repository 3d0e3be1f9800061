#!/bin/sh
# kill -9 of trackside-ingestd while it applies a race, then a restart:
# every frame is applied once, nothing is lost or duplicated, and the result
# is the same as an uninterrupted run.
. "$top_srcdir/tests/lib.sh"
plan 5
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"	# a recorded race, or one of the fake game
REC=$REC_A
N=1500		# frames, fewer when the fake game's race has fewer
[ "$REC_POLLS" -lt "$N" ] && N=$REC_POLLS
stack_stop_service ingestd
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c crashclientA -b 100 -n "$N" "$REC" >/dev/null
ok $? "$N frames are accepted while the worker is down"
is "$("$top_builddir/trackside" -c "$TS_DIR/trackside.conf" inbox)" "$N" "they wait durably in the inbox"
# The same frames, for an uninterrupted run to compare with.
mkdir -p "$TS_DIR/clean/inbox"
cp -a "$TS_INBOX/seg" "$TS_DIR/clean/inbox/"

# Kill the worker three times while it works, with small batches so that
# several commits happen between kills.
for round in 1 2 3; do
	"$top_builddir/trackside-ingestd" -d -b 20 -c "$TS_DIR/trackside.conf" \
	    >>"$TS_DIR/logs/ingestd.log" 2>&1 &
	pid=$!
	sleep 0.$((3 + round))
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
done
stack_start_service ingestd
wait_for 120 inbox_empty
is "$(sqlite3 "$TS_DB" 'SELECT count(*), count(DISTINCT seq), max(seq) FROM raw_frames')" "$N|$N|$N" \
   "every frame is applied exactly once"
is "$(sqlite3 "$TS_DB" "SELECT last_seq FROM client_seqs WHERE client = 'crashclientA'")" "$N" \
   "the client's applied seq is its last frame"

# The uninterrupted run gives the same sessions, cars and laps.
"$top_builddir/trackside-ingestd" -1 -D "$TS_DIR/clean/t.db" -i "$TS_DIR/clean/inbox" 2>/dev/null
q="SELECT s.track, s.type, c.slot, c.vehicle, l.lap, l.time, l.s1, l.s2, l.driver
   FROM laps l JOIN cars c ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id ORDER BY 3, 5"
crashed=$(sqlite3 "$TS_DB" "$q" | md5sum)
clean=$(sqlite3 "$TS_DIR/clean/t.db" "$q" | md5sum)
n=$(sqlite3 "$TS_DIR/clean/t.db" "SELECT count(*) FROM laps")
[ "$crashed" = "$clean" ] && [ "$n" -gt 100 ]
ok $? "the killed and restarted worker stored the same $n laps as an uninterrupted one"
done_testing
