#!/bin/sh
# trackside-client --source ac against a stand-in Assetto Corsa server and
# second plugin (tests/ac_send): the requests on start and after
# NEW_SESSION, the datagrams batched into a frame a second, forwarding both
# ways, malformed datagrams counted and nothing else lost, and a recording
# replayed as frames and as datagrams gives the same events.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
SEND=$top_builddir/tests/ac_send
plan 16

T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_ac.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

"$SEND" sample good > "$T/good.hex"
"$SEND" sample bad > "$T/bad.hex"
"$SEND" sample session > "$T/session.hex"
NGOOD=$(grep -c . "$T/good.hex")
NSESS=$(grep -c . "$T/session.hex")
NBAD=$(grep -c . "$T/bad.hex")

"$SEND" listen "$T/server.port" "$T/server.out" & PIDS="$PIDS $!"
# the second plugin answers everything with GET_CAR_INFO 11
"$SEND" listen "$T/plugin.port" "$T/plugin.out" c90b & PIDS="$PIDS $!"
wait_for 10 test -s "$T/server.port"
wait_for 10 test -s "$T/plugin.port"
SP=$(cat "$T/server.port")
PP=$(cat "$T/plugin.port")
: > "$T/server.out"
: > "$T/plugin.out"

# count FILE LINE: how many lines of FILE are LINE
count() { grep -cx "$2" "$1"; }
# events FILE: the number of events in the frames of FILE
events() { jq -s '[.[].data.events | length] | add // 0' "$1"; }

CP=$("$SEND" port)
"$CLIENT" --source ac --print --quiet --state-dir "$T/st" --ac-listen "127.0.0.1:$CP" \
    --ac-server "127.0.0.1:$SP" --ac-forward "127.0.0.1:$PP" --ac-interval 250 \
    --record "$T/rec.jsonl.gz" > "$T/frames.jsonl" 2> "$T/client.log" &
CPID=$!
PIDS="$PIDS $CPID"
wait_for 20 sh -c "grep -qx ccffff '$T/server.out' && grep -qx c8fa00 '$T/server.out'"
ok $? "on start: GET_SESSION_INFO -1 and REALTIMEPOS_INTERVAL 250 reach the server"

"$SEND" send "$CP" "$T/good.hex"
"$SEND" send "$CP" "$T/bad.hex"
"$SEND" send "$CP" "$T/bad.hex"
wait_for 30 sh -c "[ \"\$(jq -s '[.[].data.events | length] | add // 0' '$T/frames.jsonl')\" -ge $NGOOD ]"
is "$(events "$T/frames.jsonl")" "$NGOOD" "every datagram that decodes is an event; malformed ones are not"
is "$(jq -r '.data.events[].type' "$T/frames.jsonl" | tr '\n' ' ')" \
    "ACSP_VERSION ACSP_NEW_SESSION ACSP_NEW_CONNECTION ACSP_CLIENT_LOADED ACSP_CAR_INFO $(printf 'ACSP_CAR_UPDATE %.0s' 1 2 3 4 5 6 7 8 9 10)ACSP_LAP_COMPLETED ACSP_CHAT ACSP_CLIENT_EVENT ACSP_CLIENT_EVENT ACSP_ERROR ACSP_SESSION_INFO ACSP_CONNECTION_CLOSED ACSP_END_SESSION " \
    "the events in arrival order"
check "every frame is source ac with captured_at, its events with at_ms and raw" \
    jq -e -s 'all(.[]; .source == "ac" and (.captured_at | type) == "string" and
        all(.data.events[]; (.at_ms | type) == "number" and (.raw | type) == "string"))' \
    "$T/frames.jsonl"
check "the raw bytes are the datagrams'" sh -c "jq -r '.data.events[].raw' '$T/frames.jsonl' |
    while read -r r; do echo \"\$r\" | base64 -d | od -An -v -tx1 | tr -d ' \n'; echo; done |
    cmp -s - '$T/good.hex'"
check "W strings decode to UTF-8, a bad code point to U+FFFD" sh -c \
    "jq -r '.data.events[] | select(.type == \"ACSP_NEW_CONNECTION\") | .driver_name' \
    '$T/frames.jsonl' | grep -qx 'Réné�'"
wait_for 20 sh -c "[ \$(grep -cx c903 '$T/server.out') -ge 2 ] && [ \$(grep -cx ccffff '$T/server.out') -ge 2 ]"
is "$(count "$T/server.out" ccffff) $(count "$T/server.out" c8fa00) $(count "$T/server.out" c903)" \
    "2 2 2" "NEW_SESSION asks again for the session and the interval; NEW_CONNECTION and CLIENT_LOADED for the car"

