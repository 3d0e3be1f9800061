#!/bin/sh
# The Windows client under Wine replays a race into a whole stack
# (tests/lib.sh); the Linux client replays the same recording into a second,
# fresh stack: the two sessions are the same (laps, drivers, final
# standings, results), and the recording's truth. Without ../shared/data the
# race is recorded from the fake game (no truth then).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
CLIENT=$top_builddir/trackside-client
plan 9

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_replay.XXXXXX")
cleanup() { stack_stop; rm -rf "$T"; }
trap cleanup EXIT
race_recordings "$T"
start() {	# stack_start sets its own EXIT trap: put ours back
	stack_start || { echo "Bail out! the stack did not start"; exit 1; }
	trap cleanup EXIT
}
one_session() { api /api/v1/sessions | jq -r '.sessions[] | select(.type == "race1") | .id'; }
# what is compared: laps, drivers (entries), final standings, results
session_dump() {	# DIR
	_s=$(one_session)
	api "/api/v1/sessions/$_s/laps" | jq -r '.cars[] | .slot as $s | .laps[] |
	    "\($s) \(.lap) \(.time)"' | sort -n -k1,1 -k2,2 > "$1/laps"
	api "/api/v1/sessions/$_s/entries" | jq -S 'del(.session_id, .id)' > "$1/entries"
	api "/api/v1/sessions/$_s" | jq -c '.standings[] | [.slot, .laps, .position, .status,
	    .best_lap]' > "$1/standings"
	curl -fsS "$TS_URL/sessions/$_s/results.csv" > "$1/results"
	api /api/v1/sessions | jq -r '[.sessions[] | select(.type == "race1")] | length' > "$1/n"
	sqlite3 "$TS_DB" "SELECT count(*), min(seq), max(seq) FROM raw_frames" > "$1/frames"
}
truth() {	# DIR
	if [ -n "$TRUTH" ]; then
		"$top_builddir/tests/truth-check" "$TS_DB" "$TRUTH" > "$1/truth"
		ok $? "$2 makes the session of the recording's truth (laps, pits, positions, chat)"
		diag "$(cat "$1/truth")"
	else
		skip_data "$2 makes the truth's session"
	fi
}

# 1. The Windows client.
mkdir -p "$T/win" "$T/linux"
start
started=$(date +%s)
win_client --state-dir "$(winpath "$T/win/state")" --server "$TS_URL" --token "$TS_TOKEN" \
    --quiet --name windows --replay "$(winpath "$REC_A")" --speed max 2>"$T/win.log"
ok $? "the Windows client replays the whole recording at full speed"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/win.log" | sed 's/^/# /'
diag "Windows replay: $(( $(date +%s) - started )) s"
wait_for 300 inbox_empty
ok $? "the worker applies every frame"
session_dump "$T/win"
truth "$T/win" "the Windows client"
stack_stop

# 2. The Linux client, the same recording, a fresh stack.
start
"$CLIENT" --state-dir "$T/linux/state" --server "$TS_URL" --token "$TS_TOKEN" --quiet \
    --name linux --replay "$REC_A" --speed max 2>"$T/linux.log"
wait_for 300 inbox_empty
session_dump "$T/linux"
stack_stop

is "$(cat "$T/win/n")" 1 "the Windows client's frames make one race session"
is "$(cat "$T/win/frames")" "$(cat "$T/linux/frames")" \
    "the Windows client sent as many frames as the Linux client, seq from 1, once each"
[ -s "$T/linux/laps" ] && cmp -s "$T/linux/laps" "$T/win/laps"
ok $? "its laps are those of the Linux client ($(wc -l < "$T/linux/laps" | tr -d ' ') laps)"
[ "$_tap_failed" -eq 0 ] || diff "$T/linux/laps" "$T/win/laps" | head -20 | sed 's/^/# /'
[ -s "$T/linux/entries" ] && cmp -s "$T/linux/entries" "$T/win/entries"
ok $? "its drivers and cars are those of the Linux client"
[ -s "$T/linux/standings" ] && cmp -s "$T/linux/standings" "$T/win/standings"
ok $? "its final standings are those of the Linux client"
[ -s "$T/linux/results" ] && cmp -s "$T/linux/results" "$T/win/results"
ok $? "its results are those of the Linux client"
[ "$_tap_failed" -eq 0 ] || diff "$T/linux/results" "$T/win/results" | head -20 | sed 's/^/# /'
done_testing
