#!/bin/sh
# Every page as a user sees it, in headless Chromium at 1440×900 and on a
# phone (390×844), over a stack fed by trackside-fakegame (a qualifying and
# a short race; no recordings needed): no page wider than the window, the
# entry list once, the phone's header before the results, badges at WCAG AA
# contrast in both themes, distinct titles, one h1, HTML 404s, and an open
# race page that shows the chequered flag within 2 s of it. Screenshots go
# to $top_builddir/tests/screenshots/pages-*.png.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "no trackside-fakegame (libmicrohttpd)"
. "$top_srcdir/tests/browser/setup.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_pages_browser.XXXXXX")
PIDS=
stack_start || { echo "Bail out! the stack did not start"; exit 1; }
# the game and the client stop before the stack (stack_start set its own trap)
trap 'kill $PIDS 2>/dev/null; wait $PIDS; stack_stop; rm -rf "$T"' EXIT

# A qualifying, then a race long enough to check every page before its flag.
"$FG" --sim --sessions Q,R --qualify-minutes 4 --race-minutes 24 --speed 6 --cars 16 --seed 5 \
    --listen 0=car:auto1 --port-file "$T/fg.port" > "$T/fg.log" 2>&1 &
PIDS=$!
wait_for 10 test -s "$T/fg.port" || { echo "Bail out! the fake game did not start"; exit 1; }
"$top_builddir/trackside-client" --state-dir "$T/client" --server "$TS_URL" --token "$TS_TOKEN" \
    --quiet --name pages --game-port "$(cat "$T/fg.port")" --poll-interval 0.5 2>>"$T/client.log" &
PIDS="$PIDS $!"

TS_URL=$TS_URL CHROMIUM=$CHROMIUM SCREENSHOTS=$top_builddir/tests/screenshots \
    NODE_PATH=$BROWSER_DEPS/node_modules timeout 600 node "$top_srcdir/tests/browser/pages.js"
rc=$?
[ $rc -eq 0 ] || _tap_failed=1
exit $rc
