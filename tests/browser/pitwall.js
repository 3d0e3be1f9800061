/*
 * The pit wall live in headless Chromium (t_pitwall_browser.sh): the
 * session page's race control ticker, the race control log, the race
 * charts and one car's strategy page are open while more of the race
 * arrives; each changes without a reload. Then each page at 1440×900 and
 * 390×844 in the light and dark themes: no wider than the window, no
 * script errors. Screenshots under $SCREENSHOTS.
 *
 * Environment: TS_URL, TS_SESSION (a live race), TS_CAR (a car with its
 * own client's usage data), POST_MORE (a shell command that uploads the
 * rest), HAVE_TRUTH (1: the recordings, whose car stops in what POST_MORE
 * sends), SCREENSHOTS, CHROMIUM. Prints TAP.
 */
'use strict';
const { ok, launch, run, api, until } = require('./tap.js');
const { exec } = require('child_process');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, id = process.env.TS_SESSION, car = process.env.TS_CAR;
const shots = process.env.SCREENSHOTS;
const base = url + '/sessions/' + id;
const PAGES = {
	session: base,
	log: base + '/log',
	charts: base + '/charts',
	strategy: base + '/cars/' + car + '/strategy',
};

/* What each page shows that the race changes. */
const LOOK = {
	session: () => {
		const li = Array.from(document.querySelectorAll('#ticker li.log-entry'));
		return { n: li.length, newest: li.length ? Number(li[0].dataset.et) : -1,
		    text: li.map((x) => x.textContent).join('|') };
	},
	log: () => {
		const li = Array.from(document.querySelectorAll('#race-log li.log-entry'));
		return { n: li.length, kinds: li.map((x) => x.dataset.kind + ':' + (x.dataset.car || '')) };
	},
	charts: () => {
		const pts = (sel) => Array.from(document.querySelectorAll(sel)).reduce((a, p) =>
		    a + (p.getAttribute('points') || '').trim().split(/\s+/).filter(Boolean).length, 0);
		return { laps: pts('figure.lapchart polyline'), gaps: pts('figure.gapchart polyline'),
		    times: pts('figure.timechart polyline, figure[data-chart="times"] polyline') };
	},
	strategy: () => ({
		rows: document.querySelectorAll('#strategy-laps tbody tr').length,
		stint: (document.querySelector('[data-s="stint_laps"]') || {}).textContent,
		left: (document.querySelector('[data-s="left_text"]') || {}).textContent,
	}),
};

