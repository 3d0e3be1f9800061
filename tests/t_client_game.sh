#!/bin/sh
# trackside-client polling the simulated game (trackside-fakegame): what a
# poll holds, the guards on a live game (loading, replay), a game that
# stalls or answers garbage, --once, --print, --record and the left frame.
# The waits are for conditions (the game's request count, the frames' game
# time), never for the client to keep a pace, so a busy machine passes too.
. "$top_srcdir/tests/lib.sh"
CLIENT=$top_builddir/trackside-client
FG=$top_builddir/trackside-fakegame
SINK=$top_builddir/client/trackside-sink
[ -x "$FG" ] && [ -x "$SINK" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
plan 18

T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_game.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# A race only, 20 cars, game time 5x the wall clock.
"$FG" --listen 0=car:auto1 --port-file "$T/fg.port" --speed 5 --sessions R --race-minutes 30 \
    --cars 20 > "$T/fg.log" 2>&1 &
PIDS="$PIDS $!"
"$SINK" --out "$T/frames.jsonl" --port-file "$T/sink.port" > "$T/sink.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 30 test -s "$T/fg.port" && wait_for 30 test -s "$T/sink.port"
GP=$(cat "$T/fg.port")
SP=$(cat "$T/sink.port")
G=http://127.0.0.1:$GP
wait_for 30 curl -fsS "$G/rest/watch/sessionInfo"
ok $? "the simulated race is on"
# past the stale standings of the first seconds of game time
wait_for 60 sh -c "curl -fsS '$G/rest/watch/sessionInfo' | jq -e '.currentEventTime > 5'"

"$CLIENT" --state-dir "$T/once" --game-port "$GP" --once --print --quiet > "$T/once.json" 2>"$T/once.log"
ok $? "--once --print exits 0 when the game answers"
is "$(wc -l < "$T/once.json" | tr -d ' ')" 1 "--once --print prints one frame"
is "$(jq -r '[.source, .seq, (.data["/rest/watch/sessionInfo"].session),
    (.data["/rest/watch/standings"] | length), (.data["/rest/multiplayer/teams"].teams | length),
    (.data["/rest/watch/trackmap"] | length > 100)] | map(tostring) | join(" ")' "$T/once.json")" \
    "lmu 1 RACE1 20 20 true" \
    "the first poll of a session holds session info, standings, teams and the track map"

"$CLIENT" --state-dir "$T/down" --game-port 1 --once --print --quiet > "$T/down.json" 2>/dev/null
is "$?:$(wc -c < "$T/down.json" | tr -d ' ')" "1:0" "--once without a game sends nothing and exits 1"

# A live client, polling twice a second, recording as it goes.
"$CLIENT" --state-dir "$T/live" --game-port "$GP" --server "http://127.0.0.1:$SP" \
    --token test-token --poll-interval 0.5 --record "$T/rec.jsonl.gz" --quiet \
    --log-level debug 2> "$T/live.log" &
CPID=$!
PIDS="$PIDS $CPID"
frames() { wc -l < "$T/frames.jsonl" | tr -d ' '; }
has_frames() { [ "$(frames)" -ge "$1" ]; }
polled() { game_polled "$G" "$1"; }	# the client made N more requests
# frames_where JQ-CONDITION: how many frames received match
frames_where() { jq -c "select($1)" "$T/frames.jsonl" | wc -l | tr -d ' '; }
wait_for 60 has_frames 6
ok $? "a live client sends frames of the simulated race"

n0=$(frames)
curl -fsS "$G/fake/stall?seconds=4" > /dev/null
sleep 5
kill -0 "$CPID" && wait_for 60 has_frames $((n0 + 4))
ok $? "a game that stalls does not stop the client; frames resume"

