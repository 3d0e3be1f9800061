#!/bin/sh
# The Windows client under Wine with folders whose names have spaces and
# letters beyond ASCII: a --state-dir given as a Windows path and as a unix
# one, and no --state-dir with LOCALAPPDATA in such a folder. The client id
# and the spool land there (looked at from Linux: Wine maps Z: to /), the
# recording is read from there, and the frames reach the server.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
plan 10

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_paths.XXXXXX")
cleanup() { stack_stop; rm -rf "$T"; }
trap cleanup EXIT
U="$T/Zoë Ålund"
mkdir -p "$U"
# a recording of 40 polls of a race, in the folder with the odd name
awk 'BEGIN {
	print "{\"format\":\"lmu-recording\",\"version\":1,\"created\":\"2026-03-09T12:00:00.000Z\"}"
	for (i = 0; i < 40; i++)
		printf "{\"t\":%d,\"responses\":{\"/rest/watch/sessionInfo\":{\"session\":\"RACE1\"," \
		    "\"currentEventTime\":%d.5,\"gamePhase\":5,\"trackName\":\"Test\"}," \
		    "\"/rest/sessions/GetGameState\":{\"MultiStintState\":\"DRIVING\"," \
		    "\"isReplayActive\":false},\"/rest/watch/standings\":[{\"slotID\":1," \
		    "\"lapsCompleted\":%d,\"finishStatus\":\"FSTAT_NONE\"}]}}\n", i, 100 + i, i / 10
}' > "$U/race 40.jsonl"
REC=$(winpath "$U/race 40.jsonl")

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT
frames_of() {	# STATE-FOLDER: frames the server stored from that client
	[ -s "$1/client-id" ] || { echo none; return; }
	sqlite3 "$TS_DB" "SELECT count(*), min(seq), max(seq) FROM raw_frames
	    WHERE client = '$(cat "$1/client-id")'"
}
replay() {	# win_client|win_client_env [NAME=VALUE] ARGS...: the recording, sent
	"$@" --server "$TS_URL" --token "$TS_TOKEN" --quiet --replay "$REC" --speed max
}

# 1. --state-dir as Windows writes it.
S1="$U/trackside state"
replay win_client --state-dir "$(winpath "$S1")" 2>"$T/c1.log"
ok $? "a replay with --state-dir Z:…/Zoë Ålund/trackside state (backslashes) ends"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/c1.log" | sed 's/^/# /'
[ -s "$S1/client-id" ] && [ -d "$S1/spool" ]
ok $? "the client id and the spool are in that folder"
wait_for 60 inbox_empty
is "$(frames_of "$S1")" "41|1|41" "its frames reach the server"

# 2. --state-dir as a unix path (Windows takes it on the current drive, Z:).
S2="$U/unix state"
replay win_client --state-dir "$S2" 2>"$T/c2.log"
ok $? "a replay with a unix --state-dir ends with every frame sent"
[ -s "$S2/client-id" ] && [ -d "$S2/spool" ]
ok $? "the client id and the spool are in that folder"
wait_for 60 inbox_empty
is "$(frames_of "$S2")" "41|1|41" "its frames reach the server"

# 3. No --state-dir: %LOCALAPPDATA%\Trackside.
L="$U/AppData/Local"
mkdir -p "$L"
replay win_client_env "LOCALAPPDATA=$(winpath "$L")" 2>"$T/c3.log"
ok $? "a replay without --state-dir, LOCALAPPDATA=Z:…/Zoë Ålund/AppData/Local, ends"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/c3.log" | sed 's/^/# /'
[ -s "$L/Trackside/client-id" ] && [ -d "$L/Trackside/spool" ]
ok $? "the client id and the spool are in the Trackside folder of LOCALAPPDATA"
[ "$_tap_failed" -eq 0 ] || find "$U" | sed 's/^/# /'
wait_for 60 inbox_empty
is "$(frames_of "$L/Trackside")" "41|1|41" "its frames reach the server"
is "$(sqlite3 "$TS_DB" 'SELECT count(DISTINCT client) FROM raw_frames')" 3 \
    "three folders, three clients"
done_testing