async function main() {
	console.log('1..15');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	const errors = [];
	const pages = {}, before = {};
	for (const k of Object.keys(PAGES)) {
		const p = await ctx.newPage();
		p.on('pageerror', (e) => errors.push(k + ': ' + e.message));
		p.on('console', (m) => { if (m.type() === 'error') errors.push(k + ': ' + m.text()); });
		await p.goto(PAGES[k], { waitUntil: 'load' });
		await p.evaluate(() => { window.__stillTheSamePage = true; });
		before[k] = await p.evaluate(LOOK[k]);
		pages[k] = p;
	}
	ok(before.log.n > 0, 'the log page lists what happened so far', JSON.stringify(before.log).slice(0, 200));
	ok(before.charts.laps > 0 && before.charts.gaps > 0, 'the charts are drawn', JSON.stringify(before.charts));
	ok(before.strategy.rows > 0, 'the strategy page lists the car\'s laps', JSON.stringify(before.strategy));
	// the pages follow the stream before more comes
	await pages.session.waitForFunction(() => window.trackside && window.trackside.state() !== null, null,
	    { timeout: 20000 }).catch(() => {});

	const uploading = new Promise((resolve) => exec(process.env.POST_MORE, { shell: '/bin/sh' }, resolve));
	const changed = {};
	/* what counts as a change, looked at from here (the pages' CSP allows no string predicates) */
	const moved = {
		session: (b, x) => x.newest > b.newest && x.text !== b.text,
		log: (b, x) => x.n > b.n,
		charts: (b, x) => x.laps > b.laps && x.gaps > b.gaps,
		strategy: (b, x) => x.rows > b.rows,
	};
	await Promise.all(Object.keys(PAGES).map(async (k) => {
		const end = Date.now() + 120000;
		while (!(changed[k] = moved[k](before[k], await pages[k].evaluate(LOOK[k]))) && Date.now() < end)
			await new Promise((r) => setTimeout(r, 500));
	}));
	await uploading;
	const after = {};
	for (const k of Object.keys(PAGES)) {
		after[k] = await pages[k].evaluate(LOOK[k]);
		const same = await pages[k].evaluate(() => window.__stillTheSamePage === true);
		ok(changed[k] && same, k + ': it changed without a reload',
		    (changed[k] ? '' : 'no change seen; ') + (same ? '' : 'reloaded; ') +
		    JSON.stringify(before[k]).slice(0, 200) + ' → ' + JSON.stringify(after[k]).slice(0, 200));
	}
	if (process.env.HAVE_TRUTH) {
		ok(after.log.kinds.some((x) => x === 'stop:' + car), 'the log shows the car\'s stop as it came',
		    after.log.kinds.slice(0, 10).join(' '));
		// the same entries as a fresh load of the log page, none twice
		const fresh = await ctx.newPage();
		await fresh.goto(PAGES.log, { waitUntil: 'load' });
		const f = await fresh.evaluate(LOOK.log);
		ok(f.n === after.log.n && f.kinds.join() === after.log.kinds.join(),
		    'the live log holds what a fresh load of it shows, none twice',
		    f.n + ' vs ' + after.log.n);
		await fresh.close();
	} else {
		ok(true, '# SKIP no recordings: the fake race\'s stops are not in this window');
		ok(true, '# SKIP no recordings');
	}
	// My team on the charts: a car pinned in this browser is charted with its neighbours
	const row = ((await api('/api/v1/sessions/' + id)) || { standings: [] }).standings
	    .find((r) => String(r.car) === String(car));
	const pinned = await ctx.newPage();
	pinned.on('pageerror', (e) => errors.push('charts with a pin: ' + e.message));
	await pinned.goto(base, { waitUntil: 'load' });
	await pinned.evaluate((p) => localStorage.setItem('ts.pins', JSON.stringify([p])),
	    row ? String(row.number) + '|' + String(row.vehicle || row.veh) : '');
	await pinned.goto(PAGES.charts, { waitUntil: 'load' });
	const team = await until(() => pinned.evaluate((c) => {
		const q = new URLSearchParams(location.search);
		const cars = (q.get('cars') || '').split(',');
		const bold = document.querySelectorAll('.rchart g.car.pinned[data-car="' + c + '"]').length;
		return cars.indexOf(c) >= 0 && cars.length >= 2 && bold >= 3 && document.getElementById('chart-team') ?
		    { cars, bold } : null;
	}, String(car)), 30000);
	ok(!!team, 'the charts show the pinned car, bold in each chart, with the cars around it in class',
	    JSON.stringify(team));
	await pinned.screenshot({ path: path.join(shots, 'pitwall-charts-pinned-desktop.png'), fullPage: true });
	await pinned.close();
	ok(errors.length === 0, 'no script errors', errors.join('\n'));
	for (const k of Object.keys(PAGES))
		await pages[k].close();
	await ctx.close();

	// every page at both sizes, light and dark
	for (const [size, vp] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
		for (const scheme of ['light', 'dark']) {
			const c = await browser.newContext({ viewport: vp, colorScheme: scheme });
			await c.addInitScript((s) => { try { localStorage.setItem('trackside.theme', s); } catch (e) { /* */ } }, scheme);
			const wide = [];
			for (const k of Object.keys(PAGES)) {
				const p = await c.newPage();
				await p.goto(PAGES[k], { waitUntil: 'load' });
				const w = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
				if (w > 1)
					wide.push(k + ' +' + w + 'px');
				await p.screenshot({ path: path.join(shots, 'pitwall-' + k + '-' + size + '-' + scheme + '.png'),
				    fullPage: true });
				await p.close();
			}
			ok(wide.length === 0, size + ', ' + scheme + ': no page is wider than the window', wide.join(', '));
			await c.close();
		}
	}
	await browser.close();
}

run(main);
