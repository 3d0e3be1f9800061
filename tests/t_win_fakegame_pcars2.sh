#!/bin/sh
# The Windows fake game under Wine (fakegame/trackside-fakegame.exe) plays
# Automobilista 2 into the $pcars2$ shared memory, read back by a small
# Windows reader (fakegame/p2_listen.exe, tests/p2_listen.c): the mapping
# exists, holds version 14 with its AMS2 part, is rewritten with an even
# mSequenceNumber once whole, carries more cars than UDP can, a newer
# build's extra bytes with --shm-size 20704, and the laps it shows are the
# truth file's.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
WFG=$WIN_BUILD/fakegame/trackside-fakegame.exe
WPL=$WIN_BUILD/fakegame/p2_listen.exe
if [ ! -f "$WFG" ] || [ ! -f "$WPL" ]; then
	[ "${TRACKSIDE_REQUIRE_WINE:-0}" != 0 ] &&
	    { echo "Bail out! no $WFG (TRACKSIDE_REQUIRE_WINE is set)"; exit 1; }
	skip_all "no Windows fake game (make windows-fakegame)"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_fakegame_pcars2.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# One $pcars2$ per Wine prefix: the tests that publish it take turns (on
# this lock), and one that finds it published by something else skips.
exec 8>"$WINEPREFIX.pcars2-shm.lock"
flock 8
"$WINE" "$WPL" --shm --out "$(winpath "$T/none.jsonl")" --polls 1 --timeout 3 2> "$T/none.log"
r=$?
[ "$r" -eq 0 ] && skip_all "another program in this Wine prefix publishes \$pcars2\$ now"
plan 13
is "$r:$(grep -c 'no \$pcars2\$ mapping' "$T/none.log")" "1:1" "without the game there is no mapping"

"$WINE" "$WFG" --sim pcars2 --shm --shm-size 20704 --speed 40 --cars 40 --practice-minutes 1 \
    --qualify-minutes 1 --race-minutes 2 --track-length 2400 --seed 6 \
    --truth "$(winpath "$T/truth.json")" > "$T/fg.log" 2>&1 &
PIDS="$PIDS $!"
"$WINE" "$WPL" --shm --out "$(winpath "$T/shm.jsonl")" --until "$(winpath "$T/truth.json")" \
    --timeout 600 2> "$T/pl.log"
ok $? "the reader read the mapping until the weekend was over" ||
    { cat "$T/fg.log" "$T/pl.log"; exit 1; }
check "the weekend played to the truth file" test -s "$T/truth.json"
n=$(wc -l < "$T/shm.jsonl" | tr -d ' ')
check "the block was rewritten again and again ($n copies)" [ "$n" -gt 100 ]

S() { tr -d '\r' < "$T/shm.jsonl" | jq -c "$1"; }
is "$(S 'select(.bad)' | wc -l | tr -d ' ')" 0 "every copy decodes as a block"
is "$(S '[.version, .ams2]' | sort -u)" "[14,1]" "version 14 with the AMS2 fields"
is "$(S '.seq % 2' | sort -u):$(S '.seq' | jq -s '. == (sort | unique)')" "0:true" \
    "each copy has an even sequence, ever higher"
is "$(S 'select(.game == 2) | .extra > 0' | sort -u)" "true" \
    "--shm-size 20704: a newer build's field after version 14's end"
is "$(S 'select(.game == 2) | .num' | sort -u)" 40 "40 cars: more than UDP's 32"
is "$(S 'select(.game == 2) | [.cars[][1]] | sort == [range(1; 41)]' | sort -u)" "true" \
    "the positions of every copy are 1 to 40"
# a second game cannot publish the same block
timeout -k 5 60 "$WINE" "$WFG" --sim pcars2 --shm > "$T/fg2.log" 2>&1
is "$?:$(grep -c 'exists already' "$T/fg2.log")" "1:1" "a second game refuses the mapping the first made"
is "$(S '.session' | uniq | tr '\n' ' ' | grep -o '1 .*3 .*5' | head -1 | cut -c1)" "1" \
    "the copies go through practice, qualifying and race"

# each car's last lap in the block is a lap of the truth: session, index,
# laps completed, time
S 'select(.game == 2) | ({"1": 0, "3": 1, "5": 2}[.session | tostring]) as $s |
    .cars | to_entries[] | select(.value[2] > 0 and .value[3] > 0) |
    "\($s) \(.key) \(.value[2]) \(.value[3])"' | tr -d '"' | sort -u > "$T/laps.shm"
jq -r '.sessions[] | .index as $s | .laps[] | "\($s) \(.index) \(.lap) \(.time_ms)"' \
    "$T/truth.json" | sort -u > "$T/laps.truth"
n=$(wc -l < "$T/laps.shm" | tr -d ' ')
is "$(comm -23 "$T/laps.shm" "$T/laps.truth" | wc -l | tr -d ' '):$([ "$n" -gt 40 ] && echo many)" \
    "0:many" "the last laps the block shows ($n) are the truth's laps"
done_testing
