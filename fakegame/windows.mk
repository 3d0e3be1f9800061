# The Windows fake game, fakegame/trackside-fakegame.exe (fakegame/main_win.c:
# the simulated Automobilista 2 writing the $pcars2$ shared memory), and the
# tests' reader of that memory, fakegame/p2_listen.exe (tests/p2_listen.c). Read by make in the
# Windows build (windows/) after its own Makefile, so that its compiler,
# flags and lib/libtrackside.a are used: "make windows-fakegame" in the
# build tree runs it. race.c needs lib/trail.c, which the Windows library
# does not hold.
WFG_SRC = $(top_srcdir)/fakegame/main_win.c $(top_srcdir)/fakegame/raceopt.c \
	$(top_srcdir)/fakegame/race.c $(top_srcdir)/fakegame/sim_pcars2.c $(top_srcdir)/lib/trail.c
WFG_DEPS = $(top_srcdir)/fakegame/raceopt.h $(top_srcdir)/fakegame/race.h \
	$(top_srcdir)/fakegame/sim_pcars2.h \
	$(top_srcdir)/lib/pcars2.h $(top_srcdir)/lib/trackside.h lib/libtrackside.a
WFG_CC = $(CC) $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) \
	-I$(top_srcdir)/fakegame $(AM_LDFLAGS) $(WIN_LDFLAGS) $(LDFLAGS)

# (in fakegame/: the Windows Makefile has rules of its own for the
# top-level trackside-fakegame.exe and tests/p2_listen.exe, never used)
fakegame/trackside-fakegame.exe: $(WFG_SRC) $(WFG_DEPS)
	@$(MKDIR_P) fakegame
	$(AM_V_CCLD)$(WFG_CC) -o $@ $(WFG_SRC) $(LIBTS) -lm
fakegame/p2_listen.exe: $(top_srcdir)/tests/p2_listen.c $(WFG_DEPS)
	@$(MKDIR_P) fakegame
	$(AM_V_CCLD)$(WFG_CC) -o $@ $(top_srcdir)/tests/p2_listen.c $(LIBTS) -lm
