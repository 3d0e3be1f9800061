# Sourced by the browser tests after tests/lib.sh: skips without Debian's
# Chromium or node/npm, installs playwright-core from npm into the build tree
# when missing or when tests/browser/package-lock.json changed, and sets
# CHROMIUM and BROWSER_DEPS (its node_modules' parent).
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "no $CHROMIUM (scripts/deps --test installs it)"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || skip_all "no node/npm"

BROWSER_DEPS=$top_builddir/tests/browser
if [ ! -f "$BROWSER_DEPS/node_modules/playwright-core/package.json" ] ||
    ! cmp -s "$top_srcdir/tests/browser/package-lock.json" "$BROWSER_DEPS/package-lock.json"; then
	mkdir -p "$BROWSER_DEPS"
	cp "$top_srcdir/tests/browser/package.json" "$top_srcdir/tests/browser/package-lock.json" \
	    "$BROWSER_DEPS/"
	(cd "$BROWSER_DEPS" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
	    { echo "Bail out! npm ci of tests/browser failed"; exit 1; }
fi
