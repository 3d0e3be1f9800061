#!/bin/sh
# The pit wall end to end: trackside-fakegame simulates a 10-minute Le Mans
# Ultimate race of 60 cars with pit stops, driver swaps, penalties and a
# full-course yellow; a trackside-client on a team car's game feeds the
# whole stack (nginx, FastCGI, ingestd, SQLite). What the pit wall shows is
# compared with the truth file the fake game wrote (tests/pitwall_check.sh):
# the race control log, drive time, charts and the team car's strategy.
# Every wait is for a condition.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pitwall_check.sh"
CLIENT=$top_builddir/trackside-client
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 18

T=$(mktemp -d "${TMPDIR:-/tmp}/t_pitwall_stack.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	if [ -n "${KEEP_TEST_DIR:-}" ]; then
		diag "files kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT

# Game time runs 5 times the wall clock (about 2.5 minutes for the race) and
# the client polls 6 times a wall second: 0.8 s of game time per poll, so
# that a driver swap is seen within a second of game time.
"$FG" --listen 0=car:auto1 --port-file "$T/fg.port" --sim --sessions R --race-minutes 10 \
    --track-length 2600 --cars 60 --seed 7 --speed 5 --truth "$T/truth.json" \
    > "$T/fg.log" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
wait_for 30 test -s "$T/fg.port"
_pw_ok $? "the fake game listens" || { sed 's/^/# /' "$T/fg.log"; exit 1; }
"$CLIENT" --state-dir "$T/c" --server "$TS_URL" --token "$TS_TOKEN" --quiet --name team \
    --game-port "$(cat "$T/fg.port")" --poll-interval 0.16 2>>"$T/client.log" &
CPID=$!
PIDS="$PIDS $CPID"
wait_for 600 test -s "$T/truth.json"
_pw_ok $? "the simulated race ran to its end and wrote its truth" ||
    { sed 's/^/# /' "$T/fg.log"; exit 1; }
# the results stay up: the client sees how the last cars finished
game_polled "http://127.0.0.1:$(cat "$T/fg.port")" 40
kill -TERM "$CPID"
wait "$CPID"
_pw_ok $? "the client stops cleanly" || tail -n 20 "$T/client.log" | sed 's/^/# /'
wait_for 120 inbox_empty
SID=$(api /api/v1/sessions | jq -r '.sessions[] | select(.type == "race1") | .id')
is "$(api "/api/v1/sessions/$SID" | jq '.standings | length')" 60 "one race session of 60 cars"
# what the race had, so that the checks check something
jq -r '.sessions[] | select(.type == "race") | [([.cars[].stops[]] | length),
    ([.cars[].stops[] | select(.swap)] | length), ([.cars[].penalties[]] | length),
    ([.cars[].penalties[] | select(.served_lap != null)] | length), (.fcy | length)] |
    "\(.[0]) stops, \(.[1]) swaps, \(.[2]) penalties (\(.[3]) served), \(.[4]) FCY"' \
    "$T/truth.json" > "$T/had"
jq -e '.sessions[] | select(.type == "race") | ([.cars[].stops[] | select(.swap)] | length) > 0
    and ([.cars[].stops[] | select(.penalty)] | length) > 0 and
    ([.cars[].penalties[] | select(.kind == "drive_through" and .served_lap != null)] | length) > 0
    and (.fcy | length) > 0' "$T/truth.json" > /dev/null
_pw_ok $? "the race has what a pit wall follows: $(cat "$T/had")"
# the team car: the client's player car
SLOT=$(sqlite3 "$TS_DB" "SELECT c.slot FROM cars c JOIN car_state s ON s.car_id = c.id WHERE
    c.session_id = '$SID' AND s.player = 1 LIMIT 1")
pw_check "$T/truth.json" "$SID" "$SLOT"
done_testing
