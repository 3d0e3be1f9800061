# The comparisons of a simulated Automobilista 2 weekend (trackside-fakegame
# --sim pcars2, its --truth file) with what the stack stored, shared by the
# UDP test (t_pcars2_stack.sh) and the shared-memory test under Wine
# (t_win_pcars2_shm.sh). Sourced after tests/lib.sh with a stack running:
#
#	p2_check TRUTH CLIENTS	# 10 checks; CLIENTS: how many clients fed it
#
# A car is its participant index (its slot): the truth's "index".
p2_types='"practice": "practice", "qualifying": "qualify", "race": "race"'

_p2db() { sqlite3 "$TS_DB" "$1"; }

p2_check() {
	_t=$1
	_dir=$(dirname "$_t")
	# every valid lap as "type index lap driver time_ms", the database's the same way
	jq -r "{$p2_types} as \$k | .sessions[] | \$k[.type] as \$t | .laps[] | select(.valid) |
	    \"\(\$t) \(.index) \(.lap) \(.name) \(.time_ms)\"" "$_t" | sort > "$_dir/laps.truth"
	_want=$(wc -l < "$_dir/laps.truth" | tr -d ' ')
	_q="SELECT s.type, c.slot, l.lap, l.driver, CAST(round(l.time * 1000) AS INTEGER) FROM laps l
	    JOIN cars c ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id
	    WHERE s.sim = 'pcars2' AND l.time IS NOT NULL AND l.valid"
	wait_for 120 sh -c "[ \"\$(sqlite3 '$TS_DB' \"SELECT count(*) FROM ($_q)\")\" -ge $_want ]"
	_p2db "$_q" | tr '|' ' ' | sort > "$_dir/laps.db"
	diff "$_dir/laps.db" "$_dir/laps.truth" > "$_dir/laps.diff"
	ok $? "every valid lap of the weekend ($_want) is in the database with its driver and time" ||
	    head -8 "$_dir/laps.diff" | while read -r l; do diag "$l"; done
	# every lap, valid or not (an invalidated lap has no time), and none more
	_p2db "SELECT s.type || ' ' || c.slot || ' ' || l.lap || ' ' || l.valid FROM laps l JOIN cars c
	    ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'pcars2' AND
	    l.source != 'missing'" | sort > "$_dir/all.db"
	jq -r "{$p2_types} as \$k | .sessions[] | \$k[.type] as \$t | .laps[] |
	    \"\(\$t) \(.index) \(.lap) \(if .valid then 1 else 0 end)\"" "$_t" | sort > "$_dir/all.truth"
	diff "$_dir/all.db" "$_dir/all.truth" > "$_dir/all.diff"
	ok $? "every lap, valid or invalid, and none more ($(wc -l < "$_dir/all.truth" | tr -d ' '))" ||
	    head -8 "$_dir/all.diff" | while read -r l; do diag "$l"; done

	is "$(_p2db "SELECT type FROM sessions WHERE sim = 'pcars2' ORDER BY started_at" | tr '\n' ' ')" \
	    "$(jq -r "{$p2_types} as \$k | .sessions[] | \$k[.type]" "$_t" | tr '\n' ' ')" \
	    "one session per simulated session"
	is "$(_p2db "SELECT count(DISTINCT sc.client) FROM session_clients sc JOIN sessions s ON
	    s.id = sc.session_id WHERE s.sim = 'pcars2'")" "$2" "$2 client(s) fed the sessions"
	is "$(_p2db "SELECT DISTINCT track FROM sessions WHERE sim = 'pcars2'")" \
	    "$(jq -r '"\(.track)/\(.variation)"' "$_t")" "the sessions are on the game's track and layout"
	is "$(_p2db "SELECT s.type || ' ' || c.slot FROM cars c JOIN sessions s ON s.id = c.session_id
	    WHERE s.sim = 'pcars2'" | sort | tr '\n' ' ')" \
	    "$(jq -r "{$p2_types} as \$k | .sessions[] | \$k[.type] as \$t | [.drivers[].index] | unique |
	    .[] | \"\(\$t) \(.)\"" "$_t" | sort | tr '\n' ' ')" \
	    "every participant index is one car of its session, whoever drives it"
	# a stop: "type index lap", on the laps completed before it
	is "$(_p2db "SELECT s.type || ' ' || c.slot || ' ' || p.lap FROM pits p JOIN cars c ON
	    c.id = p.car_id JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'pcars2' AND
	    p.stop_time IS NOT NULL" | sort | tr '\n' ' ')" \
	    "$(jq -r "{$p2_types} as \$k | .sessions[] | \$k[.type] as \$t | .pits[] |
	    \"\(\$t) \(.index) \(.lap)\"" "$_t" | sort | tr '\n' ' ')" "every pit stop of the truth, on its lap"
	is "$(_p2db "SELECT c.slot || ' ' || p.driver_out || '>' || p.driver_in FROM pits p JOIN cars c ON
	    c.id = p.car_id JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'pcars2' AND p.swap" |
	    sort | tr '\n' ' ')" \
	    "$(jq -r '.sessions[] | .swaps[] | "\(.index) \(.from)>\(.to)"' "$_t" | sort | tr '\n' ' ')" \
	    "every driver swap of the truth, from whom to whom"
	is "$(_p2db "SELECT c.slot || ' ' || CAST(round(min(l.time) * 1000) AS INTEGER) FROM laps l
	    JOIN cars c ON c.id = l.car_id JOIN sessions s ON s.id = c.session_id
	    WHERE s.sim = 'pcars2' AND s.type = 'qualify' AND l.time IS NOT NULL AND l.valid
	    GROUP BY c.slot" | sort)" \
	    "$(jq -r '.sessions[] | select(.type == "qualifying") | .best[] | "\(.index) \(.time_ms)"' \
	    "$_t" | sort)" "qualifying's best laps are the truth's"
	_fin=$(jq '[.sessions[] | select(.type == "race") | .results[] | select(.state == "finished")] |
	    length' "$_t")
	wait_for 60 sh -c "[ \"\$(sqlite3 '$TS_DB' \"SELECT count(*) FROM car_state cs JOIN cars c ON
	    c.id = cs.car_id JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'pcars2'
	    AND s.type = 'race' AND cs.finish = 'finished'\")\" -ge $_fin ]"
	is "$(_p2db "SELECT c.slot || ' ' || cs.finish FROM car_state cs JOIN cars c ON c.id = cs.car_id
	    JOIN sessions s ON s.id = c.session_id WHERE s.sim = 'pcars2' AND s.type = 'race'
	    ORDER BY cs.position" | tr '\n' ' ')" \
	    "$(jq -r '.sessions[] | select(.type == "race") | .results[] | "\(.index) \(if .state ==
	    "finished" then "finished" elif .state == "dsq" then "dq" else "dnf" end)"' "$_t" |
	    tr '\n' ' ')" "the race's final order and finish states are the truth's"
}
