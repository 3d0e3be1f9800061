# The comparisons of a simulated Le Mans Ultimate race (trackside-fakegame
# --sim lmu, its --truth file) with the pit wall's view of it: the race
# control log in the database, drive time, charts and strategy through the
# JSON API. Sourced after tests/lib.sh with a stack running:
#
#	pw_check TRUTH SESSION SLOT	# 12 checks; SLOT: the team car's (a client's player car)
#
# A car is its number; laps are the log's: a stop or swap on the laps
# completed before it, a penalty given or served on the lap under way.

_pwdb() { sqlite3 "$TS_DB" "$1"; }

# _pw_ok STATUS NAME: ok, returning STATUS (for a diagnosis after a failure)
_pw_ok() { ok "$1" "$2"; return "$1"; }

# _pw_truth JQ-PROGRAM: runs it on the race of the truth, sorted lines out
_pw_truth() {
	jq -r --slurpfile seen "$_pw_dir/seen.json" ".sessions[] | select(.type == \"race\") | $1" \
	    "$_pw_t" | sort
}

# _pw_log KIND: "number lap" of every race_log row of that kind, sorted
_pw_log() {
	_pwdb "SELECT number || ' ' || lap FROM race_log WHERE session_id = '$_pw_sid' AND
	    kind = '$1'" | sort
}

# _pw_same NAME WANT GOT: the two files hold the same lines, as many times each
_pw_same() {
	diff "$2" "$3" > "$3.diff"
	_pw_ok $? "$1 ($(wc -l < "$2" | tr -d ' '))" || {
		diag "  < truth, > log:"
		head -n 8 "$3.diff" | while read -r _l; do diag "  $_l"; done
	}
}

