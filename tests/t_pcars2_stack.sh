#!/bin/sh
# Automobilista 2 end to end over UDP: trackside-fakegame --sim pcars2 plays
# a practice, qualifying and race of 20 cars as the game's "Project CARS 2"
# UDP, to the games of two team cars, each heard by its own
# trackside-client, which upload to the whole stack (nginx, FastCGI,
# ingestd, SQLite). What the database holds is compared with the truth file
# the fake game wrote (tests/pcars2_check.sh): one session per simulated
# session, the two clients merged into it, every lap with its driver and
# time, every pit stop, every driver swap, qualifying's best laps and the
# race's final order with the finish states.
# P2_REV=early (t_pcars2_stack_early.sh) plays the early packet revision.
# Every wait is for a condition.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pcars2_check.sh"
CLIENT=$top_builddir/trackside-client
FG=$top_builddir/trackside-fakegame
REV=${P2_REV:-later}
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 12

T=$(mktemp -d "${TMPDIR:-/tmp}/t_pcars2_stack.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT

P1=$(_free_port)
P2=$(_free_port)
n=0
for p in "$P1" "$P2"; do
	n=$((n + 1))
	tok=$("$top_builddir/trackside" -c "$TS_DIR/trackside.conf" client add "ams2-$n" 2>/dev/null)
	"$CLIENT" --state-dir "$T/c$n" --server "$TS_URL" --token "$tok" --quiet --name "ams2-$n" \
	    --source pcars2 --pcars2-listen "127.0.0.1:$p" 2>>"$T/client$n.log" &
	PIDS="$PIDS $!"
done
wait_for 30 sh -c "ss -Hlun 'sport = :$P1' | grep -q . && ss -Hlun 'sport = :$P2' | grep -q ."
ok $? "two clients listen where their games send (UDP $P1 and $P2)" ||
    { cat "$T"/client*.log; exit 1; }

timeout -k 10 1200 "$FG" --sim pcars2 --pcars2-send "127.0.0.1:$P1" --pcars2-send "127.0.0.1:$P2" \
    --pcars2-rev "$REV" --truth "$T/truth.json" --practice-minutes 1.5 --qualify-minutes 1.5 \
    --race-minutes 5 --track-length 1500 --cars 20 --seed 11 --speed 2 >"$T/fg.log" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
wait_for 1200 test -s "$T/truth.json"
ok $? "the simulated game played its weekend ($REV packets) to the truth file" ||
    { cat "$T/fg.log"; exit 1; }

p2_check "$T/truth.json" 2
done_testing
