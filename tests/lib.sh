# Shell library for the tests that run real programs: TAP output, and a whole
# Trackside stack (nginx on an ephemeral loopback port, trackside-fcgi,
# trackside-ingestd, a fresh database) in a temporary directory.
#
#	. "$top_srcdir/tests/lib.sh"
#	plan 3
#	stack_start
#	check "healthz answers" curl -fsS "$TS_URL/healthz"
#	...
#	done_testing
# The stack stops when the test exits.

: "${top_srcdir:?}" "${top_builddir:?}"
NGINX=${NGINX:-nginx}
command -v "$NGINX" >/dev/null 2>&1 || NGINX=/usr/sbin/nginx
# nginx takes an environment variable named NGINX for sockets inherited from a
# binary upgrade, and then stays in the foreground: keep it unexported.
_nginx=$NGINX; unset NGINX; NGINX=$_nginx
SHARED_DATA=$top_srcdir/../shared/data

_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }
diag() { printf '# %s\n' "$*"; }

# ok COND-EXIT-STATUS NAME: records a result from the status of the last command.
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# check NAME COMMAND...: runs the command; passes when it exits 0.
check() {
	_name=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$_name"
}

# is GOT EXPECTED NAME
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "  got '$1', expected '$2'"
	fi
}

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
done_testing() { [ "$_tap_failed" -eq 0 ]; exit $?; }

# The recordings and truth of ../shared/data. Without them a test skips what
# needs them, unless TRACKSIDE_REQUIRE_DATA is set (.ci/run does): then it fails.
have_data() { [ -d "$SHARED_DATA/recordings" ]; }
_require_data() { [ "${TRACKSIDE_REQUIRE_DATA:-0}" != 0 ]; }
_no_data() { echo "Bail out! no $SHARED_DATA (TRACKSIDE_REQUIRE_DATA is set)"; exit 1; }
need_data() { have_data || { _require_data && _no_data; skip_all "no ../shared/data"; }; }
# skip_data NAME: an assertion that compares with recorded truth, passed over
# without ../shared/data.
skip_data() {
	if _require_data; then
		ok 1 "$* (no $SHARED_DATA, TRACKSIDE_REQUIRE_DATA is set)"
	else
		skip "no ../shared/data: $*"
	fi
}

# need_data_or_fake: ../shared/data, or the fake game to make races without it.
need_data_or_fake() {
	have_data && return 0
	_require_data && _no_data
	[ -x "$top_builddir/trackside-fakegame" ] ||
	    skip_all "no ../shared/data, and no trackside-fakegame (libmicrohttpd) to make a race"
}

# race_recordings DIR: three recordings of one race, seen from a car (REC_A),
# by a spectator who leaves halfway (REC_B) and from a car that joins late
# (REC_C): those of ../shared/data with their truth (TRUTH), or, without it,
# a race of trackside-fakegame recorded into DIR by three trackside-clients
# (TRUTH empty). Sets REC_EPOCH (when A started), REC_POLLS (polls in A),
# REC_CARS, REC_TRACK and REC_DRIVER (the leader's driver at A's end).
race_recordings() {
	if have_data; then
		REC_A=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz
		REC_B=$SHARED_DATA/recordings/sebring-school-race-B.jsonl.gz
		REC_C=$SHARED_DATA/recordings/sebring-school-race-C.jsonl.gz
		TRUTH=$SHARED_DATA/recordings/sebring-school-race.truth.json
	else
		need_data_or_fake
		diag "no ../shared/data: recording a race of trackside-fakegame"
		_fake_race "$1" || { echo "Bail out! the fake game's race could not be recorded"; exit 1; }
		TRUTH=
	fi
	REC_EPOCH=$(zcat "$REC_A" | head -n 1 | jq -r .created)
	REC_POLLS=$(zcat "$REC_A" | tail -n +2 | wc -l | tr -d ' ')
	zcat "$REC_A" | tail -n 200 | jq -c '.responses | select(.["/rest/watch/standings"] | length > 0) |
	    [.["/rest/watch/sessionInfo"].trackName, (.["/rest/watch/standings"] | length),
	     .["/rest/watch/standings"][0].driverName]' 2>/dev/null | tail -n 1 > "$1/rec.info"
	REC_TRACK=$(jq -r '.[0]' "$1/rec.info")
	REC_CARS=$(jq -r '.[1]' "$1/rec.info")
	REC_DRIVER=$(jq -r '.[2]' "$1/rec.info")
}

