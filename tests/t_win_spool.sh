#!/bin/sh
# The Windows client's spool under Wine, in a whole stack (tests/lib.sh):
# the server stops in the middle of a replay, the frames go to the spool;
# the Windows process is killed hard (kill -9 of the exe's process); a new
# one is started on the same spool while the server is still away, and the
# server comes back: every frame of the recording arrives once, and the
# session is the one the Linux client makes from the same recording.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
CLIENT=$top_builddir/trackside-client
plan 9
TS_NGINX_ARGS=--no-rate-limit

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_spool.XXXXXX")
CPID=
cleanup() {
	[ -n "$CPID" ] && kill -9 "$CPID" 2>/dev/null && wait "$CPID" 2>/dev/null
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT
race_recordings "$T"
REC=$REC_B
# the replay lasts long enough for the server to go away in the middle: the
# real race B is 28 minutes, the fake game's (recorded at ten times) 40 s
if [ -n "$TRUTH" ]; then speed=100; else speed=8; fi
start() {	# stack_start sets its own EXIT trap: put ours back
	stack_start || { echo "Bail out! the stack did not start"; exit 1; }
	trap cleanup EXIT
}
one_session() { api /api/v1/sessions | jq -r '.sessions[] | select(.type == "race1") | .id'; }
laps_of() {
	api "/api/v1/sessions/$(one_session)/laps" | jq -r '.cars[] | .slot as $s | .laps[] |
	    "\($s) \(.lap) \(.time)"' | sort -n -k1,1 -k2,2
}
frames() { sqlite3 "$TS_DB" "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM raw_frames"; }
# the highest seq in the spool of state folder $1: the newest segment is
# named for its first seq and holds one record after another, each behind
# the magic "TSR1"
spooled_seq() {
	_f=$(ls "$1"/spool/*.spool 2>/dev/null | tail -n 1)
	[ -n "$_f" ] || { echo 0; return; }
	_first=$(basename "$_f" .spool | sed 's/^0*//')
	echo $(( ${_first:-0} + $(grep -ao TSR1 "$_f" | wc -l) - 1 ))
}
acked() { cat "$1/spool/acked" 2>/dev/null || echo 0; }

# The reference: the Linux client, a fresh stack, no outage.
start
"$CLIENT" --state-dir "$T/linux" --server "$TS_URL" --token "$TS_TOKEN" --quiet --name linux \
    --replay "$REC" --speed max 2>"$T/linux.log"
wait_for 300 inbox_empty
laps_of > "$T/laps.linux"
# N: the frames the recording makes (its polls in a session, and the left frame)
N=$(sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames")
stack_stop

# The Windows client; the server goes away once its first frames are in.
start
W=$T/win
win_client_bg "$T/win.log" --state-dir "$(winpath "$W")" --server "$TS_URL" \
    --token "$TS_TOKEN" --quiet --name windows --replay "$(winpath "$REC")" --speed "$speed" \
    --log-level info
stored() { [ "$(sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames")" -gt 0 ]; }
wait_for 120 stored
stack_stop_service fcgi
stack_stop_service ingestd KILL
# the rest of the recording, and the last frame (the session left), go to the spool
all_spooled() { [ "$(spooled_seq "$W")" -ge "$N" ]; }
wait_for 300 all_spooled
ok $? "with the server away the whole recording goes to the spool ($N frames, as the Linux client's)"
pending=$(( $(spooled_seq "$W") - $(acked "$W") ))
[ "$pending" -gt 0 ] && grep -q "frames kept, retrying" "$T/win.log"
ok $? "the client keeps $pending frames and says it retries"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/win.log" | sed 's/^/# /'
kill -9 "$CPID"
wait "$CPID" 2>/dev/null
is $? 137 "the Windows process is killed hard (SIGKILL), in the middle of its retries"
CPID=
# A new process on the same spool, the server still away; then it comes back.
win_client_bg "$T/win2.log" --state-dir "$(winpath "$W")" --server "$TS_URL" \
    --token "$TS_TOKEN" --quiet --name windows --flush --log-level info
wait_for 60 grep -q "frames kept, retrying" "$T/win2.log"
ok $? "the restarted client finds the kept frames and waits for the server"
stack_start_service fcgi
stack_start_service ingestd
wait "$CPID"
ok $? "once the server is back the restarted client sends them and ends"
CPID=
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/win2.log" | sed 's/^/# /'
wait_for 300 inbox_empty
ok $? "the worker applies every frame"
is "$(frames)" "$N|$N|1|$N" "every frame of the recording arrived once: seq 1..$N, none twice"
is "$(acked "$W")" "$N" "the spool holds nothing more: the server acknowledged seq $N"
laps_of > "$T/laps.win"
[ -s "$T/laps.linux" ] && cmp -s "$T/laps.linux" "$T/laps.win"
ok $? "the session's laps are those of the Linux client without an outage"
[ "$_tap_failed" -eq 0 ] || diff "$T/laps.linux" "$T/laps.win" | head -20 | sed 's/^/# /'
done_testing
