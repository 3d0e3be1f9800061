/*
 * Every page as a user sees it, at 1440×900 and 390×844, over a stack fed by
 * trackside-fakegame (a qualifying, then a race): no page wider than its
 * window, one h1 and a title of its own on each, the entry list once, the
 * phone's header before the tower and the results, badges at 4.5:1 in both
 * themes, HTML 404s, a next-session link that leads somewhere, and an open
 * race page that shows the chequered flag within 2 s of it (badge, per-car
 * flag, elapsed frozen). Screenshots under $SCREENSHOTS.
 *
 * Environment: TS_URL (the stack), SCREENSHOTS (a directory), CHROMIUM.
 * Prints TAP.
 */
'use strict';
const { ok, launch, run, SIZES, api, until, contrasts } = require('./tap.js');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, shots = process.env.SCREENSHOTS;

/* What a page shows, measured in the browser. */
function measure() {
	const top = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top : null; };
	return {
		title: document.title,
		width: document.documentElement.scrollWidth,
		window: document.documentElement.clientWidth,
		h1: document.querySelectorAll('h1').length,
		h1Top: top('h1'),
		tableTop: top('table.standings, table.results'),
		entries: document.querySelectorAll('table.entries').length,
		entryRows: document.querySelectorAll('table.entries tbody tr').length,
	};
}

/* The class, state and flag badges with text on the page, with their contrast. */
async function badges(page) {
	return (await page.evaluate(contrasts, 'span.cls, .badge, .flag')).filter((b) => b.text !== '');
}

