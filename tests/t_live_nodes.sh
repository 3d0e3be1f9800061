#!/bin/sh
# Two nginx nodes sharing the live channels through Redis (docs/scale-out.md):
# node A is the stack's nginx, which trackside-ingestd publishes to; node B is
# a second nginx that only serves viewers. A recorded race is uploaded through
# A while viewers listen on both: B's viewer gets every event in order, A's
# the same ones, and when B stops its viewer resumes on A by Last-Event-ID
# without a gap.
# Without redis-server the test is skipped, unless TRACKSIDE_REQUIRE_NODES is
# set (.ci/run does): then it fails.
. "$top_srcdir/tests/lib.sh"

REDIS_SERVER=${REDIS_SERVER:-redis-server}
command -v "$REDIS_SERVER" >/dev/null 2>&1 || REDIS_SERVER=/usr/bin/redis-server
if [ ! -x "$REDIS_SERVER" ] && ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
	[ "${TRACKSIDE_REQUIRE_NODES:-0}" != 0 ] &&
	    { echo "Bail out! no redis-server (TRACKSIDE_REQUIRE_NODES is set)"; exit 1; }
	skip_all "no redis-server"
fi
plan 7

T=$(mktemp -d "${TMPDIR:-/tmp}/trackside-nodes.XXXXXX")
mkdir -p "$T/redis" "$T/logs"
redis_pid= viewers=

