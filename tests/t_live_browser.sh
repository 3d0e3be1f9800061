#!/bin/sh
# The live session page in headless Chromium (Debian's package) driven by
# playwright-core (installed from npm into the build tree when missing):
# standings and map change without a reload as frames arrive, a second
# page that joined while they came ends showing the same table, the same
# stream works over WebSocket, a hostile driver name stays text, the timing
# page remembers its columns, the sessions list shows the live session.
# Screenshots go to $top_builddir/tests/screenshots/.
# Without ../shared/data the race comes from the fake game.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/browser/setup.sh"
deps=$BROWSER_DEPS

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"
HOSTILE='<img src=x onerror=alert(1)>'
zcat "$REC_A" | sed "s/$REC_DRIVER/$HOSTILE/g" > "$TS_DIR/hostile.jsonl"
[ "$(wc -l < "$TS_DIR/hostile.jsonl")" -ge 300 ] || { echo "Bail out! $REC_A has too few polls"; exit 1; }
sed -n '1p;2,241p' "$TS_DIR/hostile.jsonl" > "$TS_DIR/part1.jsonl"
sed -n '1p;242,330p' "$TS_DIR/hostile.jsonl" > "$TS_DIR/part2.jsonl"
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c browserclient1 "$@"; }
post "$TS_DIR/part1.jsonl" >/dev/null 2>&1 || { echo "Bail out! upload failed"; exit 1; }
wait_for 60 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')

TS_URL=$TS_URL TS_SESSION=$id HOSTILE=$HOSTILE CHROMIUM=$CHROMIUM \
    SCREENSHOTS=$top_builddir/tests/screenshots \
    POST_MORE="'$top_builddir/tests/post-recording' -u '$TS_URL/api/v1/frames' -t '$TS_TOKEN' -c browserclient1 -s 241 -r 8 '$TS_DIR/part2.jsonl'" \
    NODE_PATH=$deps/node_modules node "$top_srcdir/tests/browser/live.js"
rc=$?
[ $rc -eq 0 ] || _tap_failed=1
exit $rc
