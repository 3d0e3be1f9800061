#!/bin/sh
# The admin area in headless Chromium (Debian's package) driven by
# playwright-core, over a whole stack with a live session fed from a
# recording: signing in, known drivers marked on the live page and the entry
# list, a client token made, used and revoked, a session renamed, a webhook
# added and removed, the audit log, markup in admin fields, forms from other
# origins, sign-out, and screenshots of every admin page into
# $top_builddir/tests/screenshots/.
# Without ../shared/data the race comes from the fake game.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/browser/setup.sh"
deps=$BROWSER_DEPS

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
race_recordings "$TS_DIR"
zcat "$REC_A" | sed -n '1,241p' > "$TS_DIR/part1.jsonl"
zcat "$REC_A" | sed -n '1p;242,243p' > "$TS_DIR/more.jsonl"
[ "$(wc -l < "$TS_DIR/more.jsonl")" -eq 3 ] || { echo "Bail out! $REC_A has too few polls"; exit 1; }
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" -c browserclient1 \
    "$TS_DIR/part1.jsonl" >/dev/null 2>&1 || { echo "Bail out! upload failed"; exit 1; }
wait_for 60 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')
PW='pit lane 60 km/h'
printf '%s\n' "$PW" | "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" admin add marshal >/dev/null 2>&1 ||
    { echo "Bail out! trackside admin add failed"; exit 1; }

TS_URL=$TS_URL TS_SESSION=$id ADMIN_NAME=marshal ADMIN_PASSWORD=$PW CHROMIUM=$CHROMIUM \
    POST_RECORDING=$top_builddir/tests/post-recording UPLOAD_FILE=$TS_DIR/more.jsonl \
    SCREENSHOTS=$top_builddir/tests/screenshots \
    NODE_PATH=$deps/node_modules node "$top_srcdir/tests/browser/admin.js"
rc=$?
[ $rc -eq 0 ] || _tap_failed=1
exit $rc
