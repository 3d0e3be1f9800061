/*
 * What the browser tests share: TAP output, Debian's Chromium launched
 * headless through playwright-core, the two window sizes, and waiting for
 * the stack at $TS_URL.
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

/* The windows every page is looked at in. */
const SIZES = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* The JSON of GET $TS_URL + p, or null when it does not answer 200 with JSON. */
async function api(p) {
	try {
		const r = await fetch(process.env.TS_URL + p);
		return r.ok ? await r.json() : null;
	} catch (e) {
		return null;
	}
}

/* Retries fn every `every` ms (250) until it returns something truthy or ms pass. */
async function until(fn, ms, every) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() >= end) return v;
		await sleep(every || 250);
	}
}

/*
 * Runs in the page (page.evaluate(contrasts, selector)): each shown element
 * matching selector with its text, class and the contrast ratio of its text
 * on the first opaque background up the tree.
 */
function contrasts(selector) {
	const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = (c) => {
		const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
	};
	const background = (e) => {
		for (; e; e = e.parentElement) {
			const c = rgb(getComputedStyle(e).backgroundColor);
			if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
		}
		return [255, 255, 255];
	};
	return Array.from(document.querySelectorAll(selector)).filter((e) => e.offsetWidth > 0).map((e) => {
		const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
		return { text: e.textContent.trim(), cls: e.className,
		    ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
	});
}

/* The element of contrasts() with the lowest ratio, or null. */
function worst(list) {
	return list.reduce((w, b) => (w === null || b.ratio < w.ratio ? b : w), null);
}

module.exports = { ok, launch, run, SIZES, sleep, api, until, contrasts, worst };
