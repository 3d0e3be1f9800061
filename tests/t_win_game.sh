#!/bin/sh
# The Windows client under Wine polls a game over HTTP (trackside-fakegame,
# a Linux program, on a loopback port) and uploads to a whole stack
# (tests/lib.sh): a live session with every car appears; --version answers;
# Ctrl-C (SIGINT, which Wine hands to the console handler) stops it cleanly,
# with the frame that says it left.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "trackside-fakegame not built (no libmicrohttpd)"
plan 8

T=$(mktemp -d "${TMPDIR:-/tmp}/t_win_game.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	stack_stop
	rm -rf "$T"
}
trap cleanup EXIT

win_client --version > "$T/version" 2>&1
r=$?
v=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
[ "$r" -eq 0 ] && [ -n "$v" ] && head -n 1 "$T/version" | tr -d '\r' | grep -q "^trackside-client[ /]$v\b"
ok $? "--version prints the version ($v)"
[ "$_tap_failed" -eq 0 ] || sed 's/^/# /' "$T/version"

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap cleanup EXIT
"$FG" --listen 0=car:auto1 --port-file "$T/fg.port" --speed 5 --sessions R \
    --race-minutes 20 --cars 12 > "$T/fg.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 30 test -s "$T/fg.port"
win_client_bg "$T/client.log" --state-dir "$(winpath "$T/state")" --server "$TS_URL" \
    --token "$TS_TOKEN" --name windows --game-host 127.0.0.1 --game-port "$(cat "$T/fg.port")" \
    --poll-interval 0.5 --log-level info
PIDS="$PIDS $CPID"
wait_for 180 sh -c "curl -fsS '$TS_URL/api/v1/sessions' | jq -e '.sessions[] |
    select(.type == \"race1\" and .cars == 12)'"
ok $? "the Windows client on the simulated race makes a live session with every car"
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/client.log" | sed 's/^/# /'
# the session goes on: more frames of this client keep arriving
n=$(sqlite3 "$TS_DB" "SELECT count(*) FROM raw_frames")
wait_for 60 sh -c "[ \$(sqlite3 '$TS_DB' 'SELECT count(*) FROM raw_frames') -ge $((n + 10)) ]"
ok $? "its frames keep arriving while the game runs"
sid=$(api /api/v1/sessions | jq -r '.sessions[] | select(.type == "race1") | .id')
wait_for 120 sh -c "curl -fsS '$TS_URL/api/v1/sessions/$sid/laps' | jq -e '[.cars[].laps[]] | length >= 12'"
ok $? "laps are timed from what it sees"
is "$(sqlite3 "$TS_DB" "SELECT count(DISTINCT client), count(*) = max(seq), min(seq)
    FROM raw_frames")" "1|1|1" "one client, its frames numbered from 1 without a gap"
kill -INT "$CPID"
wait "$CPID"
ok $? "Ctrl-C stops the Windows client with status 0"
PIDS=${PIDS% $CPID}
[ "$_tap_failed" -eq 0 ] || tail -n 20 "$T/client.log" | sed 's/^/# /'
wait_for 60 inbox_empty
n=$(tr -d '\r\n' < "$T/state/spool/acked")
sqlite3 "$TS_DB" "SELECT writefile('$T/last.gz', body) FROM raw_frames ORDER BY seq DESC LIMIT 1" \
    > /dev/null
[ "$(sqlite3 "$TS_DB" "SELECT count(*) || '|' || max(seq) FROM raw_frames")" = "$n|$n" ] &&
    gzip -dc "$T/last.gz" | grep -q '"/rest/watch/sessionInfo":null'
ok $? "every acknowledged frame is stored ($n), the last one says the client left"
tr -d '\r' < "$T/client.log" | grep -q 'game found, in session RACE1 .* | server reachable | [0-9]* frames sent, 0 spooled$'
ok $? "its last status line says in plain words: game found, in session, server reachable, frames sent, none spooled"
[ "$_tap_failed" -eq 0 ] || tail -n 5 "$T/client.log" | sed 's/^/# /'
done_testing
