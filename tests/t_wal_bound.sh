#!/bin/sh
# The WAL stays bounded during a long race: three recordings of one race
# are replayed at full speed (about 10 000 frames, like three hours of a
# race seen by one client) while viewers watch; the WAL never passes
# 16 MiB and every frame is applied.
. "$top_srcdir/tests/lib.sh"
need_data
plan 3
BOUND=$((16 << 20))
stack_start || { echo "Bail out! the stack did not start"; exit 1; }

# Samples the WAL's size into wal.max until killed (at most 10 minutes).
(
	max=0
	end=$(( $(date +%s) + 600 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		s=$(stat -c %s "$TS_DB-wal" 2>/dev/null || echo 0)
		[ "$s" -gt "$max" ] && { max=$s; echo "$max" > "$TS_DIR/wal.max"; }
		sleep 0.2
	done
) &
sampler=$!
curl -sN --max-time 600 "$TS_URL/live/sessions" >/dev/null 2>&1 &
viewer=$!
frames=0
for part in A B C; do
	rec=$SHARED_DATA/recordings/sebring-school-race-$part.jsonl.gz
	frames=$((frames + $(zcat "$rec" | wc -l) - 1))
	"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
	    -c "walclient$part" -b 100 "$rec" >/dev/null 2>&1 || diag "posting $part failed"
done
wait_for 300 inbox_empty
ok $? "the worker applies every frame"
is "$(sqlite3 "$TS_DB" 'SELECT count(*) FROM raw_frames')" "$frames" "all $frames frames are stored"
kill "$sampler" 2>/dev/null
max=$(cat "$TS_DIR/wal.max" 2>/dev/null || echo 0)
[ "$max" -gt 0 ] && [ "$max" -lt "$BOUND" ]
ok $? "the WAL stays under 16 MiB (at most $max bytes)"
kill "$viewer" 2>/dev/null
done_testing
