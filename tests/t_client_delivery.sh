#!/bin/sh
# trackside-client against a stand-in upload endpoint (client/trackside-sink):
# every frame arrives once and in order through outages, 503s, refusals and
# restarts of the client.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
SINK=$top_builddir/client/trackside-sink
[ -x "$SINK" ] || skip_all "trackside-sink not built (no libmicrohttpd)"
plan 13

T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_upload.XXXXXX")
SINKPID=
CPID=
cleanup() {
	[ -n "$SINKPID" ] && kill "$SINKPID" 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# A recording of N polls of a session, game time advancing with t.
mkrec() {
	awk -v n="$1" 'BEGIN {
		print "{\"format\":\"lmu-recording\",\"version\":1,\"created\":\"2026-03-09T12:00:00.000Z\"}"
		for (i = 0; i < n; i++)
			printf "{\"t\":%d,\"responses\":{\"/rest/watch/sessionInfo\":{\"session\":\"RACE1\"," \
			    "\"currentEventTime\":%d.5,\"gamePhase\":5,\"trackName\":\"Test\"}," \
			    "\"/rest/sessions/GetGameState\":{\"MultiStintState\":\"DRIVING\"," \
			    "\"isReplayActive\":false},\"/rest/watch/standings\":[{\"slotID\":1," \
			    "\"lapsCompleted\":%d,\"finishStatus\":\"FSTAT_NONE\"}]}}\n", i, 100 + i, i / 90
	}' > "$2"
}
mkrec 300 "$T/rec300.jsonl"
mkrec 40 "$T/rec40.jsonl"

sink_start() {	# [PORT]
	rm -f "$T/sink.port"
	"$SINK" --out "$T/frames.jsonl" --port-file "$T/sink.port" --port "${1:-0}" \
	    >>"$T/sink.log" 2>&1 &
	SINKPID=$!
	wait_for 10 test -s "$T/sink.port"
	SPORT=$(cat "$T/sink.port")
}
sink_stop() { kill "$SINKPID"; wait "$SINKPID" 2>/dev/null; SINKPID=; }
client() {	# STATE-DIR ARGS...
	_st=$1
	shift
	"$CLIENT" --state-dir "$_st" --server "http://127.0.0.1:$SPORT" --token test-token \
	    --quiet "$@"
}
client_bg() {	# STATE-DIR LOG ARGS...: in the background, CPID set
	_st=$1
	_log=$2
	shift 2
	"$CLIENT" --state-dir "$_st" --server "http://127.0.0.1:$SPORT" --token test-token \
	    --quiet "$@" 2>"$_log" &
	CPID=$!
}
# seqs of client id $1 in the frames file, one a line
seqs() { jq -r --arg id "$1" 'select(.client.id == $id) | .seq' "$T/frames.jsonl"; }
id_of() { cat "$1/client-id"; }
# whether the seqs of $1 are exactly 1..$2, in order
complete() { [ "$(seqs "$1" | tr '\n' ' ')" = "$(seq 1 "$2" | tr '\n' ' ')" ]; }

sink_start
client "$T/a" --replay "$T/rec300.jsonl" --speed max 2>"$T/a.log"
ok $? "a replay at full speed ends once the server has every frame"
complete "$(id_of "$T/a")" 301
ok $? "every poll and the final left frame arrive once, in order (seq 1..301)"
is "$(jq -c 'select(.seq == 301) | .data["/rest/watch/sessionInfo"]' "$T/frames.jsonl")" null \
    "the last frame says the session was left"

# The server goes away in the middle of a replay and comes back.
client_bg "$T/b" "$T/b.log" --replay "$T/rec300.jsonl" --speed 100
sleep 1
sink_stop
sleep 3
sink_start "$SPORT"
wait_for 60 sh -c "! kill -0 $CPID 2>/dev/null"
wait "$CPID"
ok $? "the client rides out a server outage and finishes"
CPID=
complete "$(id_of "$T/b")" 301
ok $? "after the outage every frame arrived once, in order"
grep -q "frames kept, retrying" "$T/b.log"
ok $? "the outage is logged with the frames kept"

# 503 for a while: the frames wait in the spool.
curl -fsS "127.0.0.1:$SPORT/sink/fail?status=503" >/dev/null
client_bg "$T/c" "$T/c.log" --replay "$T/rec40.jsonl" --speed max
sleep 2
is "$(seqs "$(id_of "$T/c")" | wc -l)" 0 "nothing is taken while the server answers 503"
curl -fsS "127.0.0.1:$SPORT/sink/fail?status=0" >/dev/null
wait_for 60 sh -c "! kill -0 $CPID 2>/dev/null"
CPID=
complete "$(id_of "$T/c")" 41
ok $? "once the server recovers the kept frames go, in order"

# A frame the server refuses is set aside with the server's message.
curl -fsS "127.0.0.1:$SPORT/sink/reject?seq=5" >/dev/null
client "$T/d" --replay "$T/rec40.jsonl" --speed max 2>"$T/d.log"
curl -fsS "127.0.0.1:$SPORT/sink/reject?seq=0" >/dev/null
is "$(seqs "$(id_of "$T/d")" | tr '\n' ' ')" "$(seq 1 41 | grep -vx 5 | tr '\n' ' ')" \
    "a refused frame (400) is not retried forever; the others arrive"
grep -q "refused by this test" "$T/d/spool/rejected/00000000000000000005.txt" &&
    grep -q "server refused frame 5: HTTP 400.*refused by this test" "$T/d.log"
ok $? "it is set aside in rejected/ and logged with the server's message"

# The spool survives a restart of the client.
sink_stop
client_bg "$T/e" "$T/e.log" --replay "$T/rec40.jsonl" --speed max --log-level info
wait_for 20 grep -q "end of the recording" "$T/e.log"
sleep 0.5
kill -TERM "$CPID"
wait "$CPID"
CPID=
grep -q "41 frames stay in the spool" "$T/e.log"
ok $? "a client stopped while the server is away keeps its frames"
[ "$_tap_failed" -eq 0 ] || sed 's/^/# /' "$T/e.log"
sink_start "$SPORT"
client "$T/e" --flush 2>>"$T/e.log"
complete "$(id_of "$T/e")" 41
ok $? "the next run sends the spooled frames, once, in order"
client "$T/e" --replay "$T/rec40.jsonl" --speed max 2>>"$T/e.log"
complete "$(id_of "$T/e")" 82
ok $? "seq numbers go on after a restart"
done_testing
