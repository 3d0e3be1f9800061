/*
 * What the browser tests share: TAP output and Debian's Chromium launched
 * headless through playwright-core.
 */
'use strict';
const { chromium } = require('playwright-core');

let n = 0, failed = 0;

/* Prints one TAP result; diag is shown under a failure. */
function ok(cond, name, diag) {
	n++;
	console.log((cond ? 'ok ' : 'not ok ') + n + ' - ' + name);
	if (!cond) {
		failed++;
		if (diag) console.log('# ' + String(diag).split('\n').join('\n# '));
	}
}

/* Chromium ($CHROMIUM, else /usr/bin/chromium) with a fresh profile of its own. */
function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
}

/* Runs main, reporting an exception as a failed last test; exits 1 on any failure. */
function run(main) {
	main().then(() => process.exit(failed ? 1 : 0), (e) => {
		console.log('not ok ' + (n + 1) + ' - the browser test ran to the end');
		console.log('# ' + String(e && e.stack || e).split('\n').join('\n# '));
		process.exit(1);
	});
}

module.exports = { ok, launch, run };
