#!/bin/sh
# trackside-fakegame --sim ac: a simulated Assetto Corsa server heard by a
# small plugin (tests/ac_listen): the order of things (VERSION, the empty
# server's NEW_SESSION flood, CAR_UPDATE only after request 200), the
# answers to 204, 201 and 56, the quirks (a reconnect on another slot, a
# slot reused, GUID "0", cuts, collisions, chat), and the laps, best laps
# and race order of the datagrams against the truth file it writes.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
AL=$top_builddir/tests/ac_listen
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 24

T=$(mktemp -d "${TMPDIR:-/tmp}/t_fakegame_ac.XXXXXX")
APID= FPID=
trap 'kill $APID $FPID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

cd "$T" || exit 1
"$AL" --port-file al.port --server-port-file fg.port --out dg.jsonl --interval 100 \
    --until truth.json --timeout 600 2> al.log &
APID=$!
wait_for 30 test -s al.port
timeout -k 10 600 "$FG" --sim ac --ac-plugin "127.0.0.1:$(cat al.port)" --port-file fg.port \
    --truth truth.json --speed 40 --practice-minutes 3 --qualify-minutes 3 --race-minutes 4 \
    --track-length 2400 --seed 3 > fg.log 2>&1 &
FPID=$!
wait "$APID"
ok $? "the plugin heard a whole weekend, to the truth file" || { cat al.log fg.log; exit 1; }

# D JQ: the datagrams (and requests sent), one JSON value per line, through JQ
D() { jq -c "$1" dg.jsonl; }
is "$(D 'select(.ok == false)' | head -3)" "" "every datagram has the length its fields say"
is "$(head -1 dg.jsonl | jq -c '[.id, .proto]')" "[56,4]" "VERSION (protocol 4) comes first"
# before the first connection: VERSION and NEW_SESSIONs only
pre=$(D 'select(.id)' | jq -s -c '[.[] | .id] | .[0:(index(51))] | unique')
is "$pre" "[50,56]" "before anyone connects, only VERSION and NEW_SESSION"
flood=$(D 'select(.id)' | jq -s -c '.[0:(map(.id) | index(51))] | map(select(.id == 50) | .type)')
is "$(echo "$flood" | jq 'length >= 4 and (unique | length) == 3')" true \
    "the empty server floods NEW_SESSION, cycling its session types: $flood"
is "$(D 'select(.id == 53 or .sent == 200) | .id // "sent"' | head -1)" '"sent"' \
    "no CAR_UPDATE before request 200"
check "CAR_UPDATEs stream after request 200" [ "$(D 'select(.id == 53)' | wc -l)" -gt 100 ]
is "$(D 'select(.id == 50 and .type == 3) | .elapsed' | tail -1)" "-60000" \
    "the race's NEW_SESSION has a negative elapsed_ms: the wait, read signed"
is "$(D 'select(.id == 59) | .type' | tr '\n' ' ')" "1 2 3 " \
    "SESSION_INFO answers request 204 -1 (at the start and at each NEW_SESSION)"
is "$(D 'select(.id == 60) | .message' | tr '\n' ' ')" \
    '"ACSP_GET_SESSION_INFO index 99 out of bound" "ACSP_GET_CAR_INFO index 250 out of bound" ' \
    "requests out of range are answered with ERROR"
is "$(D 'select(.id == 56) | .proto' | wc -l | tr -d ' ')" 2 "VERSION answers request 56"
# every CAR_INFO of a loaded car names the driver its NEW_CONNECTION named
bad=$(D 'select(.id == 51 or .id == 54)' | jq -s -c 'reduce .[] as $m ({};
    if $m.id == 51 then .[($m.car | tostring)] = $m.guid
    elif $m.connected == 1 and .[($m.car | tostring)] != $m.guid then .bad += [$m.car]
    else . end) | .bad // []')
is "$bad:$(D 'select(.id == 54 and .connected == 1)' | wc -l | tr -d ' ')" "[]:13" \
    "CAR_INFO answers request 201 for every car that loaded, with its driver"

