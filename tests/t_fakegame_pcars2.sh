#!/bin/sh
# trackside-fakegame --sim pcars2: a simulated Automobilista 2 weekend heard
# by a small listener (tests/p2_listen) per player's game, in both
# revisions: the packet kinds and sizes of each revision, the partial sets
# of participants and vehicles with the class names last, the roster sent
# ever less often, menus with game states only between sessions, the views
# of two players, and the laps of the timings and time stats against the
# truth file (times, sectors, best laps, stops, driver swaps, race states,
# final order).
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
PL=$top_builddir/tests/p2_listen
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 31

T=$(mktemp -d "${TMPDIR:-/tmp}/t_fakegame_pcars2.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$T"' EXIT
cd "$T" || exit 1

# the later revision to two players' games, the early one to one
for l in a b e; do
	u=truth_a.json
	[ "$l" = e ] && u=truth_e.json
	"$PL" --port-file "$l.port" --out "$l.jsonl" --until "$u" --timeout 600 2> "$l.log" &
	eval "L_$l=\$!"
	PIDS="$PIDS $!"
done
wait_for 30 sh -c 'test -s a.port && test -s b.port && test -s e.port'
common="--speed 40 --practice-minutes 3 --qualify-minutes 3 --race-minutes 5 --track-length 2400
    --cars 20 --classes Hyper:6,LMP2:4,GT3:10"
# shellcheck disable=SC2086
timeout -k 10 600 "$FG" --sim pcars2 --pcars2-send "127.0.0.1:$(cat a.port)" \
    --pcars2-send "127.0.0.1:$(cat b.port)" --truth truth_a.json --seed 4 $common > fa.log 2>&1 &
PIDS="$PIDS $!"
# shellcheck disable=SC2086
timeout -k 10 600 "$FG" --sim pcars2 --pcars2-rev early --pcars2-hz 10 \
    --pcars2-send "127.0.0.1:$(cat e.port)" --truth truth_e.json --seed 9 $common > fe.log 2>&1 &
PIDS="$PIDS $!"
wait "$L_a" && wait "$L_b" && wait "$L_e"
ok $? "the players' games were heard for a whole weekend, to the truth files" ||
    { cat ./*.log; exit 1; }

D() { jq -c "$2" "$1.jsonl"; }
sizes() {
	D "$1" '"\(.kind):\(.size)"' | sort -u | tr -d '"' | tr '\n' ' '
}
is "$(D a 'select(.kind == "unknown")' | wc -l | tr -d ' '):$(D e 'select(.kind == "unknown")' |
    wc -l | tr -d ' ')" "0:0" "every datagram is a packet of a known kind and size"
is "$(sizes a)" "classes:1452 game:24 participants:1136 race:308 telemetry:559 time_stats:1040 timings:1063 vehicles:1164 " \
    "the later revision: every kind, in its size"
is "$(sizes e)" "classes:1452 game:24 participants:1040 race:308 telemetry:538 time_stats:784 timings:993 vehicles:1164 " \
    "the early revision: every kind, in its size"
is "$(D a 'select(.kind == "timings") | .local >= 0' | sort -u):$(D e \
    'select(.kind == "timings") | .local' | sort -u | tr '\n' ' ')" "true:-1 " \
    "the local participant index is in the later timings only"

# a roster set: race definition, 2 participants packets (16 + 4), 2 vehicle
# packets counted 3, then the class names, counted 3 and indexed 3
sets() {
	D "$1" 'select(.kind == "race" or .kind == "participants" or .kind == "vehicles" or
	    .kind == "classes") | if .kind == "race" then "|race" else "\(.kind)\(.pi)/\(.pc)" end' |
	    tr -d '"' | tr '\n' ' ' | tr '|' '\n' | sed 's/ $//' | grep . | sort -u
}
is "$(sets a | tr '\n' ';')" "race participants0/2 participants1/2 vehicles0/3 vehicles1/3 classes3/3;" \
    "each roster set: the race definition, partial participants and vehicles, the class names last"
is "$(sets e | tr '\n' ';')" "race participants0/2 participants1/2 vehicles0/3 vehicles1/3 classes3/3;" \
    "... in the early revision too"
names=$(D a 'select(.kind == "participants") | .names[]' | jq -s -c '[.[][0]] | unique')
is "$names" "$(jq -c '[range(0; 20)]' -n)" "the 20 participant indexes are in the partial packets"
is "$(D a 'select(.kind == "classes") | [.classes[][1]]' | sort -u)" '["Hyper","LMP2","GT3"]' \
    "the class names are the field's"
is "$(D a 'select(.kind == "vehicles") | .vehicles[] | .[1]' | sort -u | tr '\n' ' ')" "0 1 4 " \
    "every vehicle names its class by the class packet's index"

# the timings between the roster sets of the practice grow: 1 s, 2 s, 4 s
gaps=$(D a 'select(.kind == "race" or .kind == "timings" or .kind == "game") | .kind' |
    tr -d '"' | awk '/game/ { if (n++ == 2) exit } /timings/ { t++ }
    /race/ { if (s) printf "%d ", t; s = 1; t = 0 }')
is "$(echo "$gaps" | awk '{ print ($1 >= 15 && $1 <= 25 && $2 >= 35 && $2 <= 45) }')" 1 \
    "the roster is sent again after 1 s, then 2 s (ticks between sets: $gaps)"

# the game's states: menus, practice, menus, qualifying, menus, race, menus
is "$(D a 'select(.kind == "game") | "\(.game)/\(.session)"' | tr -d '"' | uniq | tr '\n' ' ')" \
    "1/0 2/1 1/0 2/3 1/0 2/5 1/0 " "front end, then practice, qualifying and race, each between menus"
menus=$(D a 'select(.kind == "game" or .kind == "timings" or .kind == "telemetry" or
    .kind == "time_stats") | if .kind == "game" then "g\(.game)" else "x" end' | tr -d '"' |
    awk '/^g/ { g = $0 } /^x/ && g == "g1" { n++ } END { print n + 0 }')
is "$menus" 0 "in the menus, game states only"

# the views: each player's game views his car, the same participant in
# telemetry and as the local index, a human
view() {
	D "$1" 'select(.kind == "telemetry" or .kind == "timings") |
	    if .kind == "telemetry" then "v \(.viewed)" else "l \(.local) \(.cars[.local][8])" end' |
	    tr -d '"' | awk '/^l/ { l = $2; h = $3 } /^v/ && l != "" { print ($2 == l && h == 1) }' |
	    sort -u
}
is "$(view a):$(view b)" "1:1" "each game's telemetry views its player's car, the local index, human"
is "$(jq -c '.views' truth_a.json):$(D a 'select(.kind == "timings") | .cars[] | select(.[8] == 1) |
    .[9]' | sort -un | tr '\n' ' ')" "[6,13]:6 13 " "two players' cars, both human in the timings"
is "$(D a 'select(.kind == "timings") | .tick' | head -400 | sort -n | uniq -d | wc -l | tr -d ' ')" \
    0 "one timings packet a tick"

# the laps: a lap ends when a car's current lap grows; its time is the car's
# last lap in the time stats of that tick
cat > laps.jq <<'EOF'
reduce (.[] | select(.kind == "game" or .kind == "timings" or .kind == "time_stats")) as $m
    ({s: -1, g: 0, lap: {}, due: [], o: []};
    if $m.kind == "game" then
	(if $m.game == 2 and .g != 2 then .s += 1 | .lap = {} else . end) | .g = $m.game
    elif $m.kind == "timings" then
	reduce $m.cars[] as $c (.; ($c[0] | tostring) as $i |
	    (if .lap[$i] != null and $c[3] > .lap[$i] then .due += [[$c[0], $c[3] - 1]] else . end) |
	    .lap[$i] = $c[3])
    else
	. as $st | .o += [.due[] as $d | ($m.rows[] | select(.[0] == $d[0])) as $r |
	    "\($st.s) \($d[0]) \($d[1]) \($r[2])"] | .due = []
    end) | .o[]
EOF
for l in a e; do
	jq -s -r -f laps.jq "$l.jsonl" | sort > "laps_$l.dg"
	jq -r '.sessions[] | .index as $s | .laps[] | "\($s) \(.index) \(.lap) \(.time_ms)"' \
	    "truth_$l.json" | sort > "laps_$l.truth"
done
check "the truth holds laps ($(wc -l < laps_a.truth | tr -d ' '), $(wc -l < laps_e.truth | tr -d ' '))" \
    [ "$(wc -l < laps_a.truth)" -gt 100 ] && [ "$(wc -l < laps_e.truth)" -gt 100 ]
cmp -s laps_a.dg laps_a.truth
ok $? "every lap of the timings, timed by the time stats, is the truth's (later)" ||
    diff laps_a.dg laps_a.truth | head -5 | while read -r l; do diag "$l"; done
cmp -s laps_e.dg laps_e.truth
ok $? "... and in the early revision" ||
    diff laps_e.dg laps_e.truth | head -5 | while read -r l; do diag "$l"; done
is "$(jq '[.sessions[].laps[] | select((.sectors_ms | add) - .time_ms | fabs > 2)] | length' \
    truth_a.json)" 0 "a lap's three sectors add up to its time"
# the fastest laps of the last time stats of each session are the truth's best
fastest() {
	D a 'select(.kind == "game" or .kind == "time_stats")' | jq -s -r '
	    reduce .[] as $m ({s: -1, g: 0, r: {}};
	    if $m.kind == "game" then (if $m.game == 2 and .g != 2 then .s += 1 else . end) |
		.g = $m.game
	    else .r[.s | tostring] = $m.rows end) | .r | to_entries[] | .key as $s |
	    .value[] | select(.[1] > 0) | "\($s) \(.[0]) \(.[1])"' | sort
}
is "$(fastest)" "$(jq -r '.sessions[] | .index as $s | .best[] | "\($s) \(.index) \(.time_ms)"' \
    truth_a.json | sort)" "the fastest laps of the time stats are the truth's best laps"

# the race: stops through the lane, driver swaps, race states, final order
race() {
	D a 'select(.kind == "game" or .kind == "timings" or .kind == "participants")' |
	    jq -s -c "$1"' as $f | reduce .[] as $m ({g: [], x: []};
	    if $m.kind == "game" then .g = [$m.game, $m.session]
	    elif .g == [2, 5] then .x += [$m] else . end) | .x | '"$2"
}
stops=$(race . '[.[] | select(.kind == "timings")] as $t | [range(0; 20) as $i |
    [$t[] | .cars[$i][5]] | reduce .[] as $p ([]; if length == 0 or .[-1] != $p then . + [$p]
    else . end) | map(tostring) | join("") | [scan("123")] | length] | add')
is "$stops" "$(jq '[.sessions[2].pits[] | select(.garage == false)] | length' truth_a.json)" \
    "each stop of the truth goes into the pits, in the pit, out of the pits ($stops)"
swaps=$(race . '[.[] | select(.kind == "participants") | .names[]] | reduce .[] as $n ({n: {},
    s: []}; ($n[0] | tostring) as $i | if .n[$i] != null and .n[$i] != $n[1] then
    .s += ["\($n[0]) \(.n[$i]) \($n[1])"] else . end | .n[$i] = $n[1]) | .s[]' | tr -d '"' | sort)
check "the race has driver swaps" [ -n "$swaps" ]
is "$swaps" "$(jq -r '.sessions[2].swaps[] | "\(.index) \(.from) \(.to)"' truth_a.json | sort)" \
    "a driver swap renames the participant, as the truth says"
last=$(race . '[.[] | select(.kind == "timings")][-1].cars')
is "$(echo "$last" | jq -r '.[] | "\(.[0]) \(.[6])"' | sort)" \
    "$(jq -r '.sessions[2].results[] | "\(.index) \({finished: 3, retired: 5, dnf: 6}[.state])"' \
    truth_a.json | sort)" "the race states at the end are the truth's finish states"
is "$(echo "$last" | jq -c 'sort_by(.[1]) | map(.[0])')" \
    "$(jq -c '[.sessions[2].order[] | split(":")[0] | tonumber]' truth_a.json)" \
    "the race's last positions are the truth's final order"
is "$(jq -c '[.sessions[2].laps | group_by(.index)[] | [(map(.car_key) | unique | length),
    (map(.name) | unique | length)]] | [(map(.[0]) | max), (map(.[1]) | max)]' truth_a.json)" \
    "[1,2]" "a car keeps its car key through a driver swap; its laps name their drivers"
is "$(jq -c '[keys, (.sessions | map(keys) | unique), ([.sessions[].laps[0] | keys] | unique)]' \
    truth_a.json)" '[["rev","sessions","sim","track","track_m","transport","variation","views"],[["best","drivers","index","laps","minutes","order","pits","results","session_state","swaps","track","type","variation"]],[["car_key","index","key","lap","name","pit","position","sectors_ms","time_ms","valid"]]]' \
    "the truth file's shape"
is "$(jq -c '[.sessions[] | .drivers | map(select(.slot == 0))[0].index]' truth_a.json |
    jq 'unique | length')" 3 "participant indexes are dealt anew in each session"

# options
"$FG" --sim pcars2 --pcars2-send 127.0.0.1:9 --shm > shm.out 2>&1
is "$?:$(grep -c 'Windows only' shm.out)" "2:1" "--shm says it is Windows-only"
"$FG" --sim pcars2 --pcars2-send 127.0.0.1:9 --cars 40 > cars.out 2>&1
is "$?:$(grep -c 'at most 32' cars.out)" "2:1" "UDP carries at most 32 cars"
done_testing