pw_check() {
	_pw_t=$1 _pw_sid=$2 _pw_slot=$3
	_pw_dir=$(mktemp -d "$(dirname "$_pw_t")/pw.XXXXXX")
	echo '{}' > "$_pw_dir/seen.json"

	# 1-5. the race control log: every stop, swap and penalty once, on its lap
	_pw_truth '.cars[] | .number as $n | .stops[] | "\($n) \(.lap)"' > "$_pw_dir/stop.truth"
	_pw_log stop > "$_pw_dir/stop.log"
	_pw_same "every pit stop of the truth is in the race log once, on its lap" \
	    "$_pw_dir/stop.truth" "$_pw_dir/stop.log"
	_pw_truth '.cars[] | .number as $n | .stops[] | select(.swap) | "\($n) \(.lap)"' \
	    > "$_pw_dir/swap.truth"
	_pw_log swap > "$_pw_dir/swap.log"
	_pw_same "every driver swap of the truth is in the race log once, on its lap" \
	    "$_pw_dir/swap.truth" "$_pw_dir/swap.log"
	_pw_truth '.cars[] | .number as $n | .penalties[] | "\($n) \(.lap)"' > "$_pw_dir/pen.truth"
	_pw_log penalty > "$_pw_dir/pen.log"
	_pw_same "every penalty given is in the race log once, on its lap" \
	    "$_pw_dir/pen.truth" "$_pw_dir/pen.log"
	_pw_truth '.cars[] | .number as $n | .penalties[] | select(.served_lap != null) |
	    "\($n) \(.served_lap)"' > "$_pw_dir/served.truth"
	_pw_log penalty_served > "$_pw_dir/served.log"
	_pw_same "every penalty served is in the race log once, on its lap" \
	    "$_pw_dir/served.truth" "$_pw_dir/served.log"
	_pw_truth '.cars[] | .number as $n | .stops[] | select(.penalty) | "\($n) \(.lap)"' \
	    > "$_pw_dir/penstop.truth"
	_pwdb "SELECT c.number || ' ' || p.lap FROM pits p JOIN cars c ON c.id = p.car_id WHERE
	    c.session_id = '$_pw_sid' AND p.penalty" | sort > "$_pw_dir/penstop.log"
	_pw_same "the stops that served a penalty are stored as such" "$_pw_dir/penstop.truth" \
	    "$_pw_dir/penstop.log"

	# 6. each full-course yellow: one fcy and one fcy_end, at its start and end (within 3 s)
	_pw_truth '.fcy[] | "\(.from) \(.to)"' > "$_pw_dir/fcy.truth"
	_pwdb "SELECT a.et || ' ' || coalesce((SELECT min(b.et) FROM race_log b WHERE
	    b.session_id = a.session_id AND b.kind = 'fcy_end' AND b.et >= a.et), -1)
	    FROM race_log a WHERE a.session_id = '$_pw_sid' AND a.kind = 'fcy' ORDER BY a.et" \
	    > "$_pw_dir/fcy.log"
	_pw_nend=$(_pwdb "SELECT count(*) FROM race_log WHERE session_id = '$_pw_sid' AND
	    kind = 'fcy_end'")
	_pw_nfcy=$(wc -l < "$_pw_dir/fcy.truth" | tr -d ' ')
	[ "$_pw_nfcy" -gt 0 ] && [ "$_pw_nend" = "$_pw_nfcy" ] &&
	    paste -d ' ' "$_pw_dir/fcy.truth" "$_pw_dir/fcy.log" | awk -v n="$_pw_nfcy" '
	    function abs(x) { return x < 0 ? -x : x }
	    NF == 4 && abs($3 - $1) <= 3 && abs($4 - $2) <= 3 { good++ }
	    END { exit !(NR == n && good == n) }'
	_pw_ok $? "each full-course yellow ($_pw_nfcy) is one fcy and one fcy_end at its ET" || {
		diag "  truth (from to): $(tr '\n' ';' < "$_pw_dir/fcy.truth")"
		diag "  log (fcy fcy_end): $(tr '\n' ';' < "$_pw_dir/fcy.log"), fcy_end rows: $_pw_nend"
	}

	# 7-8. drive time of every car: totals are the sums of the stints, and the truth's
	_pwdb "SELECT id || ' ' || number FROM cars WHERE session_id = '$_pw_sid' ORDER BY id" \
	    > "$_pw_dir/cars"
	: > "$_pw_dir/drive.api"
	_pw_bad=0
	while read -r _id _num; do
		api "/api/v1/sessions/$_pw_sid/cars/$_id" > "$_pw_dir/car.json" &&
		    jq -e '.drive_time | type == "object"' "$_pw_dir/car.json" >/dev/null || {
			_pw_bad=$((_pw_bad + 1))
			continue
		}
		jq -r --arg n "$_num" '.drive_time as $d | $d.drivers[] | .name as $w |
		    "\($n)\t\($w)\t\(.total)\t\([$d.stints[] | select(.driver == $w) |
		    .duration] | add // 0)"' "$_pw_dir/car.json" >> "$_pw_dir/drive.api"
	done < "$_pw_dir/cars"
	[ "$_pw_bad" -eq 0 ] && [ -s "$_pw_dir/drive.api" ] && awk -F '\t' '
	    function abs(x) { return x < 0 ? -x : x }
	    abs($3 - $4) > 0.05 { print; bad++ } END { exit bad > 0 }' "$_pw_dir/drive.api" \
	    > "$_pw_dir/drive.sum"
	_pw_ok $? "each driver's drive time is the sum of their stints (every car's drive_time)" || {
		diag "  cars without a drive_time: $_pw_bad"
		head -n 5 "$_pw_dir/drive.sum" | while read -r _l; do diag "  $_l"; done
	}
	# A swap is known once a poll shows the new driver: the truth's swaps as
	# the client saw them, from the frames it sent (their ET is sessionInfo's).
	_pwdb "SELECT writefile('$_pw_dir/frame.' || printf('%08d', seq) || '.gz', body) FROM
	    raw_frames" > /dev/null
	zcat "$_pw_dir"/frame.*.gz | jq -r '.data | .["/rest/watch/sessionInfo"].currentEventTime
	    as $et | select($et != null) | .["/rest/watch/standings"] | arrays | .[] |
	    "\(.carNumber)\t\($et)\t\(.driverName)"' > "$_pw_dir/seen"
	rm -f "$_pw_dir"/frame.*.gz
	_pw_truth '.cars[] | .number as $n | .stops[] | select(.swap) |
	    "\($n)\t\(.et)\t\(.driver)"' > "$_pw_dir/swaps"
	awk -F '\t' 'NR == FNR { n++; num[n] = $1; at[n] = $2; who[n] = $3; next }
	    { for (i = 1; i <= n; i++) if ($1 == num[i] && $3 == who[i] && $2 >= at[i] - 0.5 &&
	        (!(i in seen) || $2 < seen[i])) seen[i] = $2 }
	    END { for (i = 1; i <= n; i++) printf "%s|%s\t%s\n", num[i], at[i],
	        (i in seen) ? seen[i] : at[i] }' "$_pw_dir/swaps" "$_pw_dir/seen" |
	    jq -R -s 'split("\n") | map(select(length > 0) | split("\t") |
	    { key: .[0], value: (.[1] | tonumber) }) | from_entries' > "$_pw_dir/seen.json"
	_pw_truth '.cars[] | .number as $n | .stints | map(.from = ($seen[0]["\($n)|\(.from)"] //
	    .from) | .to = ($seen[0]["\($n)|\(.to)"] // .to)) | group_by(.driver)[] |
	    "\($n)\t\(.[0].driver)\t\(map(.to - .from) | add)"' > "$_pw_dir/drive.truth"
	cut -f 1-3 "$_pw_dir/drive.api" | sort > "$_pw_dir/drive.got"
	join -t "$(printf '\t')" -a 1 -a 2 -e x -o 0,1.2,2.2 \
	    "$(_pw_key "$_pw_dir/drive.truth")" "$(_pw_key "$_pw_dir/drive.got")" |
	    awk -F '\t' 'function abs(x) { return x < 0 ? -x : x }
	    # a driver who never drove: none in the truth, 0 in the API
	    $2 == "x" { $2 = 0 } $3 == "x" { $3 = 0 }
	    $3 == "null" || abs($2 - $3) > 1 { print; bad++ }
	    END { exit bad > 0 || NR == 0 }' > "$_pw_dir/drive.diff"
	_pw_ok $? "each driver's drive time ($(wc -l < "$_pw_dir/drive.truth" | tr -d ' ')) is the \
truth's within 1 s, a swap from the first poll that showed it" ||
	    head -n 8 "$_pw_dir/drive.diff" | while read -r _l; do diag "  truth/api: $_l"; done

	# 9-10. charts: the points of every car are its laps in the database; the
	# lap chart draws a class at a time, the lap-time chart a few cars
	_pwdb "SELECT l.car_id || ' ' || l.lap FROM laps l JOIN cars c ON c.id = l.car_id WHERE
	    c.session_id = '$_pw_sid'" | sort > "$_pw_dir/laps.db"
	_pwdb "SELECT l.car_id || ' ' || l.lap || ' ' || printf('%.3f', l.time) FROM laps l JOIN
	    cars c ON c.id = l.car_id WHERE c.session_id = '$_pw_sid' AND l.time IS NOT NULL" |
	    sort > "$_pw_dir/times.db"
	: > "$_pw_dir/laps.api"
	: > "$_pw_dir/times.api"
	_pw_bad=0
	_pwdb "SELECT DISTINCT coalesce(class, '') FROM cars WHERE session_id = '$_pw_sid'" \
	    > "$_pw_dir/classes"
	while read -r _cls; do
		_enc=$(printf '%s' "$_cls" | jq -sRr @uri)
		_pwdb "SELECT id FROM cars WHERE session_id = '$_pw_sid' AND coalesce(class, '') =
		    '$_cls' ORDER BY id" | paste -d ' ' - - - - - - - - > "$_pw_dir/batches"
		_first=1
		while read -r _ids; do
			_q="class=$_enc&cars=$(echo $_ids | tr ' ' ',')"
			api "/api/v1/sessions/$_pw_sid/charts?$_q" > "$_pw_dir/charts.json" || {
				_pw_bad=$((_pw_bad + 1))
				continue
			}
			[ "$_first" = 1 ] && jq -r '.laps.series[] | .car as $c | .data[] |
			    "\($c) \(.lap)"' "$_pw_dir/charts.json" >> "$_pw_dir/laps.api"
			_first=0
			jq -r '.times.series[] | .car as $c | .data[] | "\($c) \(.lap) \(.time)"' \
			    "$_pw_dir/charts.json" >> "$_pw_dir/times.api"
		done < "$_pw_dir/batches"
	done < "$_pw_dir/classes"
	sort -o "$_pw_dir/laps.api" "$_pw_dir/laps.api"
	awk '{ printf "%s %s %.3f\n", $1, $2, $3 }' "$_pw_dir/times.api" | sort > "$_pw_dir/times.got"
	# no lap stored twice: two laps of a car never end at the same crossing
	_pwdb "SELECT c.number, a.lap, b.lap FROM laps a JOIN laps b ON b.car_id = a.car_id AND
	    b.lap = a.lap + 1 JOIN cars c ON c.id = a.car_id WHERE c.session_id = '$_pw_sid' AND
	    a.time > 0 AND b.time > 0 AND abs(b.start_et + b.time - a.start_et - a.time) < 0.5" \
	    > "$_pw_dir/twice"
	[ ! -s "$_pw_dir/twice" ]
	_pw_ok $? "no car has a lap stored twice (two laps ending at one crossing)" ||
		head -n 5 "$_pw_dir/twice" | while read -r _l; do diag "  #number|lap|next: $_l"; done
	[ "$_pw_bad" -eq 0 ] && [ -s "$_pw_dir/laps.db" ] && cmp -s "$_pw_dir/laps.db" "$_pw_dir/laps.api"
	_pw_ok $? "the lap chart's points are the laps in the database ($(wc -l < "$_pw_dir/laps.db" |
	    tr -d ' '), every car, no more)" || {
		diag "  charts requests that failed: $_pw_bad"
		diff "$_pw_dir/laps.db" "$_pw_dir/laps.api" | head -n 6 | while read -r _l; do
			diag "  db/api: $_l"
		done
	}
	[ "$_pw_bad" -eq 0 ] && [ -s "$_pw_dir/times.db" ] &&
	    cmp -s "$_pw_dir/times.db" "$_pw_dir/times.got"
	_pw_ok $? "the lap-time chart's points are the timed laps in the database, with their times" ||
	    diff "$_pw_dir/times.db" "$_pw_dir/times.got" | head -n 6 | while read -r _l; do
		diag "  db/api: $_l"
	    done

	# 11. strategy: the team car's fuel per lap is the truth's burn within 5 %
	_pw_car=$(_pwdb "SELECT id FROM cars WHERE session_id = '$_pw_sid' AND slot = $_pw_slot")
	_pw_burn=$(_pw_truth ".cars[] | select(.slot == $_pw_slot) | .burn")
	_pw_fpl=$(api "/api/v1/sessions/$_pw_sid/cars/$_pw_car/strategy" 2>/dev/null |
	    jq -r '.strategy | "\(.fuel_per_lap) \(.fuel_source)"' 2>/dev/null)
	[ -n "$_pw_burn" ] && echo "$_pw_fpl" | awk -v b="$_pw_burn" '{ d = $1 - b }
	    END { exit !(NR == 1 && $2 == "client" && b > 0 && (d < 0 ? -d : d) <= 0.05 * b) }'
	_pw_ok $? "the team car's fuel per lap, from its own client, is the simulated burn within 5 %" ||
	    diag "  strategy of car $_pw_car (slot $_pw_slot): '$_pw_fpl', truth: '$_pw_burn'"
	# 12. and the laps its fuel lasts after its last lap
	_pw_left=$(_pw_truth ".cars[] | select(.slot == $_pw_slot) | .laps[-1].fuel / .burn")
	_pw_got=$(api "/api/v1/sessions/$_pw_sid/cars/$_pw_car/strategy" 2>/dev/null |
	    jq -r '.strategy.laps_left_fuel' 2>/dev/null)
	[ -n "$_pw_left" ] && awk -v a="$_pw_got" -v b="$_pw_left" \
	    'BEGIN { d = a - b; exit !(a != "" && a != "null" && b > 0 && (d < 0 ? -d : d) <= 0.05 * b) }'
	_pw_ok $? "the team car's laps left on fuel are the truth's within 5 %" ||
	    diag "  strategy of car $_pw_car: '$_pw_got', truth: '$_pw_left'"
}

# _pw_key FILE: "number<TAB>driver" joined into one key, sorted, as a new file
_pw_key() {
	awk -F '\t' '{ printf "%s|%s\t%s\n", $1, $2, $3 }' "$1" | sort -t "$(printf '\t')" -k 1,1 \
	    > "$1.key"
	echo "$1.key"
}