n0=$(frames)
curl -fsS "$G/fake/garbage?count=25" > /dev/null
polled 30
kill -0 "$CPID" && wait_for 60 has_frames $((n0 + 4))
ok $? "a game answering garbage does not stop the client; frames resume"
jq -e . "$T/frames.jsonl" > /dev/null
ok $? "garbage never reaches the server: every frame is JSON"

# Frames sent while game time stood still would all carry the frozen time:
# one poll may reach it before the client sees time stand still.
curl -fsS "$G/fake/loading?on=1" > /dev/null
frozen=$(curl -fsS "$G/rest/watch/sessionInfo" | jq .currentEventTime)
polled 30
curl -fsS "$G/fake/loading?on=0" > /dev/null
wait_for 60 sh -c "[ \$(jq -c 'select(.data[\"/rest/watch/sessionInfo\"].currentEventTime > $frozen)' '$T/frames.jsonl' | wc -l) -ge 3 ]"
resumed=$?
at=$(frames_where ".data[\"/rest/watch/sessionInfo\"].currentEventTime == $frozen")
ok "$( [ "$at" -le 1 ]; echo $?)" "loading guard: nothing is sent while game time stands still ($at frames at ET $frozen)"
ok $resumed "frames resume when the game runs again"

curl -fsS "$G/fake/replay?on=1" > /dev/null
polled 30
curl -fsS "$G/fake/replay?on=0" > /dev/null
n1=$(frames)
wait_for 60 has_frames $((n1 + 3))
resumed=$?
is "$(frames_where '.data["/rest/sessions/GetGameState"].isReplayActive == true')" 0 \
    "replay guard: nothing is sent while the game shows a replay"
ok $resumed "frames resume after the replay"

kill -TERM "$CPID"
wait "$CPID" 2>/dev/null
is "$(tail -n 1 "$T/frames.jsonl" | jq -c '.data["/rest/watch/sessionInfo"]')" null \
    "a client that stops sends a left frame"
polls=$("$CLIENT" --state-dir "$T/rp" --replay "$T/rec.jsonl.gz" --speed max --print --quiet \
    2>/dev/null | jq -r 'select(.data["/rest/watch/sessionInfo"] != null) | .data["/rest/watch/sessionInfo"].currentEventTime' | wc -l)
ok "$( [ "$polls" -ge 10 ]; echo $?)" "--record writes a recording that --replay sends again"

# A weekend of practice and qualifying at 10x: the session change.
"$FG" --listen 0=car:auto2 --port-file "$T/fg2.port" --speed 10 --sessions P,Q \
    --practice-minutes 1 --qualify-minutes 1 --cars 10 > "$T/fg2.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 30 test -s "$T/fg2.port"
G2=http://127.0.0.1:$(cat "$T/fg2.port")
"$CLIENT" --state-dir "$T/wk" --game-port "$(cat "$T/fg2.port")" --poll-interval 0.5 --print \
    --quiet > "$T/wk.jsonl" 2>"$T/wk.log" &
CPID=$!
PIDS="$PIDS $CPID"
wait_for 300 sh -c "curl -fsS '$G2/fake/status' | jq -e '.progress >= 1'"
kill -TERM "$CPID"
wait "$CPID" 2>/dev/null
is "$(jq -r '.data["/rest/watch/sessionInfo"].session // "left"' "$T/wk.jsonl" | uniq | tr '\n' ' ')" \
    "PRACTICE1 left QUALIFY1 left " "practice, one left frame at the loading screen, qualifying"
is "$(jq -c 'select(.data["/rest/watch/sessionInfo"].session == "QUALIFY1" and
    .data["/rest/watch/sessionInfo"].gamePhase != 8 and
    ([.data["/rest/watch/standings"][]? | select(.finishStatus == "FSTAT_FINISHED")] | length > 0))
    | .seq' "$T/wk.jsonl" | wc -l | tr -d ' ')" 0 \
    "stale guard: practice's finished cars are not sent as qualifying"
grep -q "session left" "$T/wk.log"
ok $? "the session change is logged"
done_testing