async function main() {
	console.log('1..21');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const ctx = {}, errors = [];
	for (const k of Object.keys(SIZES))
		ctx[k] = await browser.newContext({ viewport: SIZES[k] });

	/* The qualifying is over and the race runs. */
	const sessions = await until(async () => {
		const l = await api('/api/v1/sessions');
		const s = l && l.sessions || [];
		const r = s.find((x) => x.kind === 'race' && x.live);
		const q = s.find((x) => x.kind === 'qualify' && !x.live);
		return r && q ? { r: r.id, q: q.id } : null;
	}, 240000, 500);
	ok(sessions !== null, 'the fake game makes a closed qualifying and a live race');
	if (!sessions) {
		await browser.close();
		process.exit(1);
	}
	const race = await until(async () => {
		const s = await api('/api/v1/sessions/' + sessions.r);
		return s && s.standings && s.standings.length > 0 ? s : null;
	}, 60000, 500);
	ok(race !== null, 'the race has cars', JSON.stringify(race && race.standings));
	const car = race ? race.standings[0].car : 0;

	/* The race page stays open from here to the flag. */
	const live = await ctx.desktop.newPage();
	live.on('pageerror', (e) => errors.push('race: ' + e.message));
	await live.goto(url + '/sessions/' + sessions.r + '?class=', { waitUntil: 'load' });
	await live.waitForFunction(() => window.trackside && window.trackside.state() !== null, null, { timeout: 15000 });
	await live.evaluate(() => {
		setInterval(() => {
			const b = document.getElementById('live-badge');
			if (b && /finished/.test(b.textContent) && !window.__finishedAt) window.__finishedAt = Date.now();
		}, 100);
	});

	/* So does the page of one car. */
	const carPage = await ctx.desktop.newPage();
	carPage.on('pageerror', (e) => errors.push('car: ' + e.message));
	await carPage.goto(url + '/sessions/' + sessions.r + '/cars/' + car, { waitUntil: 'load' });
	const carLaps = await carPage.evaluate(() => {
		window.__stillTheSamePage = true;
		return document.querySelectorAll('table.laps tbody tr').length;
	});

	const pages = [
		['sessions', '/'],
		['best-laps', '/best-laps'],
		['qualifying-results', '/sessions/' + sessions.q],
		['qualifying-pits', '/sessions/' + sessions.q + '/pits'],
		['race', '/sessions/' + sessions.r],
		['race-timing', '/sessions/' + sessions.r + '/timing'],
		['race-entries', '/sessions/' + sessions.r + '/entries'],
		['race-chat', '/sessions/' + sessions.r + '/chat'],
		['race-pits', '/sessions/' + sessions.r + '/pits'],
		['race-car', '/sessions/' + sessions.r + '/cars/' + car],
	];
	const seen = {}, wide = [], h1s = [], low = [];
	for (const [name, p] of pages) {
		for (const size of Object.keys(SIZES)) {
			const page = await ctx[size].newPage();
			page.on('pageerror', (e) => errors.push(name + ': ' + e.message));
			await page.goto(url + p, { waitUntil: 'load' });
			await page.waitForTimeout(300);
			const m = await page.evaluate(measure);
			m.badges = await badges(page);
			seen[name + '/' + size] = m;
			if (m.width > m.window) wide.push(name + ' at ' + size + ': ' + m.width + ' px');
			if (m.h1 !== 1) h1s.push(name + ' at ' + size + ': ' + m.h1);
			await page.screenshot({ path: path.join(shots, 'pages-' + name + '-' + size + '.png'), fullPage: true });
			if (size === 'desktop') {
				for (const theme of ['dark', 'light']) {
					await page.evaluate((t) => {
						document.documentElement.dataset.theme = t;
					}, theme);
					(await badges(page)).filter((b) => b.ratio < 4.5).forEach((b) =>
					    low.push(name + ' (' + theme + '): "' + b.text + '" ' + b.cls + ' ' + b.ratio.toFixed(2)));
				}
			}
			await page.close();
		}
	}
	ok(wide.length === 0, 'no page is wider than its window at 1440 px or on a phone', wide.join('\n'));
	ok(h1s.length === 0, 'every page has one h1', h1s.join('\n'));
	const titles = pages.map(([name]) => seen[name + '/desktop'].title);
	ok(new Set(titles).size === titles.length && titles.every((t) => / · Trackside$/.test(t)),
	    'every page has a title of its own', titles.join('\n'));
	ok(/^Race · .+ · Trackside$/.test(seen['race/desktop'].title) &&
	    /^#\S+ .+ · Race · .+ · Trackside$/.test(seen['race-car/desktop'].title),
	    'titles name the session type and the car', seen['race/desktop'].title + ' / ' + seen['race-car/desktop'].title);
	ok(low.length === 0 && seen['race/desktop'].badges.length > 0,
	    'class, state and flag badges have 4.5:1 contrast in both themes', low.join('\n'));
	const ent = await api('/api/v1/sessions/' + sessions.r + '/entries');
	const nent = ent && ent.entries ? ent.entries.length : -1;
	ok(seen['race-entries/desktop'].entries === 1 && seen['race-entries/desktop'].entryRows === nent && nent > 1,
	    'the entry list is printed once, one row per entry',
	    JSON.stringify({ tables: seen['race-entries/desktop'].entries, rows: seen['race-entries/desktop'].entryRows, entries: nent }));
	for (const name of ['race', 'qualifying-results']) {
		const m = seen[name + '/phone'];
		ok(m.h1Top !== null && m.tableTop !== null && m.h1Top < m.tableTop,
		    'on a phone the session header comes before the ' + (name === 'race' ? 'tower' : 'results'),
		    JSON.stringify({ h1: m.h1Top, table: m.tableTop }));
	}

	/* The compact tower on a phone: the columns a phone shows, inside 390 px. */
	const pp = await ctx.phone.newPage();
	await pp.goto(url + '/sessions/' + sessions.r, { waitUntil: 'load' });
	const tower = await pp.evaluate(() => {
		const t = document.getElementById('standings'), box = t && t.parentElement;
		if (!t) return { cols: 'no tower: the race is over already', fits: false, full: '' };
		return {
			cols: Array.from(t.tHead.rows[0].cells).filter((c) => c.offsetWidth > 0).map((c) => c.dataset.col).join(','),
			fits: box.scrollWidth <= box.clientWidth,
			full: (document.querySelector('.full-link') || {}).href || '',
		};
	});
	ok(tower.cols === 'pos,num,status,driver,gap,last' && tower.fits,
	    'the phone tower shows Pos, #, status, driver, gap and last lap without sideways scrolling', JSON.stringify(tower));
	await pp.goto(tower.full || url + '/', { waitUntil: 'load' });
	const sticky = await pp.evaluate(() => {
		const box = document.querySelector('.table-scroll');
		if (!box || !document.querySelector('#standings td[data-col="pos"]')) return { scrolled: false, left: null };
		box.scrollLeft = 300;
		const pos = document.querySelector('#standings td[data-col="pos"]');
		return { scrolled: box.scrollLeft > 0, left: pos.getBoundingClientRect().left - box.getBoundingClientRect().left };
	});
	await pp.screenshot({ path: path.join(shots, 'pages-race-full-phone.png') });
	ok(sticky.scrolled && Math.abs(sticky.left) < 2, 'the full table is one tap away and keeps Pos in view as it scrolls',
	    JSON.stringify(sticky));

	/* One class on a second screen: set by ?class=, remembered without it. */
	const cls = race && race.standings.map((r) => r.class).filter((c) => c)[0];
	const inClass = race ? race.standings.filter((r) => r.class === cls).length : -1;
	const cp = await ctx.desktop.newPage();
	const visible = async () => cp.evaluate(() =>
	    Array.from(document.querySelectorAll('#standings tbody tr')).filter((tr) => !tr.hidden).length);
	await cp.goto(url + '/sessions/' + sessions.r + '?class=' + encodeURIComponent(cls || ''), { waitUntil: 'load' });
	const viaUrl = await visible();
	await cp.goto(url + '/sessions/' + sessions.r + '/timing', { waitUntil: 'load' });
	const remembered = await visible();
	await cp.evaluate(() => localStorage.removeItem('trackside.class'));
	ok(inClass > 0 && viaUrl === inClass && remembered === inClass,
	    'a class chosen by ?class= filters the tower and is remembered', JSON.stringify({ cls, inClass, viaUrl, remembered }));

	/* Errors are pages outside the API. */
	const ep = await ctx.desktop.newPage();
	const r404 = await ep.goto(url + '/nope', { waitUntil: 'load' });
	const h404 = await ep.evaluate(() => (document.querySelector('h1') || {}).textContent || '');
	ok(r404.status() === 404 && /text\/html/.test(r404.headers()['content-type']) && /404/.test(h404),
	    'an unknown page is an HTML 404', r404.status() + ' ' + r404.headers()['content-type']);
	const a404 = await fetch(url + '/api/v1/nope');
	ok(a404.status === 404 && /json/.test(a404.headers.get('content-type')), 'an unknown API path is a JSON 404');

	/* The qualifying's next-session link leads to the race; the race has none to follow. */
	await ep.goto(url + '/sessions/' + sessions.q, { waitUntil: 'load' });
	const next = await ep.evaluate(() => document.getElementById('next-link').getAttribute('href'));
	const nextStatus = next ? (await fetch(url + next)).status : 0;
	await ep.goto(url + '/sessions/' + sessions.r, { waitUntil: 'load' });
	const noNext = await ep.evaluate(() => document.getElementById('next-link').getAttribute('href'));
	ok(nextStatus === 200 && noNext === null, 'the next-session link never points at a 404',
	    JSON.stringify({ next, nextStatus, noNext }));

	const carLive = await carPage.waitForFunction((n) => window.__stillTheSamePage &&
	    document.querySelectorAll('table.laps tbody tr').length > n, carLaps, { timeout: 90000 }).then(() => true, () => false);
	ok(carLive, 'the open car page shows new laps without a reload', 'laps at the start: ' + carLaps);

	/* The flag: when the API says the race is over, the open page says so within 2 s. */
	const flagAt = await until(async () => {
		const s = await api('/api/v1/sessions/' + sessions.r);
		return s && (s.finished === true || s.phase === 8) ? Date.now() : null;
	}, 300000, 200);
	let shown = null;
	if (flagAt) {
		await live.waitForFunction(() => window.__finishedAt, null, { timeout: 2000 + 1000 }).catch(() => {});
		shown = await live.evaluate(() => window.__finishedAt || null);
	}
	ok(flagAt && shown && shown - flagAt <= 2000, 'the open race page shows "finished" within 2 s of the flag',
	    JSON.stringify({ flagAt, shown, late: shown && flagAt ? shown - flagAt : null }));
	/* A car the game says took the flag: the open tower marks it within 2 s. */
	const carFlagAt = await until(async () => {
		const x = await api('/api/v1/sessions/' + sessions.r);
		return x && x.standings && x.standings.some((r) => r.status === 'finished') ? Date.now() : null;
	}, 180000, 200);
	const chequered = carFlagAt !== null && await live.waitForFunction(() =>
	    document.querySelector('#standings td.st-finished'), null, { timeout: 2500 }).then(() => true, () => false);
	ok(chequered, 'a car that took the flag is marked in the open tower within 2 s',
	    carFlagAt === null ? 'the game marked no car finished in 3 minutes' : 'not shown');
	const et1 = await live.evaluate(() => document.querySelector('[data-h="et"]').textContent);
	await live.waitForTimeout(2500);
	const et2 = await live.evaluate(() => document.querySelector('[data-h="et"]').textContent);
	ok(et1 === et2, 'the elapsed time stands still after the flag', et1 + ' → ' + et2);
	await live.screenshot({ path: path.join(shots, 'pages-race-finished-desktop.png') });

	ok(errors.length === 0, 'no page throws', errors.join('\n'));
	await browser.close();
}

run(main);
