#!/bin/sh
# trackside-client --source pcars2 fed by a stand-in game (tests/p2_send)
# in both revisions: the packets a frame carries are the datagrams as sent,
# thinned as documented, unknown kinds never; every datagram is forwarded
# unchanged; a recording replays as the same frames and, with --replay-to,
# as the same datagrams; a replay uploads to a real stack.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
SEND=$top_builddir/tests/p2_send
plan 18

T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_pcars2_udp.XXXXXX")
PIDS=
cleanup() {
	stack_stop
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# hexes FRAMES: "TYPE HEX" of each packet of the frames, in order
hexes() {
	jq -r '.data.packets[]? | "\(.type) \(.raw)"' "$1" | while read -r ty r; do
		printf '%s ' "$ty"
		echo "$r" | base64 -d | od -An -v -tx1 | tr -d ' \n'
		echo
	done
}
# kept FRAMES: how many packets the frames hold
kept() { jq -s '[.[].data.packets | length] | add // 0' "$1"; }

"$SEND" listen "$T/fwd.port" "$T/fwd.out" & PIDS="$PIDS $!"
wait_for 10 test -s "$T/fwd.port"
FP=$(cat "$T/fwd.port")
: > "$T/fwd.out"

CP=$("$SEND" port)
"$CLIENT" --source pcars2 --print --state-dir "$T/st" --pcars2-listen "127.0.0.1:$CP" \
    --pcars2-forward "127.0.0.1:$FP" --record "$T/rec.jsonl.gz" \
    > "$T/frames.jsonl" 2> "$T/client.log" &
CPID=$!
PIDS="$PIDS $CPID"
wait_for 10 grep -q "listening on 127.0.0.1:$CP" "$T/client.log"
ok $? "the client listens on --pcars2-listen"

# 3 s of the later revision, 20 cars; 2 s of the early one, 32 cars; with
# packets of no kind the game sends
"$SEND" stream "127.0.0.1:$CP" -r later -z 60 -s 3 -c 20 -e 1 -u -l "$T/later.log" 2>/dev/null
"$SEND" stream "127.0.0.1:$CP" -r early -z 60 -s 2 -c 32 -e 1 -u -l "$T/early.log" 2>/dev/null
cat "$T/later.log" "$T/early.log" > "$T/sent.log"
awk '{ print $3 }' "$T/sent.log" > "$T/sent.hex"
awk '$2 == "keep" { print $3 }' "$T/sent.log" > "$T/keep.hex"
awk '$2 == "unknown" { print $3 }' "$T/sent.log" > "$T/unknown.hex"
NSENT=$(grep -c . "$T/sent.hex")
NKEEP=$(grep -c . "$T/keep.hex")
diag "$NSENT datagrams sent, $NKEEP to keep"

wait_for 20 sh -c "[ \$(grep -c '' '$T/fwd.out') -ge $NSENT ]"
check "--pcars2-forward passes every datagram on unchanged and in order, unknown ones too" \
    cmp -s "$T/sent.hex" "$T/fwd.out"

# wait for the frame of the last second, then stop the client
wait_for 20 sh -c "jq -r '.data.packets[].raw' '$T/frames.jsonl' | base64 -d 2>/dev/null |
    od -An -v -tx1 | tr -d ' \n' | grep -q '$(tail -n 1 "$T/keep.hex" | cut -c 1-40)' &&
    [ \$(jq -s '[.[].data.packets | length] | add // 0' '$T/frames.jsonl') -ge $NKEEP ]"
kill "$CPID"
wait "$CPID"
ok $? "the client stops cleanly"
hexes "$T/frames.jsonl" > "$T/kept.tx"
cut -d' ' -f2 "$T/kept.tx" > "$T/kept.hex"

# the kept datagrams are the sent ones, in order; every must-keep one is there
check "the packets are datagrams as sent, in arrival order" awk '
    NR == FNR { k[++n] = $0; next }
    i < n && $0 == k[i + 1] { i++ }
    END { exit i != n || n == 0 }' "$T/kept.hex" "$T/sent.hex"
is "$(grep -cxFf "$T/kept.hex" "$T/keep.hex")" "$NKEEP" \
    "every race, participants, vehicles, classes, game state, time stats packet is sent, \
and every timings with a change"
is "$(grep -cxFf "$T/unknown.hex" "$T/kept.hex")" 0 "no packet of an unknown kind is sent"
check "each packet's type is its datagram's byte 10" awk '{ h = "0123456789abcdef"
    v = (index(h, substr($2, 21, 1)) - 1) * 16 + index(h, substr($2, 22, 1)) - 1
    if (v != $1) bad = 1 } END { exit bad }' "$T/kept.tx"