# _fake_race DIR: a 10-minute race of 14 cars at 10 times the wall clock,
# recorded by a client per view into DIR/{A,B,C}.jsonl.gz (about 70 s).
_fake_race() {
	_fr=$1
	"$top_builddir/trackside-fakegame" --sim --sessions R --race-minutes 10 --cars 14 \
	    --track-length 2500 --speed 10 --seed 11 --port-file "$_fr/fake.ports" \
	    --listen 0=car:auto1 --listen 0=spectator,leave-at=0.5 \
	    --listen 0=car:auto2,join-at=0.3 > "$_fr/fake.log" 2>&1 &
	_fg=$!
	wait_for 30 sh -c "[ \$(wc -l < '$_fr/fake.ports') -ge 3 ]" || { kill "$_fg"; return 1; }
	set -- $(cat "$_fr/fake.ports")
	_fpids=
	for _v in A B C; do
		"$top_builddir/trackside-client" --state-dir "$_fr/rec$_v" --game-port "$1" \
		    --poll-interval 0.1 --record "$_fr/$_v.jsonl.gz" --quiet 2>"$_fr/rec$_v.log" &
		_fpids="$_fpids $!"
		shift
	done
	set -- $(head -n 1 "$_fr/fake.ports")
	wait_for 600 sh -c "curl -fsS 'http://127.0.0.1:$1/fake/status' | jq -e '.progress >= 1'"
	_r=$?
	kill $_fpids "$_fg" 2>/dev/null
	wait $_fpids "$_fg" 2>/dev/null
	REC_A=$_fr/A.jsonl.gz
	REC_B=$_fr/B.jsonl.gz
	REC_C=$_fr/C.jsonl.gz
	[ "$_r" -eq 0 ] && zcat "$REC_A" "$REC_B" "$REC_C" >/dev/null 2>&1
}

# wait_for SECONDS COMMAND...: retries the command every 0.1 s.
wait_for() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

# game_polled URL N: waits, two minutes at most, until the fake game at URL
# has answered N requests besides those this makes to count them.
game_polled() {
	_gp_left=$2
	_gp_last=$(curl -fsS "$1/fake/status" | jq .requests) || return 1
	_gp_end=$(( $(date +%s) + 120 ))
	while [ "$(date +%s)" -lt "$_gp_end" ]; do
		sleep 0.1
		_gp_now=$(curl -fsS "$1/fake/status" | jq .requests) || return 1
		_gp_left=$((_gp_left - (_gp_now - _gp_last - 1)))
		_gp_last=$_gp_now
		[ "$_gp_left" -le 0 ] && return 0
	done
	return 1
}

_free_port() {
	while :; do
		# below the ephemeral range (32768 and up), so no outgoing
		# connection holds it; nothing there must use it either
		_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000 ))
		if ! command -v ss >/dev/null 2>&1 || [ -z "$(ss -Htuan "sport = :$_p" 2>/dev/null)" ]; then
			echo "$_p"
			return
		fi
	done
}

