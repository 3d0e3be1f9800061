#!/bin/sh
# trackside-ingestd killed while it applies a race (kill -9 at 25, 55 and 70 %
# of the frames, SIGTERM at 85 %) and started again each time: every kill
# interrupted work (frames applied before it and after it, read from the
# database), every frame is applied once, and the laps, pits, stints, bests,
# car states and sessions are those of an uninterrupted run.
. "$top_srcdir/tests/lib.sh"
plan 16
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"	# a recorded race, or one of the fake game
REC=$REC_A
N=$REC_POLLS
# the least rows each table must hold for the comparison to mean something
if [ -n "$TRUTH" ]; then min_laps=500 min_pits=30 min_bests=100; else min_laps=100 min_pits=4 min_bests=14; fi
stack_stop_service ingestd
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c crashclientA -b 100 "$REC" >/dev/null
ok $? "the race's $N frames are accepted while the worker is down"
is "$("$top_builddir/trackside" -c "$TS_DIR/trackside.conf" inbox)" $N "they wait durably in the inbox"
# The same frames, for an uninterrupted run to compare with.
mkdir -p "$TS_DIR/clean/inbox"
cp -a "$TS_INBOX/seg" "$TS_DIR/clean/inbox/"

applied() { sqlite3 "$TS_DB" 'SELECT count(*) FROM raw_frames' 2>/dev/null || echo 0; }
applied_at_least() { [ "$(applied)" -ge "$1" ]; }
ingestd() {
	"$top_builddir/trackside-ingestd" -d -b 20 -c "$TS_DIR/trackside.conf" \
	    >>"$TS_DIR/logs/ingestd.log" 2>&1 &
	pid=$!
}

# Small batches, so that many commits happen between kills.
prev=0
for pct in 25:KILL 55:KILL 70:KILL 85:TERM; do
	sig=${pct#*:}
	pct=${pct%:*}
	ingestd
	wait_for 300 applied_at_least $((N * pct / 100))
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$?
	n=$(applied)
	[ "$n" -gt "$prev" ] && [ "$n" -ge $((N * pct / 100)) ] && [ "$n" -lt "$N" ]
	ok $? "SIG$sig at $pct %: $n frames applied before it (after $prev), $((N - n)) still to do"
	if [ "$sig" = TERM ]; then
		is "$rc" 0 "SIGTERM ends the worker cleanly"
	fi
	prev=$n
done
stack_start_service ingestd
wait_for 300 applied_at_least $N
is "$(applied)" $N "the restarted worker applies the $((N - prev)) frames left after the last stop"
is "$(sqlite3 "$TS_DB" 'SELECT count(*), count(DISTINCT seq), max(seq) FROM raw_frames')" "$N|$N|$N" \
   "every frame is applied exactly once"
is "$(sqlite3 "$TS_DB" "SELECT last_seq FROM client_seqs WHERE client = 'crashclientA'")" $N \
   "the client's applied seq is its last frame"

# The uninterrupted run gives the same rows, table by table.
"$top_builddir/trackside-ingestd" -1 -D "$TS_DIR/clean/t.db" -i "$TS_DIR/clean/inbox" 2>/dev/null
same() {
	sqlite3 "$TS_DIR/clean/t.db" "$2" >"$TS_DIR/clean.rows"
	sqlite3 "$TS_DB" "$2" >"$TS_DIR/crashed.rows"
	rows=$(wc -l <"$TS_DIR/clean.rows")
	cmp -s "$TS_DIR/clean.rows" "$TS_DIR/crashed.rows" && [ "$rows" -ge "$3" ]
	ok $? "$1 are those of an uninterrupted run ($rows rows)"
	diff "$TS_DIR/clean.rows" "$TS_DIR/crashed.rows" | head -4 | sed 's/^/# /'
}
car="SELECT c.slot, c.vehicle, x.* FROM cars c JOIN"
same laps "$car laps x ON x.car_id = c.id ORDER BY c.slot, c.vehicle, x.lap" "$min_laps"
same pits "$car pits x ON x.car_id = c.id ORDER BY c.slot, c.vehicle, x.id" "$min_pits"
same stints "$car stints x ON x.car_id = c.id ORDER BY c.slot, c.vehicle, x.id" 14
same bests "SELECT * FROM bests ORDER BY scope, kind, class, car_id, driver" "$min_bests"
same "car states" "$car car_state x ON x.car_id = c.id ORDER BY c.slot, c.vehicle" 14
same sessions "SELECT * FROM sessions" 1
done_testing
