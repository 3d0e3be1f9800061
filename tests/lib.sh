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

need_data() { [ -d "$SHARED_DATA/recordings" ] || skip_all "no ../shared/data"; }

# wait_for SECONDS COMMAND...: retries the command every 0.1 s.
wait_for() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

_free_port() {
	while :; do
		_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
		if ! command -v ss >/dev/null 2>&1 || [ -z "$(ss -Hltn "sport = :$_p" 2>/dev/null)" ]; then
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
	live_socket = $TS_DIR/run/live.sock
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
		_conf=$("$top_srcdir/scripts/nginx-conf" --listen "127.0.0.1:$TS_PORT" \
		    --static "$top_srcdir/static" --fcgi "$TS_DIR/run/fcgi.sock" \
		    --live "$TS_DIR/run/live.sock" --prefix "$TS_DIR/nginx" --workers 1 \
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
