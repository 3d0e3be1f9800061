#!/bin/sh
# The pages of an Automobilista 2 session (a sim without car numbers, teams
# or chat) as a user sees them, in headless Chromium at 1440×900 and
# 390×844, live and once finished: no empty team column or chat panel,
# "Fuel" not "Fuel·VE", headings without a lone "#", the map drawn from the
# outline the server learnt with each car marked by its position, and the
# same laps, best and last times on the tower as the API says. Fed by
# trackside-fakegame --sim pcars2 through a real client. Screenshots go to
# $top_builddir/tests/screenshots/pcars2-*.png.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
. "$top_srcdir/tests/browser/setup.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_pcars2_browser.XXXXXX")
PIDS=
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; stack_stop; rm -rf "$T"' EXIT

P=$(_free_port)
"$top_builddir/trackside-client" --state-dir "$T/client" --server "$TS_URL" --token "$TS_TOKEN" \
    --quiet --name ams2 --source pcars2 --pcars2-listen "127.0.0.1:$P" 2>>"$T/client.log" &
PIDS=$!
wait_for 30 sh -c "ss -Hlun 'sport = :$P' | grep -q ." ||
    { echo "Bail out! the client does not listen"; exit 1; }
"$FG" --sim pcars2 --pcars2-send "127.0.0.1:$P" --sessions R --race-minutes 4 --speed 2 \
    --cars 12 --track-length 1500 --seed 9 --truth "$T/truth.json" > "$T/fg.log" 2>&1 &
PIDS="$PIDS $!"

TS_URL=$TS_URL CHROMIUM=$CHROMIUM SCREENSHOTS=$top_builddir/tests/screenshots TRUTH=$T/truth.json \
    NODE_PATH=$BROWSER_DEPS/node_modules timeout 900 node "$top_srcdir/tests/browser/pcars2.js"
rc=$?
[ $rc -eq 0 ] || { _tap_failed=1; tail -n 5 "$T/fg.log" "$T/client.log" | sed 's/^/# /'; }
exit $rc
