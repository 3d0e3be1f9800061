#!/bin/sh
# Assetto Corsa end to end: trackside-fakegame --sim ac plays a simulated
# dedicated server (practice, qualifying, race, with its empty-server
# NEW_SESSION flood, reconnects, a reused slot, GUID "0", cuts, collisions
# and chat) into a trackside-client in its plugin slot, which uploads to the
# whole stack (nginx, FastCGI, ingestd, SQLite). What the database holds is
# compared with the truth file the fake server wrote: one session per
# simulated session and none for the flood, every lap with its driver, time
# and cuts, qualifying's best laps, the race's final order, the results
# files. Game time runs at the wall clock's pace (AC's elapsed time is
# wall-clock time on a real server); every wait is for a condition.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 9

T=$(mktemp -d "${TMPDIR:-/tmp}/t_ac_stack.XXXXXX")
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

CP=$(_free_port)
FP=$(_free_port)
"$CLIENT" --state-dir "$T/c" --server "$TS_URL" --token "$TS_TOKEN" --quiet --name ac \
    --source ac --ac-listen "127.0.0.1:$CP" --ac-server "127.0.0.1:$FP" 2>>"$T/client.log" &
PIDS="$PIDS $!"
wait_for 30 sh -c "ss -Hlun 'sport = :$CP' | grep -q ."
ok $? "the client listens in the plugin slot (UDP $CP)" || { cat "$T/client.log"; exit 1; }
timeout -k 10 900 "$FG" --sim ac --ac-plugin "127.0.0.1:$CP" --ac-listen "127.0.0.1:$FP" \
    --truth "$T/truth.json" --practice-minutes 1 --qualify-minutes 1 --race-minutes 2 \
    --track-length 1200 --cars 8 --seed 5 >"$T/fg.log" 2>&1 &
FPID=$!
PIDS="$PIDS $FPID"
wait_for 900 test -s "$T/truth.json"
ok $? "the simulated server played its weekend to the truth file" || { cat "$T/fg.log"; exit 1; }

# The truth as lines "type key time_ms cuts" (a car is its driver's GUID, or
# his name when the GUID is "0"); the database's the same way.
# (the truth says "qualifying" for the kind stored as "qualify")
jq -r '.sessions[] | (.type | sub("qualifying"; "qualify")) as $t | (reduce .drivers[] as $d ({}; .[$d.guid] = $d.name)) as $n |
    .laps[] | "\($t) \(if .guid == "0" then $n["0"] else .guid end) \(.time_ms) \(.cuts)"' \
    "$T/truth.json" | sort > "$T/laps.truth"
db() { sqlite3 "$TS_DB" "$1"; }
db_laps() {
	db "SELECT s.type, c.key, CAST(round(l.time * 1000) AS INTEGER), l.cuts FROM laps l
	    JOIN cars c ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id
	    WHERE s.sim = 'ac' AND l.time IS NOT NULL" | tr '|' ' ' | sort
}
want=$(wc -l < "$T/laps.truth" | tr -d ' ')
wait_for 120 sh -c "[ \"\$(sqlite3 '$TS_DB' \"SELECT count(*) FROM laps l JOIN cars c ON
    c.id = l.car_id JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'ac' AND
    l.time IS NOT NULL\")\" -ge $want ]"
db_laps > "$T/laps.db"
cmp -s "$T/laps.db" "$T/laps.truth"
ok $? "every lap of the weekend ($want) is in the database with its driver, time and cuts" ||
    diff "$T/laps.db" "$T/laps.truth" | head -8 | while read -r l; do diag "$l"; done

is "$(db "SELECT type FROM sessions WHERE sim = 'ac' ORDER BY started_at" | tr '\n' ' ')" \
    "$(jq -r '.sessions[] | .type | sub("qualifying"; "qualify")' "$T/truth.json" | tr '\n' ' ')" \
    "one session per simulated session, none for the empty server's flood ($(jq .flood "$T/truth.json") NEW_SESSIONs)"
is "$(db "SELECT DISTINCT server || ' / ' || track FROM sessions WHERE sim = 'ac'" | wc -l |
    tr -d ' ')" 1 "the sessions share the server and track"

# every driver of the truth is a car of his session
is "$(db "SELECT s.type || ' ' || c.key FROM cars c JOIN sessions s ON s.id = c.session_id
    WHERE s.sim = 'ac'" | sort -u | tr '\n' ' ')" \
    "$(jq -r '.sessions[] | (.type | sub("qualifying"; "qualify")) as $t | .drivers[] | "\($t) \(if .guid == "0" then .name else .guid end)"' \
    "$T/truth.json" | sort -u | tr '\n' ' ')" "every driver of each session is one car of it"

q=qualify
is "$(db "SELECT c.key || ' ' || CAST(round(min(l.time) * 1000) AS INTEGER) FROM laps l
    JOIN cars c ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id
    WHERE s.sim = 'ac' AND s.type = '$q' AND l.time IS NOT NULL GROUP BY c.key" | sort)" \
    "$(jq -r '.sessions[] | select(.type == "qualifying") | (reduce .drivers[] as $d ({};
    .[$d.guid] = $d.name)) as $n | .best[] | "\(if .guid == "0" then $n["0"] else .guid end) \(.time_ms)"' \
    "$T/truth.json" | sort)" "qualifying's best laps are the truth's"

r=race
wait_for 60 sh -c "[ \"\$(sqlite3 '$TS_DB' \"SELECT count(*) FROM sessions WHERE sim = 'ac'
    AND type = '$r' AND results_file IS NOT NULL\")\" = 1 ]"
is "$(db "SELECT c.key FROM car_state cs JOIN cars c ON c.id = cs.car_id
    JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'ac' AND s.type = '$r'
    AND cs.finish = 'finished' ORDER BY cs.position" | tr '\n' ' ')" \
    "$(jq -r '.sessions[] | select(.type == "race") | (reduce .drivers[] as $d ({};
    .[$d.guid] = $d.name)) as $n | .order[] | if . == "0" then $n["0"] else . end' \
    "$T/truth.json" | tr '\n' ' ')" "the race's finishers in the truth's final order"
is "$(db "SELECT results_file FROM sessions WHERE sim = 'ac' ORDER BY started_at" | tr '\n' ' ')" \
    "$(jq -r '.sessions[] | .results' "$T/truth.json" | tr '\n' ' ')" \
    "each session keeps the results file its END_SESSION named"
done_testing
