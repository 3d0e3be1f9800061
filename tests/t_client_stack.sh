#!/bin/sh
# trackside-client against the whole stack (tests/lib.sh: nginx, FastCGI,
# ingestd, SQLite): a live client on the simulated game makes a session; a
# server outage in the middle of a replay loses nothing and reorders
# nothing; three clients replaying sebring-school-race-A/B/C in step make
# the session one client replaying A makes. Without ../shared/data, A, B
# and C are recorded from a race of the fake game. Every wait is for a
# condition, with room for a busy machine.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
FG=$top_builddir/trackside-fakegame
plan 14
# three clients from one address: no per-address upload rate limit
TS_NGINX_ARGS=--no-rate-limit

T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_stack.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT
race_recordings "$T"
# In step, game time runs 20 times the wall clock with the real races and
# 10 times with the fake game's (recorded at 10 times): the server merges
# the clients while their lag times this stays within its tolerance (10 s).
if [ -n "$TRUTH" ]; then	# real races: 56 min (A), 28 min (B)
	outage_speed=200 step_speed=20
else			# the fake game's: about 70 s
	outage_speed=8 step_speed=1
fi
start() {	# stack_start sets its own EXIT trap: put ours back (it stops the stack too)
	stack_start || { echo "Bail out! the stack did not start"; exit 1; }
	trap cleanup EXIT
}
client() {	# NAME ARGS...
	_n=$1
	shift
	"$CLIENT" --state-dir "$T/$_n" --server "$TS_URL" --token "$TS_TOKEN" --quiet \
	    --name "$_n" "$@" 2>>"$T/$_n.log"
}
# laps of the session as "slot lap time" lines, sorted
client_bg() {	# NAME ARGS...: in the background, CPID set
	_n=$1
	shift
	"$CLIENT" --state-dir "$T/$_n" --server "$TS_URL" --token "$TS_TOKEN" --quiet \
	    --name "$_n" "$@" 2>>"$T/$_n.log" &
	CPID=$!
	PIDS="$PIDS $CPID"
}
laps_of() {
	api "/api/v1/sessions/$1/laps" | jq -r '.cars[] | .slot as $s | .laps[] |
	    "\($s) \(.lap) \(.time)"' | sort -n -k1,1 -k2,2
}
one_session() { api /api/v1/sessions | jq -r '.sessions[] | select(.type == "race1") | .id'; }
frames_of() { sqlite3 "$TS_DB" "SELECT count(*), min(seq), max(seq) FROM raw_frames WHERE client = '$(cat "$T/$1/client-id")'"; }
in_order() {	# no frame of the client was received before the one before it
	sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames a JOIN raw_frames b ON a.client = b.client
	    AND b.seq = a.seq + 1 WHERE a.client = '$(cat "$T/$1/client-id")' AND
	    b.received_at < a.received_at"
}

# 1. A live client on the simulated game.
start
if [ -x "$FG" ]; then
	"$FG" --listen 0=car:auto1 --port-file "$T/fg.port" --speed 5 --sessions R \
	    --race-minutes 20 --cars 12 > "$T/fg.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 30 test -s "$T/fg.port"
	client_bg live --game-port "$(cat "$T/fg.port")" --poll-interval 0.5
	wait_for 120 sh -c "curl -fsS '$TS_URL/api/v1/sessions' | jq -e '.sessions[] |
	    select(.type == \"race1\" and .cars == 12)'"
	ok $? "a live client on the simulated race makes a live session with every car"
	kill -TERM "$CPID"
	wait "$CPID"
	ok $? "the live client stops cleanly"
	wait_for 120 inbox_empty
	n=$(cat "$T/live/spool/acked")
	is "$(frames_of live)" "$n|1|$n" "every frame of the live client is stored, the left frame too"
else
	skip "no trackside-fakegame"; skip "no trackside-fakegame"; skip "no trackside-fakegame"
fi
stack_stop

# 2. One client replays race B without interruption: the reference.
start
client ref --replay "$REC_B" --speed max
ok $? "an uninterrupted replay of race B is sent"
wait_for 300 inbox_empty
ref=$(one_session)
laps_of "$ref" > "$T/laps.ref"
ref_frames=$(frames_of ref)
stack_stop

# 3. The same with the server gone for 8 s in the middle.
start
client_bg outage --replay "$REC_B" --speed "$outage_speed" --log-level info
stored() { [ "$(sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames")" -gt 0 ]; }
wait_for 60 stored	# the replay is under way
stack_stop_service fcgi
stack_stop_service ingestd KILL
sleep 8
stack_start_service fcgi
stack_start_service ingestd
wait "$CPID"
ok $? "the replay finishes after the server comes back"
grep -q "frames kept, retrying" "$T/outage.log" && grep -q "reachable again" "$T/outage.log"
r=$?
ok $r "the client noticed the outage and the recovery"
[ $r -eq 0 ] || tail -n 20 "$T/outage.log" | sed 's/^/# /'
wait_for 300 inbox_empty
is "$(frames_of outage)" "$ref_frames" "every frame arrived once (as many as without the outage, seq from 1)"
is "$(in_order outage)" 0 "frames arrived in seq order"
laps_of "$(one_session)" > "$T/laps.outage"
is "$(wc -l < "$T/laps.outage" | tr -d ' ')" "$(wc -l < "$T/laps.ref" | tr -d ' ')" \
    "the session has as many laps as without the outage"
cmp -s "$T/laps.ref" "$T/laps.outage"
ok $? "the session's laps are those of the uninterrupted replay (through the API)"
stack_stop

# 4. One client replays A; then three clients replay A, B and C in step.
start
client single --replay "$REC_A" --speed max
wait_for 300 inbox_empty
single=$(one_session)
laps_of "$single" > "$T/laps.single"
api "/api/v1/sessions/$single" | jq -c '[.standings[] | [.slot, .laps, .position]]' > "$T/st.single"
stack_stop

start
for x in A B C; do
	eval "rec=\$REC_$x"
	client_bg "multi$x" --replay "$rec" --speed "$step_speed" --replay-epoch "$REC_EPOCH"
	eval "P$x=\$CPID"
done
wait "$PA" && wait "$PB" && wait "$PC"
ok $? "three clients replay A, B (leaves halfway) and C (joins late) in step"
wait_for 300 inbox_empty
is "$(api /api/v1/sessions | jq '[.sessions[] | select(.type == "race1")] | length')" 1 \
    "the three clients make one session"
[ "$_tap_failed" -eq 0 ] || api /api/v1/sessions | jq -c '.sessions[]' | sed 's/^/# /'
multi=$(one_session)
laps_of "$multi" > "$T/laps.multi"
cmp -s "$T/laps.single" "$T/laps.multi"
ok $? "its laps are those one uninterrupted client makes"
[ "$_tap_failed" -eq 0 ] || diff "$T/laps.single" "$T/laps.multi" | head -20 | sed 's/^/# /'
is "$(api "/api/v1/sessions/$multi" | jq -c '[.standings[] | [.slot, .laps, .position]]')" \
    "$(cat "$T/st.single")" "its final standings are those of the single client"
done_testing
