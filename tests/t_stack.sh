#!/bin/sh
# The whole stack end to end: a recorded race uploaded through a real nginx
# into trackside-fcgi, applied by trackside-ingestd into SQLite, and read
# back through the JSON API and the pages.
# Without ../shared/data the race comes from the fake game, and the
# comparisons with recorded truth are skipped.
. "$top_srcdir/tests/lib.sh"
plan 20

stack_start || { echo "Bail out! the stack did not start"; exit 1; }
check "healthz answers through nginx" curl -fsS "$TS_URL/healthz"
race_recordings "$TS_DIR"
REC=$REC_A

"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c stackclientA -b 50 "$REC" > "$TS_DIR/post.out" 2>&1
ok $? "the recording is uploaded"
frames=$(zcat "$REC" | tail -n +2 | wc -l)
check "the worker applies every frame" wait_for 300 inbox_empty
is "$(sqlite3 "$TS_DB" 'SELECT count(*) FROM raw_frames')" "$frames" "every frame is kept raw, once"

list=$(api /api/v1/sessions)
id=$(printf '%s' "$list" | jq -r '.sessions[0].id')
is "$(printf '%s' "$list" | jq -r '.total')" 1 "the recording makes one session"
is "$(printf '%s' "$list" | jq -r '.sessions[0].track + " " + .sessions[0].type')" \
   "$REC_TRACK race1" "the session has the recording's track and type"

s=$(api "/api/v1/sessions/$id")
is "$(printf '%s' "$s" | jq '.standings | length')" "$REC_CARS" "the standings have every car"
laps=$(api "/api/v1/sessions/$id/laps")
if [ -n "$TRUTH" ]; then
	is "$(printf '%s' "$s" | jq -r '.standings[0].slot')" \
	   "$(jq '.sessions[0].cars[] | select(.final_position == 1) | .slot' "$TRUTH")" \
	   "the leader is the truth's winner"
	for slot in 56 69; do
		got=$(printf '%s' "$laps" | jq "[.cars[] | select(.slot == $slot) | .laps[] | select(.time != null)] | length")
		want=$(jq "[.sessions[0].cars[] | select(.slot == $slot) | .laps[] | select(.time > 0)] | length" "$TRUTH")
		is "$got" "$want" "car $slot has the truth's number of timed laps"
	done
	got=$(printf '%s' "$laps" | jq '.cars[] | select(.slot == 56) | .laps[] | select(.lap == 2) | .time')
	want=$(jq '.sessions[0].cars[] | select(.slot == 56) | .laps[] | select(.lap == 2) | .time * 1000 | round / 1000' "$TRUTH")
	is "$got" "$want" "a lap time matches the truth to the millisecond"
else
	for t in "the leader is the truth's winner" "a car has the truth's number of timed laps" \
	    "another car has the truth's number of timed laps" "a lap time matches the truth to the millisecond"; do
		skip_data "$t"
	done
fi

page=$(curl -fsS "$TS_URL/sessions/$id")
case $page in *"$REC_TRACK"*"$REC_DRIVER"*) r=0 ;; *) r=1 ;; esac
ok $r "the session page shows the track and the drivers"
hdrs=$(curl -fsSI "$TS_URL/")
case $hdrs in *"X-Content-Type-Options: nosniff"*"Content-Security-Policy"*) r=0 ;; *) r=1 ;; esac
ok $r "pages carry security headers"
ctype=$(curl -fsS -o /dev/null -w '%{content_type}' "$TS_URL/static/style.css")
case $ctype in text/css*) r=0 ;; *) r=1 ;; esac
ok $r "nginx serves static files"

# Bad input through nginx: a clear JSON error, and nothing stored.
before=$(sqlite3 "$TS_DB" 'SELECT count(*) FROM raw_frames')
code=$(curl -sS -o "$TS_DIR/err.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"v":1}' "$TS_URL/api/v1/frames")
is "$code $(jq -r .error "$TS_DIR/err.json")" "401 unauthorized" "an upload without a token is refused"
head -c 3000000 /dev/zero | tr '\0' ' ' > "$TS_DIR/big.json"
code=$(curl -sS -o "$TS_DIR/err.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TS_TOKEN" --data-binary "@$TS_DIR/big.json" "$TS_URL/api/v1/frames")
is "$code $(jq -r .error "$TS_DIR/err.json")" "413 too_large" "an oversize upload is refused by nginx"
code=$(curl -sS -o "$TS_DIR/err.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TS_TOKEN" --data '{"v":1,' "$TS_URL/api/v1/frames")
is "$code $(jq -r .error "$TS_DIR/err.json")" "400 bad_json" "malformed JSON is refused"
"$top_builddir/tests/post-recording" -u "$TS_URL/api/v1/frames" -t "$TS_TOKEN" \
    -c stackclientA -b 10 -n 30 "$REC" > /dev/null 2>&1
ok $? "frames sent again are acknowledged"
sleep 1
wait_for 30 inbox_empty
is "$(sqlite3 "$TS_DB" 'SELECT count(*) FROM raw_frames')" "$before" "nothing bad or duplicate was stored"

# Pages are rate limited per address (30/s, bursts of 60): 200 requests at
# once, from one curl over 100 connections so that a slow machine still
# sends them faster than the limit. Past the burst, no more than 30 a
# second get through.
for i in $(seq 200); do
	printf 'url = "%s/api/v1/sessions?limit=1"\noutput = "/dev/null"\n' "$TS_URL"
done > "$TS_DIR/burst.curl"
t0=$(date +%s.%N)
curl -sS --parallel --parallel-immediate --parallel-max 100 -K "$TS_DIR/burst.curl" \
    -w '%{http_code}\n' > "$TS_DIR/codes"
t1=$(date +%s.%N)
code=$(curl -sS -o "$TS_DIR/err.json" -w '%{http_code}' "$TS_URL/api/v1/sessions")
n200=$(grep -c '^200$' "$TS_DIR/codes")
n429=$(grep -c '^429$' "$TS_DIR/codes")
[ "$n429" -gt 0 ] && [ "$n200" -ge 60 ] && [ $((n200 + n429)) -eq 200 ] &&
    awk -v n="$n200" -v t0="$t0" -v t1="$t1" 'BEGIN { exit !(n <= 61 + 30 * (t1 - t0)) }' &&
    { [ "$code" = 200 ] || [ "$(jq -r .error "$TS_DIR/err.json")" = rate_limited ]; }
ok $? "a burst of requests from one address is answered 429 past the limit ($n200 passed, $n429 refused)"
done_testing
