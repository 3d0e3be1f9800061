#!/bin/sh
# Big grids through the whole stack: frames of 17, 60, 104 (LMU's maximum)
# and 1 000 cars uploaded through nginx are applied by trackside-ingestd,
# which keeps running, and each session shows every car with its own
# vehicle.
. "$top_srcdir/tests/lib.sh"
plan 10

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
for n in 17 60 104 1000; do
	"$top_builddir/tests/grid-recording" "$n" 4 > "$TS_DIR/grid-$n.jsonl" &&
	"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
	    -c "grid-client-$n" -b 2 "$TS_DIR/grid-$n.jsonl" >> "$TS_DIR/logs/post.log" 2>&1 ||
	    diag "the $n-car frames were not uploaded"
done
check "the worker applies every frame" wait_for 300 inbox_empty
check "trackside-ingestd still runs" kill -0 "$(cat "$TS_DIR/run/ingestd.pid")"
is "$(sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames WHERE client LIKE 'grid-client-%'")" 16 \
    "all 16 frames are applied"
for n in 17 60 104 1000; do
	id=$(sqlite3 "$TS_DB" "SELECT id FROM sessions WHERE server = 'Grid $n'")
	s=$(api "/api/v1/sessions/$id")
	is "$(printf '%s' "$s" | jq '.standings | length')" "$n" "the $n-car session shows every car"
done
s=$(api "/api/v1/sessions/$(sqlite3 "$TS_DB" "SELECT id FROM sessions WHERE server = 'Grid 1000'")")
is "$(printf '%s' "$s" | jq '[.standings[] | select(.vehicle != "Grid car \(.slot)")] | length')" 0 \
    "every car of the 1000-car grid has its own vehicle"
is "$(printf '%s' "$s" | jq -r '[.standings[].slot] | unique | length')" 1000 "each in its own slot"
is "$(grep -c 'error' "$TS_DIR/logs/ingestd.log")" 0 "the worker logs no error"
done_testing