check "telemetry: at most 2 a second (kept ones 500 ms apart, to the clock's ms)" jq -e -s '
    [.[].data.packets[] | select(.type == 0) | .at_ms] as $t |
    ($t | length) >= 4 and
    all(range(1; $t | length); $t[.] - $t[. - 1] >= 495)' "$T/frames.jsonl"
NTHIN=$(awk '$2 == "thin" && $1 == "timings" { print $3 }' "$T/sent.log" |
    grep -cxFf "$T/kept.hex")
# the seconds the packets spanned (5 unless the machine is loaded)
SPAN=$(jq -s '[.[].data.packets[].at_ms] | ((max - min) / 1000 | ceil)' "$T/frames.jsonl")
check "timings without a change: at most 5 a second ($NTHIN in $SPAN s)" \
    test "$NTHIN" -le $((5 * SPAN + 5))
check "every frame is source pcars2 with captured_at, packets with at_ms, and stats" \
    jq -e -s 'length >= 5 and all(.[]; .source == "pcars2" and
        (.captured_at | type) == "string" and
        (.data.stats.received | type) == "number" and
        all(.data.packets[]; (.at_ms | type) == "number" and .at_ms > 1.7e12))' "$T/frames.jsonl"
check "frames come at most once a second" sh -c "jq -r '.captured_at' '$T/frames.jsonl' |
    sed 's/.*T//; s/Z//' | awk -F: '{ t = \$1 * 3600 + \$2 * 60 + \$3; if (NR > 1 && t - p < 0.5) bad = 1; p = t }
    END { exit bad }'"
NUNK=$(grep -c . "$T/unknown.hex")
check "the client counts every datagram and the unknown ones" \
    grep -q "pcars2: $NSENT packets ($NUNK unknown," "$T/client.log"
check "the status line says the revision, grid, names, track and session" \
    grep -q "pcars2: .*early packets, 32 cars, 32 names, 32 vehicles, Brands Hatch Indy, race" \
    "$T/client.log"

# the recording replayed as frames gives the same packets
"$CLIENT" --source pcars2 --print --quiet --state-dir "$T/st" --replay "$T/rec.jsonl.gz" \
    --speed max > "$T/replay.jsonl" 2> "$T/replay.log"
ok $? "the recording replays"
hexes "$T/replay.jsonl" | cut -d' ' -f2 > "$T/replay.hex"
check "a replay of the recording sends the same packets as the live client" \
    cmp -s "$T/kept.hex" "$T/replay.hex"

# ... and as datagrams to another listener
"$SEND" listen "$T/to.port" "$T/to.out" & PIDS="$PIDS $!"
wait_for 10 test -s "$T/to.port"
"$CLIENT" --source pcars2 --quiet --state-dir "$T/st" --replay "$T/rec.jsonl.gz" \
    --replay-to "127.0.0.1:$(cat "$T/to.port")" --speed 10 2> "$T/replay-to.log"
wait_for 20 sh -c "[ \$(grep -c '' '$T/to.out') -ge $NSENT ]"
check "--replay-to sends every recorded datagram as it came" cmp -s "$T/sent.hex" "$T/to.out"

# nothing arrives: the status line says what to check in the game
P2=$("$SEND" port)
"$CLIENT" --source pcars2 --print --state-dir "$T/st" --pcars2-listen "127.0.0.1:$P2" \
    > /dev/null 2> "$T/none.log" &
NPID=$!
PIDS="$PIDS $NPID"
wait_for 10 grep -q "listening on" "$T/none.log"
kill "$NPID"
wait "$NPID"
check "no packets: the status line asks whether UDP and the protocol are set" grep -q \
    "no packets on port $P2 yet: is UDP on and the protocol \"Project CARS 2\" in the game?" \
    "$T/none.log"

# a replay uploads to a real stack: every frame stored, source pcars2
NFRAMES=$(grep -c . "$T/replay.jsonl")
if stack_start; then
	trap cleanup EXIT
	"$CLIENT" --source pcars2 --quiet --state-dir "$T/up" --server "$TS_URL" \
	    --token "$TS_TOKEN" --replay "$T/rec.jsonl.gz" --speed max 2> "$T/up.log"
	rc=$?
	wait_for 60 sh -c "[ \$(sqlite3 '$TS_DB' 'SELECT count(*) FROM raw_frames') -ge $NFRAMES ]"
	is "$rc $(sqlite3 "$TS_DB" "SELECT count(*), min(seq), max(seq) FROM raw_frames
	    WHERE source = 'pcars2'")" "0 $NFRAMES|1|$NFRAMES" \
	    "a replay uploads: the server stores every frame once, source pcars2"
else
	skip "the stack did not start"
fi
done_testing
