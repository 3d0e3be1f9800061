#!/bin/sh
# The platform layer's test (tests/t_os.c) cross-built against lib/os_win.c
# (windows/tests/t_os.exe, made by make check with the Windows client) and
# run under Wine: its TAP, with the C runtime's CRLF line ends taken off.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
WIN_T_OS=${WIN_T_OS:-}
if [ -z "$WIN_T_OS" ] || [ ! -f "$WIN_T_OS" ]; then
	[ "${TRACKSIDE_REQUIRE_WINE:-0}" != 0 ] &&
	    { echo "Bail out! no windows/tests/t_os.exe (TRACKSIDE_REQUIRE_WINE is set)"; exit 1; }
	skip_all "no windows/tests/t_os.exe"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/t_os_win.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
TMPDIR=$T "$WINE" "$WIN_T_OS" > "$T/out" 2>&1
r=$?
tr -d '\r' < "$T/out"
exit $r
