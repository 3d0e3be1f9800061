#!/bin/sh
# The Windows client under Wine and Automobilista 2 / Project CARS 2:
# --source pcars2 receives the game's UDP packets (tests/p2_send, a Linux
# program, on a loopback port) and uploads them to a whole stack
# (tests/lib.sh), byte for byte; --source pcars2-shm without the game says
# the shared memory is not there and keeps looking.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
SEND=$top_builddir/tests/p2_send
plan 6

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_pcars2.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT

# 1. UDP into a stack.
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT
CP=$("$SEND" port)
win_client_bg "$T/client.log" --source pcars2 --state-dir "$(winpath "$T/state")" \
    --server "$TS_URL" --token "$TS_TOKEN" --name windows --pcars2-listen "127.0.0.1:$CP" \
    --log-level info
PIDS="$PIDS $CPID"
wait_for 60 grep -q "listening on 127.0.0.1:$CP" "$T/client.log"
ok $? "the Windows client listens for the game's packets"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/client.log" | sed 's/^/# /'

"$SEND" stream "127.0.0.1:$CP" -r later -z 60 -s 3 -c 16 -e 1 -u -l "$T/sent.log" 2>/dev/null
awk '$2 == "keep" { print $3 }' "$T/sent.log" > "$T/keep.hex"
awk '$2 == "unknown" { print $3 }' "$T/sent.log" > "$T/unknown.hex"
awk '{ print $3 }' "$T/sent.log" > "$T/sent.hex"
NKEEP=$(grep -c . "$T/keep.hex")
# stored: every frame's packets, as hex
stored() {
	sqlite3 "$TS_DB" "SELECT hex(body) FROM raw_frames WHERE source = 'pcars2' ORDER BY seq" |
	    while read -r h; do echo "$h" | xxd -r -p | gunzip -c; echo; done |
	    jq -r '.data.packets[]?.raw' | while read -r r; do
		echo "$r" | base64 -d | od -An -v -tx1 | tr -d ' \n'
		echo
	done > "$T/stored.hex"
	[ "$(grep -cxFf "$T/stored.hex" "$T/keep.hex")" -eq "$NKEEP" ]
}
wait_for 60 stored
ok $? "every packet the server needs arrives: the stack stores it as sent ($NKEEP packets)"
is "$(grep -cxFf "$T/unknown.hex" "$T/stored.hex")" 0 "no packet of an unknown kind is sent"
check "the stored packets are datagrams as sent, in order" awk '
    NR == FNR { k[++n] = $0; next }
    i < n && $0 == k[i + 1] { i++ }
    END { exit i != n || n == 0 }' "$T/stored.hex" "$T/sent.hex"
kill -INT "$CPID"
wait "$CPID"
ok $? "Ctrl-C stops the Windows client with status 0"
PIDS=${PIDS% $CPID}

# 2. Shared memory without the game.
win_client_bg "$T/shm.log" --source pcars2-shm --print --state-dir "$(winpath "$T/state2")" \
    > "$T/shm.out"
PIDS="$PIDS $CPID"
wait_for 60 grep -q 'looking for \$pcars2\$' "$T/shm.log"
wait_for 10 grep -q 'no \$pcars2\$ shared memory\|reading \$pcars2\$' "$T/shm.log"
kill -INT "$CPID"
wait "$CPID"
PIDS=${PIDS% $CPID}
if grep -q 'reading \$pcars2\$' "$T/shm.log"; then
	# the tests share one Wine prefix: another's fake game publishes the block
	skip "another program in this Wine prefix publishes \$pcars2\$ now"
else
	check "without the game: \"no \$pcars2\$ shared memory\", and it looks again" grep -q \
	    'no \$pcars2\$ shared memory: is the game running with Options > System > Shared'\
' Memory set to "Project CARS 2"? Looking again every 2 s' "$T/shm.log"
fi
done_testing