"$SEND" send "$CP" "$T/session.hex"
wait_for 20 sh -c "[ \$(grep -cx c907 '$T/server.out') -ge 2 ] && [ \$(grep -cx ccffff '$T/server.out') -ge 3 ]"
is "$(count "$T/server.out" ccffff) $(count "$T/server.out" c907) $(count "$T/server.out" c903)" \
    "3 2 2" "a new session asks for every car known to be connected (7), not for one that left (3)"

# forwarding: the second plugin got every datagram as sent, its answers reached the server
NALL=$((NGOOD + 2 * NBAD + NSESS))
wait_for 20 sh -c "[ \$(grep -c '' '$T/plugin.out') -ge $NALL ] && [ \$(grep -cx c90b '$T/server.out') -ge $NALL ]"
check "the second plugin gets every datagram unchanged, malformed ones too" sh -c \
    "cat '$T/good.hex' '$T/bad.hex' '$T/bad.hex' '$T/session.hex' | sed 's/^-\$//' | cmp -s - '$T/plugin.out'"
is "$(count "$T/server.out" c90b)" "$NALL" "every datagram the second plugin sends reaches the server"

# batching: a frame a second, not a frame a datagram
check "frames come at most once a second" sh -c "jq -r '.captured_at' '$T/frames.jsonl' |
    sed 's/.*T//; s/Z//' | awk -F: '{ t = \$1 * 3600 + \$2 * 60 + \$3; if (NR > 1 && t - p < 0.5) bad = 1; p = t }
    END { exit bad || NR > 6 }'"

wait_for 20 sh -c "[ \$(jq -s '[.[].data.events | length] | add // 0' '$T/frames.jsonl') -ge $((NGOOD + NSESS)) ]"
kill "$CPID"
wait "$CPID"
ok $? "the client stops cleanly"
check "malformed datagrams: logged once per kind, counted at the end" sh -c \
    "[ \$(grep -c 'unknown message id; such datagrams' '$T/client.log') -eq 1 ] &&
    [ \$(grep -c 'truncated message; such' '$T/client.log') -eq 1 ] &&
    grep -q 'ac: $((2 * NBAD)) malformed datagrams' '$T/client.log'"

# the recording replayed as frames gives the same events
jq -c '.data.events[] | del(.at_ms)' "$T/frames.jsonl" > "$T/live.events"
"$CLIENT" --source ac --print --quiet --state-dir "$T/st" --replay "$T/rec.jsonl.gz" \
    --speed max > "$T/replay.jsonl" 2> "$T/replay.log"
check "a replay of the recording gives the same events" sh -c \
    "jq -c '.data.events[] | del(.at_ms)' '$T/replay.jsonl' | cmp -s - '$T/live.events'"

# ... and replayed as datagrams to another listening client
CP2=$("$SEND" port)
"$CLIENT" --source ac --print --quiet --state-dir "$T/st2" --ac-listen "127.0.0.1:$CP2" \
    --ac-server "127.0.0.1:$SP" > "$T/frames2.jsonl" 2> "$T/client2.log" &
C2=$!
PIDS="$PIDS $C2"
wait_for 20 sh -c "[ \$(grep -cx ccffff '$T/server.out') -ge 4 ]"
"$CLIENT" --source ac --quiet --state-dir "$T/st" --replay "$T/rec.jsonl.gz" \
    --replay-to "127.0.0.1:$CP2" --speed 20 2> "$T/replay-to.log"
wait_for 30 sh -c "[ \$(jq -s '[.[].data.events | length] | add // 0' '$T/frames2.jsonl') -ge $((NGOOD + NSESS)) ]"
check "--replay-to sends the recording as datagrams: the listening client sees the same events" \
    sh -c "jq -c '.data.events[] | del(.at_ms)' '$T/frames2.jsonl' | cmp -s - '$T/live.events'"

"$CLIENT" --source ac --print --quiet --state-dir "$T/st" --ac-listen "$("$SEND" port)" \
    --ac-server 127.0.0.1 > /dev/null 2> "$T/bad.log"
rc=$?
check "an address without a port: a clear error, exit 1" sh -c \
    "[ $rc -eq 1 ] && grep -q 'ac-server: \"127.0.0.1\" is not HOST:PORT' '$T/bad.log'"
