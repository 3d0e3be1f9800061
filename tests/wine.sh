# Shell library for the tests of the Windows client under Wine (tests/t_win_*.sh),
# sourced after tests/lib.sh:
#
#	. "$top_srcdir/tests/lib.sh"
#	. "$top_srcdir/tests/wine.sh"
#	need_wine		# skips without the exe or wine, fails with TRACKSIDE_REQUIRE_WINE
#	win_client ARGS...	# runs the exe under Wine
#
# make check exports WIN_CLIENT (windows/trackside-client.exe, made first when
# the cross compiler is there), WIN_BUILD (that build, windows/) and WINE
# (empty when wine is not installed).
# Every test shares one Wine prefix in the build tree, made once under a
# lock since the tests run in parallel. Its wineserver is shared too and
# never killed here (that would take the other tests' programs with it): it
# exits by itself a few seconds after its last program.
WIN_CLIENT=${WIN_CLIENT:-}
WIN_BUILD=${WIN_BUILD:-}
WINE=${WINE:-}
WINEPREFIX=${WINEPREFIX:-$top_builddir/tests/wineprefix}
WINEDEBUG=-all
# no Mono and Gecko installers when the prefix is made, no desktop menu entries
WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
# Wine turns the arguments and the environment into UTF-16 with the locale's
# character set: a C locale would mangle "Zoë".
LC_ALL=C.UTF-8
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES LC_ALL

# need_wine: the exe and wine, and a ready prefix; otherwise the test skips,
# or fails when TRACKSIDE_REQUIRE_WINE is set (.ci/run sets it).
need_wine() {
	_why=
	[ -n "$WIN_CLIENT" ] && [ -f "$WIN_CLIENT" ] ||
	    _why="no Windows client (make windows needs x86_64-w64-mingw32-gcc)"
	[ -z "$_why" ] && { [ -n "$WINE" ] || _why="no wine"; }
	if [ -n "$_why" ]; then
		[ "${TRACKSIDE_REQUIRE_WINE:-0}" != 0 ] &&
		    { echo "Bail out! $_why (TRACKSIDE_REQUIRE_WINE is set)"; exit 1; }
		skip_all "$_why"
	fi
	wine_prefix || { echo "Bail out! the Wine prefix $WINEPREFIX could not be made"; exit 1; }
}

# wine_prefix: makes the prefix once; a test that comes while another makes
# it waits for it (flock on a file beside it).
wine_prefix() {
	[ -f "$WINEPREFIX/.trackside-ready" ] && return 0
	mkdir -p "$(dirname "$WINEPREFIX")"
	(
		flock 9 || exit 1
		[ -f "$WINEPREFIX/.trackside-ready" ] && exit 0
		rm -rf "$WINEPREFIX"
		_wb=$(dirname "$WINE")/wineboot
		[ -x "$_wb" ] || _wb=wineboot
		"$_wb" -i >"$WINEPREFIX.log" 2>&1 &&
		    { wineserver -w 2>/dev/null; :; } &&
		    touch "$WINEPREFIX/.trackside-ready"
	) 9>"$WINEPREFIX.lock"
}

# winpath PATH: a unix path as Windows sees it (Wine maps Z: to /). With a
# stand-in for wine (WINE=env WIN_CLIENT=trackside-client, to work on the
# tests without the Windows build) the path stays as it is.
winpath() {
	case ${WINE##*/} in
	wine*)	printf 'Z:%s\n' "$1" | tr / '\\' ;;
	*)	printf '%s\n' "$1" ;;
	esac
}

# win_client ARGS...: the Windows client.
win_client() { "$WINE" "$WIN_CLIENT" "$@"; }
# win_client_bg LOG ARGS...: the Windows client in the background, its
# stderr in LOG; CPID is the process of the exe itself (wine execs into it),
# so kill -9 of CPID is the hard end of the Windows program. (A function run
# with & would be a subshell around it.)
win_client_bg() {
	_log=$1
	shift
	"$WINE" "$WIN_CLIENT" "$@" 2>>"$_log" &
	CPID=$!
}

# win_client_env NAME=VALUE ARGS...: the client with a variable of the
# Windows environment set. Wine sets the folders' variables (LOCALAPPDATA,
# APPDATA) from its registry over those of the unix environment, so cmd
# sets it for the client.
win_client_env() {
	_set=$1
	shift
	case ${WINE##*/} in
	wine*)	"$WINE" cmd /c set "$_set" '&&' "$(winpath "$WIN_CLIENT")" "$@" ;;
	*)	env "XDG_STATE_HOME=${_set#*=}" "$WIN_CLIENT" "$@" ;;	# a stand-in
	esac
}

# win_tap NAME: runs the cross-built C test windows/tests/NAME.exe under Wine
# as this test, its TAP without the C runtime's CRLF line ends.
win_tap() {
	_exe=$WIN_BUILD/tests/$1.exe
	if [ ! -f "$_exe" ]; then
		[ "${TRACKSIDE_REQUIRE_WINE:-0}" != 0 ] &&
		    { echo "Bail out! no $_exe (TRACKSIDE_REQUIRE_WINE is set)"; exit 1; }
		skip_all "no windows/tests/$1.exe"
	fi
	_t=$(mktemp -d "${TMPDIR:-/tmp}/$1_win.XXXXXX")
	(cd "$_t" && "$WINE" "$_exe" > "$_t/out" 2>&1)
	_r=$?
	tr -d '\r' < "$_t/out"
	rm -rf "$_t"
	exit $_r
}
