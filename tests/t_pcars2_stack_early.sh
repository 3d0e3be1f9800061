#!/bin/sh
# t_pcars2_stack.sh with the early packet revision.
P2_REV=early
. "$top_srcdir/tests/t_pcars2_stack.sh"
