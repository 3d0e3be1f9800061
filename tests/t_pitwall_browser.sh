#!/bin/sh
# The pit wall in headless Chromium, live: a race is uploaded up to before a
# pit stop, then the rest arrives while the session page's race control
# ticker, the race control log, the race charts and the strategy page of the
# recording client's car are open; each of them must change without a
# reload (the stop and its lap in the log, new points in the charts, the
# strategy's laps and stint). Then every page at 1440×900 and 390×844, in
# the light and the dark theme, no wider than the window. Screenshots go to
# $top_builddir/tests/screenshots/pitwall-*.png.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/browser/setup.sh"

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"
zcat "$REC_A" > "$TS_DIR/race.jsonl"
[ "$(wc -l < "$TS_DIR/race.jsonl")" -ge 400 ] || { echo "Bail out! $REC_A has too few polls"; exit 1; }
# with the recordings: up to just before the recording car's first stop (ET 1813.6)
if [ -n "$TRUTH" ]; then first=1750; more=200; else first=$((REC_POLLS / 2)); more=150; fi
sed -n "1p;2,${first}p" "$TS_DIR/race.jsonl" > "$TS_DIR/part1.jsonl"
sed -n "1p;$((first + 1)),$((first + more))p" "$TS_DIR/race.jsonl" > "$TS_DIR/part2.jsonl"
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c pitwall1 "$@"; }
post "$TS_DIR/part1.jsonl" >/dev/null 2>&1 || { echo "Bail out! upload failed"; exit 1; }
wait_for 120 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')
car=$(sqlite3 "$TS_DB" "SELECT car_id FROM car_state WHERE session_id = '$id' AND player = 1 LIMIT 1")
[ -n "$car" ] || { echo "Bail out! no car of the recording client in $id"; exit 1; }

TS_URL=$TS_URL TS_SESSION=$id TS_CAR=$car CHROMIUM=$CHROMIUM HAVE_TRUTH=${TRUTH:+1} \
    SCREENSHOTS=$top_builddir/tests/screenshots \
    POST_MORE="'$top_builddir/tests/post-recording' -u '$TS_URL/api/v1/frames' -t '$TS_TOKEN' -c pitwall1 -s $first -r 10 '$TS_DIR/part2.jsonl'" \
    NODE_PATH=$BROWSER_DEPS/node_modules timeout 600 node "$top_srcdir/tests/browser/pitwall.js"
rc=$?
[ $rc -eq 0 ] || _tap_failed=1
exit $rc
