#!/bin/sh
# The HTTP engine's test (tests/t_http.c) cross-built against
# client/http_win.c, WinHTTP (windows/tests/t_http.exe, made by make check
# with the Windows client) and run under Wine.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
win_tap t_http
