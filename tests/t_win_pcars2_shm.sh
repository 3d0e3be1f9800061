#!/bin/sh
# Automobilista 2 end to end through the `$pcars2$` shared memory, under
# Wine: the Windows fake game (trackside-fakegame.exe --shm) plays a
# practice, qualifying and race of 40 cars (more than UDP's 32) into the
# named mapping, as a newer AMS2 build does (20 704 bytes); the Windows
# client (--source pcars2-shm) reads consistent copies of it at 5 Hz and
# uploads to the whole stack. What the database holds is compared with the
# fake game's truth file (tests/pcars2_check.sh): every lap with its driver
# and time, the pit stops, the swaps, the best laps and the final order.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
. "$top_srcdir/tests/pcars2_check.sh"
need_wine
WFG=$WIN_BUILD/fakegame/trackside-fakegame.exe
if [ ! -f "$WFG" ]; then
	[ "${TRACKSIDE_REQUIRE_WINE:-0}" != 0 ] &&
	    { echo "Bail out! no $WFG (TRACKSIDE_REQUIRE_WINE is set)"; exit 1; }
	skip_all "no Windows fake game (make windows-fakegame)"
fi
plan 13

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_pcars2_shm.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT

# One $pcars2$ per Wine prefix: the tests that publish it take turns.
exec 8>"$WINEPREFIX.pcars2-shm.lock"
flock 8

win_client_bg "$T/client.log" --state-dir "$(winpath "$T/state")" --server "$TS_URL" \
    --token "$TS_TOKEN" --name ams2-shm --source pcars2-shm --log-level info
PIDS="$PIDS $CPID"
wait_for 60 grep -q 'no \$pcars2\$ shared memory' "$T/client.log"
ok $? "before the game runs the client says there is no \$pcars2\$ and waits" ||
    tail -n 5 "$T/client.log" | sed 's/^/# /'

"$WINE" "$WFG" --sim pcars2 --shm --shm-size 20704 --speed 2 --cars 40 --practice-minutes 1.5 \
    --qualify-minutes 1.5 --race-minutes 5 --track-length 1500 --seed 12 \
    --truth "$(winpath "$T/truth.json")" > "$T/fg.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 1200 test -s "$T/truth.json"
ok $? "the Windows fake game played its weekend into the shared memory" ||
    { tail -n 20 "$T/fg.log" "$T/client.log"; exit 1; }

is "$(sqlite3 "$TS_DB" "SELECT max(n) FROM (SELECT count(*) AS n FROM cars c JOIN sessions s ON
    s.id = c.session_id WHERE s.sim = 'pcars2' GROUP BY s.id)")" 40 \
    "the sessions hold all 40 cars, more than UDP carries"
p2_check "$T/truth.json" 1
kill -INT "$CPID"
wait "$CPID"
PIDS=${PIDS% $CPID}
diag "client: $(grep -o 'pcars2-shm: .*' "$T/client.log" | tail -n 1)"
done_testing
