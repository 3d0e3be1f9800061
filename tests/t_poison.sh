#!/bin/sh
# A frame the worker cannot apply never stops ingestion: it is set aside
# (kept in inbox/rejected/, counted, logged with its client and seq, listed
# by "trackside inbox set-aside") and the frames after it are applied. A
# frame that fails to apply is found inside its batch; a frame that crashes
# trackside-ingestd twice in a row is set aside at the next start, while a
# run that was only killed (kill -9) applies it again. The faults come from
# tests/trackside-ingestd-faults (TS_FAULT, never installed).
. "$top_srcdir/tests/lib.sh"
need_data
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz
plan 15

TS_INGESTD=$top_builddir/tests/trackside-ingestd-faults
TS_FAULT=fail:5
export TS_FAULT
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
ts() { "$top_builddir/trackside" -c "$TS_DIR/trackside.conf" "$@"; }
q() { sqlite3 "$TS_DB" "$1"; }
aside() { ls "$TS_INBOX/rejected" 2>/dev/null | wc -l; }
post() { "$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" "$@" "$REC" \
    >> "$TS_DIR/logs/post.log" 2>&1; }

# 1. A frame that fails to apply, in the middle of a batch.
post -c poison-fail -b 10 -n 30
ok $? "30 frames are uploaded"
check "the worker gets through them" wait_for 120 inbox_empty
is "$(q "SELECT count(*) FROM raw_frames WHERE client = 'poison-fail'")" 29 \
    "every frame but the failing one is applied"
is "$(q "SELECT group_concat(seq) FROM raw_frames WHERE client = 'poison-fail' AND seq BETWEEN 4 AND 6")" \
    "4,6" "the frames around it are applied"
is "$(aside)" 1 "the failing frame is kept in rejected/"
grep -q "frame poison-fail/5 cannot be applied: set aside" "$TS_DIR/logs/ingestd.log"
ok $? "the log names its client and seq"
is "$(ts inbox set-aside | awk '{print $2 "/" $3}')" "poison-fail/5" "trackside inbox set-aside lists it"
ts inbox 2>&1 >/dev/null | grep -q "1 frame set aside"
ok $? "trackside inbox says a frame is set aside"
is "$(q "SELECT value FROM ingest_counters WHERE name = 'set_aside'")" 1 "it is counted"

# 2. A frame that crashes the worker: restarted as systemd would, it is set
# aside after the second crash and the rest goes on.
stack_stop_service ingestd
TS_FAULT=crash:40 stack_start_service ingestd
post -c poison-crash -b 20 -n 60
crashes=0
deadline=$(( $(date +%s) + 180 ))
while [ "$(date +%s)" -lt "$deadline" ] && ! inbox_empty; do
	if ! kill -0 "$(cat "$TS_DIR/run/ingestd.pid")" 2>/dev/null; then
		crashes=$((crashes + 1))
		[ "$crashes" -gt 5 ] && break
		TS_FAULT=crash:40 stack_start_service ingestd
	fi
	sleep 0.2
done
is "$crashes" 2 "the worker crashed twice on the frame, then set it aside"
is "$(q "SELECT count(*) FROM raw_frames WHERE client = 'poison-crash'")" 59 "every other frame is applied"
grep -q "frame poison-crash/40 crashed the worker twice: set aside" "$TS_DIR/logs/ingestd.log"
ok $? "the log says why"

# 3. The in-flight note after a kill -9: applied again; after a crash: a strike.
stack_stop_service ingestd
unset TS_FAULT
note() {
	seg=$(ls "$TS_INBOX/seg" | tail -n 1)
	off=$(q "SELECT offset FROM inbox_pos WHERE segment = '$seg'")
	post -c "$1" -b 1 -n 1
	printf 'TSF1 %s 1 %s 1 %s %s\n' "$2" "${off:-0}" "$seg" "$1" > "$TS_INBOX/inflight"
	stack_start_service ingestd
	wait_for 60 inbox_empty
}
note killed-run A
is "$(q "SELECT count(*) FROM raw_frames WHERE client = 'killed-run'")" 1 \
    "a frame in flight when the worker was killed (after one crash) is applied again"
stack_stop_service ingestd
note crashed-run C
is "$(q "SELECT count(*) FROM raw_frames WHERE client = 'crashed-run'")" 0 \
    "a frame in flight in a second crash in a row is not applied"
is "$(aside)" 3 "it is set aside"
done_testing
