#!/bin/sh
# The platform layer's test (tests/t_os.c) cross-built against lib/os_win.c
# (windows/tests/t_os.exe, made by make check with the Windows client) and
# run under Wine.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/wine.sh"
need_wine
win_tap t_os