# the sessions after the flood, and what happened in the first
is "$(D 'select(.id == 50 or .id == 55) | [.id, .index // .path[0:8]] | tostring' |
    tail -6 | tr '\n' ' ')" \
    '"[50,0]" "[55,\"results/\"]" "[50,1]" "[55,\"results/\"]" "[50,2]" "[55,\"results/\"]" ' \
    "practice, qualifying and race: NEW_SESSION at each start, END_SESSION with a results file"
is "$(D 'select(.id == 51 and .guid == "0") | .name' | wc -l | tr -d ' ')" 1 "a driver's GUID is \"0\""
moved=$(D 'select(.id == 51 or .id == 52)' | jq -s -c '[.[] | select(.id == 52)][0] as $c |
    [.[] | select(.id == 51 and .guid == $c.guid)] | map(.car) | [$c.car, .]')
is "$(echo "$moved" | jq '(.[1] | length) == 2 and .[1][0] == .[0] and .[1][1] != .[0]')" true \
    "a driver drops and comes back on another slot: $moved"
reused=$(D 'select(.id == 51)' | jq -s -c 'group_by(.car) | map(select(map(.guid) | unique |
    length > 1)) | map(.[0].car)')
is "$(echo "$reused" | jq 'length >= 1')" true "a slot is taken by another driver: $reused"
is "$(D 'select(.id == 130) | .type' | sort -u | tr '\n' ' '):$(D 'select(.id == 73 and .cuts > 0)' |
    head -1 | wc -l | tr -d ' '):$(D 'select(.id == 57)' | head -1 | wc -l | tr -d ' ')" \
    "10 11 :1:1" "collisions with cars and the wall, cuts and chat occur"

# the laps of the datagrams, by GUID, against the truth
D 'select(.id == 50 or .id == 51 or .id == 73)' | jq -s -r 'reduce .[] as $m ({s: 0, g: {}, o: []};
    if $m.id == 50 then .s = $m.index
    elif $m.id == 51 then .g[($m.car | tostring)] = $m.guid
    else .o += ["\(.s) \(.g[($m.car | tostring)]) \($m.time) \($m.cuts)"] end) | .o[]' > laps.dg
jq -r '.sessions[] | .index as $i | .laps[] | "\($i) \(.guid) \(.time_ms) \(.cuts)"' truth.json \
    > laps.truth
check "the truth holds laps ($(wc -l < laps.truth | tr -d ' '))" [ "$(wc -l < laps.truth)" -gt 50 ]
cmp -s laps.dg laps.truth
ok $? "every lap of the datagrams (driver, time, cuts) is the truth's, in order" ||
    diff laps.dg laps.truth | head -5 | while read -r l; do diag "$l"; done
# the last leaderboard of qualifying and of the race, by GUID
board() {
	D 'select(.id == 50 or .id == 51 or .id == 73)' | jq -s -c --argjson s "$1" '
	    reduce .[] as $m ({s: 0, g: {}, b: null};
	    if $m.id == 50 then .s = $m.index
	    elif $m.id == 51 then .g[($m.car | tostring)] = $m.guid
	    elif .s == $s then . as $st | .b = [$m.board[] | select(.[2] > 0) |
	        [$st.g[(.[0] | tostring)], .[1]]]
	    else . end) | .b'
}
# (a tie is ordered by slot on the board, by GUID here)
is "$(board 1 | jq -c 'sort_by(.[1], .[0])')" \
    "$(jq -c '[.sessions[1].best[] | [.guid, .time_ms]] | sort_by(.[1], .[0])' truth.json)" \
    "qualifying's last leaderboard holds the truth's best laps"
is "$(board 1 | jq 'map(.[1]) == (map(.[1]) | sort)')" true "... ordered by the best lap"
is "$(board 2 | jq -c 'map(.[0])')" "$(jq -c '.sessions[2].order' truth.json)" \
    "the race's last leaderboard is the truth's final order"
# qualifying rows without a lap (an empty slot has none) carry 999999999
is "$(D 'select(.id == 50 or .id == 73)' | jq -s -c 'reduce .[] as $m ({s: 0, t: []};
    if $m.id == 50 then .s = $m.index elif .s == 1 then
    .t += [$m.board[] | select(.[2] == 0) | .[1]] else . end) | .t | unique')" "[999999999]" \
    "qualifying rows without a lap carry 999999999"
is "$(D 'select(.id == 73)' | tail -1 | jq -c '[.board | length, (map(.[3]) | max)]')" \
    "[$(jq '.slots' truth.json),1]" "a leaderboard row for every slot; the finished byte after the flag"
done_testing