# stack_start: a fresh stack. Sets TS_DIR TS_URL TS_PORT TS_DB TS_INBOX TS_TOKEN.
stack_start() {
	TS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trackside-stack.XXXXXX")
	TS_DB=$TS_DIR/trackside.db
	TS_INBOX=$TS_DIR/inbox
	mkdir -p "$TS_DIR/run" "$TS_DIR/logs"
	cat > "$TS_DIR/trackside.conf" <<-EOF
	database = $TS_DB
	inbox = $TS_INBOX
	fcgi_socket = $TS_DIR/run/fcgi.sock
	publish_socket = $TS_DIR/run/publish.sock
	templates = $top_srcdir/templates
	fcgi_threads = ${TS_FCGI_THREADS:-8}
	min_free_mb = 16
	log_level = ${TS_LOG_LEVEL:-info}
	EOF
	trap stack_stop EXIT
	"$top_builddir/trackside" -c "$TS_DIR/trackside.conf" db init >/dev/null || return 1
	TS_TOKEN=$("$top_builddir/trackside" -c "$TS_DIR/trackside.conf" client add test 2>/dev/null)
	stack_start_service fcgi || return 1
	stack_start_service ingestd || return 1
	for _try in 1 2 3 4 5; do
		TS_PORT=$(_free_port)
		TS_URL=http://127.0.0.1:$TS_PORT
		rm -f "$TS_DIR/run/publish.sock"	# left by a start that failed
		_conf=$("$top_srcdir/scripts/nginx-conf" --listen "127.0.0.1:$TS_PORT" \
		    --static "$top_srcdir/static" --fcgi "$TS_DIR/run/fcgi.sock" \
		    --publish "$TS_DIR/run/publish.sock" --prefix "$TS_DIR/nginx" --workers 1 \
		    ${TS_NGINX_ARGS:-})
		if "$NGINX" -c "$_conf" -p "$TS_DIR/nginx" -e "$TS_DIR/nginx/logs/nginx-error.log" \
		    2>"$TS_DIR/logs/nginx.start"; then
			wait_for 10 curl -fsS "$TS_URL/healthz" && return 0
			diag "stack did not become healthy"
			return 1
		fi
	done
	diag "nginx did not start: $(cat "$TS_DIR/logs/nginx.start")"
	return 1
}

# stack_start_service fcgi|ingestd (TS_INGESTD: another build of trackside-ingestd,
# such as tests/trackside-ingestd-faults)
stack_start_service() {
	case $1 in
	fcgi)
		"$top_builddir/trackside-fcgi" -d -c "$TS_DIR/trackside.conf" \
		    >>"$TS_DIR/logs/fcgi.log" 2>&1 &
		echo $! > "$TS_DIR/run/fcgi.pid"
		wait_for 10 test -S "$TS_DIR/run/fcgi.sock"
		;;
	ingestd)
		"${TS_INGESTD:-$top_builddir/trackside-ingestd}" -d -c "$TS_DIR/trackside.conf" \
		    >>"$TS_DIR/logs/ingestd.log" 2>&1 &
		echo $! > "$TS_DIR/run/ingestd.pid"
		;;
	esac
}

# stack_stop_service fcgi|ingestd [SIGNAL]
stack_stop_service() {
	_pidf=$TS_DIR/run/$1.pid
	[ -f "$_pidf" ] || return 0
	_pid=$(cat "$_pidf")
	kill "-${2:-TERM}" "$_pid" 2>/dev/null
	for _i in $(seq 100); do
		kill -0 "$_pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$_pidf"
}

stack_stop() {
	[ -n "${TS_DIR:-}" ] && [ -d "$TS_DIR" ] || return 0
	[ -f "$TS_DIR/nginx/nginx.pid" ] && "$NGINX" -c "$TS_DIR/nginx/nginx.conf" \
	    -p "$TS_DIR/nginx" -e "$TS_DIR/nginx/logs/nginx-error.log" -s stop 2>/dev/null
	stack_stop_service fcgi
	stack_stop_service ingestd
	if [ "$_tap_failed" -ne 0 ] || [ -n "${KEEP_TEST_DIR:-}" ]; then
		diag "logs kept in $TS_DIR/logs"
		for _l in "$TS_DIR"/logs/*.log; do
			[ -s "$_l" ] && { diag "--- $_l"; tail -n 20 "$_l" | sed 's/^/# /'; }
		done
	else
		rm -rf "$TS_DIR"
	fi
}

# inbox_empty: whether the worker has applied everything.
inbox_empty() { [ "$("$top_builddir/trackside" -c "$TS_DIR/trackside.conf" inbox 2>/dev/null)" = 0 ]; }

# api PATH: GET a JSON API path, print the body.
api() { curl -fsS "$TS_URL$1"; }
