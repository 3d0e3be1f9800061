#!/bin/sh
# The race charts page in headless Chromium at 1440×900 and 390×844, light
# and dark, over a stack fed by trackside-fakegame's race (three classes):
# no page wider than the window, chart labels at least 11 px, polylines
# equal to the JSON twin's points, the open page gaining points as laps are
# run, the class form and the page without JavaScript. Screenshots go to
# $top_builddir/tests/screenshots/charts-*.png.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
. "$top_srcdir/tests/browser/setup.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_charts_browser.XXXXXX")
PIDS=
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
trap 'kill $PIDS 2>/dev/null; wait $PIDS; stack_stop; rm -rf "$T"' EXIT

# A race long enough for the charts to grow while the page is open.
"$FG" --sim --sessions R --race-minutes 40 --speed 8 --cars 24 --classes Hyper:6,LMP2:6,GT3:12 \
    --seed 7 --listen 0=car:auto1 --port-file "$T/fg.port" > "$T/fg.log" 2>&1 &
PIDS=$!
wait_for 10 test -s "$T/fg.port" || { echo "Bail out! the fake game did not start"; exit 1; }
"$top_builddir/trackside-client" --state-dir "$T/client" --server "$TS_URL" --token "$TS_TOKEN" \
    --quiet --name charts --game-port "$(cat "$T/fg.port")" --poll-interval 0.5 2>>"$T/client.log" &
PIDS="$PIDS $!"

TS_URL=$TS_URL CHROMIUM=$CHROMIUM SCREENSHOTS=$top_builddir/tests/screenshots \
    NODE_PATH=$BROWSER_DEPS/node_modules timeout 600 node "$top_srcdir/tests/browser/charts.js"
rc=$?
[ $rc -eq 0 ] || _tap_failed=1
exit $rc