nodes_stop() {
	[ -n "$viewers" ] && kill $viewers 2>/dev/null
	[ -f "$T/nginxB/nginx.pid" ] && "$NGINX" -c "$T/nginxB/nginx.conf" -p "$T/nginxB" \
	    -e "$T/nginxB/logs/nginx-error.log" -s stop 2>/dev/null
	stack_stop
	if [ -n "$redis_pid" ]; then
		kill "$redis_pid" 2>/dev/null
		wait "$redis_pid" 2>/dev/null
	fi
	if [ "$_tap_failed" -ne 0 ] || [ -n "${KEEP_TEST_DIR:-}" ]; then
		diag "node B and Redis kept in $T"
		for _l in "$T"/logs/*.log "$T"/nginxB/logs/nginx-error.log; do
			[ -s "$_l" ] && { diag "--- $_l"; tail -n 20 "$_l" | sed 's/^/# /'; }
		done
	else
		rm -rf "$T"
	fi
}
trap nodes_stop EXIT

# Redis on a free loopback port, its files in $T/redis.
redis_ready() { grep -q 'Ready to accept connections' "$T/logs/redis.log" || ! kill -0 "$redis_pid"; }
for _try in 1 2 3 4 5; do
	RPORT=$(_free_port)
	"$REDIS_SERVER" --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
	    --dir "$T/redis" --daemonize no > "$T/logs/redis.log" 2>&1 &
	redis_pid=$!
	wait_for 10 redis_ready
	kill -0 "$redis_pid" 2>/dev/null && grep -q 'Ready to accept' "$T/logs/redis.log" && break
	wait "$redis_pid" 2>/dev/null
	redis_pid=
done
[ -n "$redis_pid" ] || { echo "Bail out! redis-server did not start"; exit 1; }

# Node A: the stack's nginx.
TS_NGINX_ARGS="--redis 127.0.0.1:$RPORT"
stack_start
stack_up=$?
trap nodes_stop EXIT
[ "$stack_up" -eq 0 ] || { echo "Bail out! the stack did not start"; exit 1; }
URL_A=$TS_URL

# Node B: a second nginx on the same Redis, the same application, a
# publisher socket of its own that nobody publishes to.
for _try in 1 2 3 4 5; do
	PORT_B=$(_free_port)
	URL_B=http://127.0.0.1:$PORT_B
	conf_b=$("$top_srcdir/scripts/nginx-conf" --listen "127.0.0.1:$PORT_B" \
	    --static "$top_srcdir/static" --fcgi "$TS_DIR/run/fcgi.sock" \
	    --publish "$T/b-publish.sock" --prefix "$T/nginxB" --workers 1 \
	    --redis "127.0.0.1:$RPORT")
	rm -f "$T/b-publish.sock"	# left by an attempt that failed
	"$NGINX" -c "$conf_b" -p "$T/nginxB" -e "$T/nginxB/logs/nginx-error.log" \
	    2>>"$T/logs/nginxB.start" && break
	conf_b=
done
[ -n "$conf_b" ] && wait_for 10 curl -fsS "$URL_B/healthz" ||
    { echo "Bail out! node B did not start: $(cat "$T/logs/nginxB.start")"; exit 1; }

race_recordings "$TS_DIR"
zcat "$REC_A" | sed -n '1p;2,200p' > "$T/part1.jsonl"
zcat "$REC_A" | sed -n '1p;201,320p' > "$T/part2.jsonl"
zcat "$REC_A" | sed -n '1p;321,520p' > "$T/part3.jsonl"
[ "$(wc -l < "$T/part3.jsonl")" -ge 101 ] || { echo "Bail out! $REC_A has too few polls"; exit 1; }
post() {
	"$top_builddir/tests/post-recording" -u "$URL_A/api/v1/frames" -t "$TS_TOKEN" \
	    -c nodesclient01 "$@" >>"$TS_DIR/logs/post.log" 2>&1
}
# view NAME URL [CURL-ARGS]: a viewer in the background, into $T/NAME.sse;
# its process id in pid_NAME.
view() {
	_v=$1 _u=$2
	shift 2
	curl -sN --max-time 900 "$@" "$_u" > "$T/$_v.sse" 2>/dev/null &
	viewers="$viewers $!"
	eval "pid_$_v=\$!"
}
# events NAME: the complete events of $T/NAME.sse, one JSON object a line:
# {"id": nchan's message id, "data": the event's JSON}.
events() {
	awk '/^id: /{ id = substr($0, 5) }
	    /^data: \{/{ data = substr($0, 7) }
	    /^$/{ if (data != "") printf "{\"id\":\"%s\",\"data\":%s}\n", id, data; id = ""; data = "" }' \
	    "$T/$1.sse"
}
nevents() { events "$1" | wc -l | tr -d ' '; }
# The session's elapsed time an event brings (a snapshot's et, a delta's
# session.et), the last of a stream.
jq_et='def et: if (.session | type) == "object" and .session.et != null then .session.et else .et end;'
last_et() { events "$1" | jq -s -r "$jq_et"' [.[].data | et | numbers] | last // empty'; }
caught_up() { [ "$(last_et "$1")" = "$api_et" ]; }
# gapless NAME FROM: the stream brings every event of the delta channel
# after the one the viewer holds, once and in order: seq strictly +1. The
# viewer holds seq FROM, or with -1 nothing; it then holds the first
# snapshot, which must cover FROM (a stream resumed after FROM may instead
# go on with the event right after it). Events the snapshot covers, and
# later snapshots, are passed over: a browser drops them (static/live.js).
# Prints how many delta-channel events that was; fails otherwise.
jq_gapless='(map(.data | select(.event == "snapshot")) | first) as $snap
    | (if $from >= 0 and .[0].data.event != "snapshot" then $from
       elif $snap != null and $snap.seq >= $from then $snap.seq
       else error("no snapshot") end) as $s
    | [.[] | .data | select(.event != "snapshot") | .seq | select(. > $s)] as $d
    | if $d == [range($s + 1; $s + 1 + ($d | length))] then $d | length
      else error("out of order") end'
gapless() { events "$1" | jq -s -e --argjson from "$2" "$jq_gapless" 2>/dev/null; }
# show NAME: the first events of a stream, for the log.
show() { diag "$1: $(events "$1" | head -n 60 | jq -r '"\(.data.event) \(.data.seq) \(.id)"' | tr '\n' ' ')"; }

started=$(date +%s)
view listB "$URL_B/live/sessions"
wait_for 30 grep -q '^event: snapshot' "$T/listB.sse"
post "$T/part1.jsonl"
wait_for 60 inbox_empty
id=$(api /api/v1/sessions | jq -r '.sessions[0].id')

# 1. Viewers on both nodes while the race goes on through node A.
view b "$URL_B/live/sessions/$id"
view a "$URL_A/live/sessions/$id"
wait_for 30 grep -q '^event: snapshot' "$T/b.sse"
wait_for 30 grep -q '^event: snapshot' "$T/a.sse"
snap=$(events b | jq -s -r 'map(.data | select(.event == "snapshot")) | first |
    .id + " " + (.standings | length | tostring)')
is "$snap" "$id $REC_CARS" "a viewer on node B gets a snapshot of the session with every car"

post -s 200 -r 10 "$T/part2.jsonl"
wait_for 60 inbox_empty
api_et=$(api "/api/v1/sessions/$id" | jq '.et')
wait_for 60 caught_up b
wait_for 60 caught_up a
nb=$(gapless b -1) || show b
[ "${nb:-0}" -ge 10 ] && caught_up b
ok $? "node B's viewer gets every event in order, no gap, up to the API's ET (${nb:-0} events, ET $(last_et b) = $api_et)"

grep -q '^event: session' "$T/listB.sse" && events listB | jq -s -e --arg id "$id" \
    'any(.[].data; .event == "session" and .id == $id)' >/dev/null
ok $? "the live list on node B announces the session"

# 2. Node B stops once its viewer has 10 events of the rest of the race;
# the viewer goes on at node A from the last id it saw.
post -s 320 -r 10 "$T/part3.jsonl" &
post_pid=$!
n1=$(nevents b)
wait_for 60 sh -c "[ \$(grep -c '^event: ' '$T/b.sse') -ge $((n1 + 10)) ]"
"$NGINX" -c "$T/nginxB/nginx.conf" -p "$T/nginxB" -e "$T/nginxB/logs/nginx-error.log" -s stop
wait_for 30 sh -c "! kill -0 $pid_b"
nb=$(nevents b)
last=$(events b | tail -n 1)
last_id=$(printf '%s' "$last" | jq -r .id)
last_seq=$(printf '%s' "$last" | jq -r .data.seq)

# Node A's viewer got what node B's got: the delta channel's events after
# both first snapshots, and the id of each event both got (nchan's compound
# id names the viewer's place in both channels; the bracketed part is the
# message's own). The order between a snapshot and a delta published
# together may differ from node to node, a node may pass over a snapshot
# that nothing needs, and a snapshot sent again (after nginx reported a new
# channel) has the seq of the one before: snapshots are only reported.
has_b() { [ "$(nevents a)" -ge "$nb" ]; }
wait_for 60 has_b
events a > "$T/a.ev"
events b > "$T/b.ev"
jq_nodes='def chan: if .data.event == "snapshot" then "s" else "d" end;
    def own: (.id | split(":")) as [$t, $g] | ($t | split(",")) as $ts | ($g | split(",")) as $gs
        | ($gs | map(startswith("[")) | index(true)) as $i
        | "\($ts[if ($ts | length) > 1 then $i else 0 end]):\($gs[$i] | ltrimstr("[") | rtrimstr("]"))";
    def start: map(select(.data.event == "snapshot")) | first | .data.seq;
    def seqs($c; $s): map(select(chan == $c) | .data.seq | select(. > $s));
    ([($a | start), ($b | start)] | max) as $s'
same_seqs() {
	jq -n -e --slurpfile a "$T/a.ev" --slurpfile b "$T/b.ev" "$jq_nodes"'
	    | ($a | seqs("d"; $s)) as $da | ($b | seqs("d"; $s)) as $db
	    | if ($db | length) > 10 and $da[0:($db | length)] == $db
	      then $db | length else error("differ") end' 2>/dev/null
}
# snapshots_of NAME: the seqs of the snapshots a stream brought.
snapshots_of() { jq -r 'select(.data.event == "snapshot") | .data.seq' "$T/$1.ev" | tr '\n' ' '; }
same_ids() {
	jq -n -e --slurpfile a "$T/a.ev" --slurpfile b "$T/b.ev" "$jq_nodes"'
	    | (reduce ($a[] | select(chan == "d")) as $e ({}; .["\($e.data.seq)"] = ($e | own))) as $on_a
	    | [$b[] | select(chan == "d") | $on_a["\(.data.seq)"] as $x | select($x != null) | $x == own] as $eq
	    | if ($eq | length) > 10 and all($eq[]; .) then $eq | length else error("differ") end' 2>/dev/null
}
n=$(same_seqs)
ok $? "a viewer on node A gets the same events in the same order as node B's (${n:-0} events)"
sa=$(snapshots_of a) sb=$(snapshots_of b)
case $sa in "$sb"*) ;; *) diag "snapshots on node A: $sa; on node B: $sb" ;; esac
n=$(same_ids)
ok $? "nchan's message ids of the events are the same on both nodes (${n:-0} messages)"

kill -0 "$post_pid" 2>/dev/null
uploading=$?
view r "$URL_A/live/sessions/$id" -H "Last-Event-ID: $last_id"
wait_for 30 grep -q '^data: {' "$T/r.sse"
wait "$post_pid"
wait_for 60 inbox_empty
api_et=$(api "/api/v1/sessions/$id" | jq '.et')
wait_for 60 caught_up r
nr=$(gapless r "$last_seq") || show r
first=$(events r | head -n 1 | jq -r '.data | .event + " " + (.seq | tostring)')
[ "$uploading" -eq 0 ] && [ "${nr:-0}" -ge 10 ]
ok $? "node B's viewer resumes on node A by Last-Event-ID without a gap during the upload (last seen $last_seq, then $first, ${nr:-0} events)"
[ "$(last_et r)" = "$api_et" ] && [ "$(last_et a)" = "$api_et" ]
ok $? "the resumed viewer and node A's own reach the API's ET ($api_et)"
diag "$(( $(date +%s) - started )) s: $nb events on node B, $nr more after resuming on node A"
done_testing
