/*
 * The live session page in headless Chromium: it shows the standings and
 * the map, changes them without a reload when frames arrive, renders a
 * hostile driver name as text, and looks right on a laptop and a phone
 * (screenshots under $SCREENSHOTS).
 *
 * Environment: TS_URL (the stack), TS_SESSION (a live session id),
 * POST_MORE (a shell command that uploads more frames), SCREENSHOTS (a
 * directory), HOSTILE (the driver name to look for). Prints TAP.
 */
'use strict';
const { ok, launch, run } = require('./tap.js');
const { exec } = require('child_process');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, id = process.env.TS_SESSION;
const shots = process.env.SCREENSHOTS, hostile = process.env.HOSTILE;

async function snapshot(page) {
	return page.evaluate(() => {
		const rows = Array.from(document.querySelectorAll('#standings tbody tr'));
		const cell = (tr, c) => tr.querySelector('[data-col="' + c + '"]').textContent.trim();
		return {
			rows: rows.length,
			order: rows.map((tr) => tr.dataset.car).join(','),
			laps: rows.map((tr) => cell(tr, 'laps')).join(','),
			last: rows.map((tr) => cell(tr, 'last')).join(','),
			et: (document.querySelector('[data-h="et"]') || {}).textContent,
			cars: Array.from(document.querySelectorAll('#map-cars .car')).map((g) => g.getAttribute('transform')).join(';'),
			nav: performance.getEntriesByType('navigation').length,
			marker: window.__stillTheSamePage === true,
		};
	});
}

async function main() {
	console.log('1..13');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	const page = await ctx.newPage();
	const dialogs = [], errors = [];
	page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
	page.on('pageerror', (e) => errors.push(e.message));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

	await page.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	await page.waitForFunction(() => window.trackside && window.trackside.state() !== null, null, { timeout: 15000 });
	await page.evaluate(() => { window.__stillTheSamePage = true; });
	const before = await snapshot(page);
	ok(before.rows > 0, 'the page shows standings rows', JSON.stringify(before));
	ok(before.cars.length > 0, 'the track map shows the cars', JSON.stringify(before));
	await page.screenshot({ path: path.join(shots, 'session-before.png'), fullPage: true });

	const uploading = new Promise((resolve) => {
		exec(process.env.POST_MORE, { shell: '/bin/sh' }, () => resolve());
	});
	// a second viewer joins while the frames come in
	await page.waitForFunction((et) => (document.querySelector('[data-h="et"]') || {}).textContent !== et,
	    before.et, { timeout: 30000 }).catch(() => {});
	const late = await ctx.newPage();
	await late.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	await uploading;
	let after = before;
	try {
		await page.waitForFunction((b) => {
			const rows = Array.from(document.querySelectorAll('#standings tbody tr'));
			const laps = rows.map((tr) => tr.querySelector('[data-col="laps"]').textContent.trim()).join(',');
			return laps !== b.laps;
		}, before, { timeout: 30000 });
		await page.waitForTimeout(1500);
	} catch (e) { /* compared below */ }
	after = await snapshot(page);
	ok(after.marker && after.nav === before.nav, 'the page was not reloaded');
	ok(after.laps !== before.laps, 'the standings change as frames arrive', before.laps + ' → ' + after.laps);
	ok(after.et !== before.et, 'the session clock moves', before.et + ' → ' + after.et);
	ok(after.cars !== before.cars, 'cars move on the map', before.cars.slice(0, 80) + ' → ' + after.cars.slice(0, 80));
	await page.screenshot({ path: path.join(shots, 'session-live.png'), fullPage: true });

	// the late joiner ends where the early viewer ends
	const et = await (await fetch(url + '/api/v1/sessions/' + id)).json().then((s) => s.et);
	const table = (p) => p.evaluate(() => ({
		et: window.trackside.state().et,
		rows: Array.from(document.querySelectorAll('#standings tbody tr')).map((tr) => tr.innerText).join('\n'),
	}));
	const caught = (p) => p.waitForFunction((e) => window.trackside && window.trackside.state() &&
	    window.trackside.state().et === e, et, { timeout: 30000 }).catch(() => {});
	await caught(page);
	await caught(late);
	const early = await table(page), joiner = await table(late);
	ok(early.et === et && joiner.et === et && early.rows === joiner.rows && early.rows.length > 0,
	    'a viewer who joined late shows exactly what the early viewer shows',
	    JSON.stringify({ et, early: early.et, late: joiner.et }));

	// the same channels over WebSocket: the snapshot, then events, each naming itself
	const ws = await late.evaluate((u) => new Promise((resolve) => {
		const got = [], s = new WebSocket(u);
		const done = () => { try { s.close(); } catch (e) { /* closed */ } resolve(got); };
		s.onmessage = (e) => { got.push(JSON.parse(e.data)); };
		s.onerror = done;
		setTimeout(done, 3000);
	}), url.replace(/^http/, 'ws') + '/live/sessions/' + id);
	const snaps = ws.filter((m) => m.event === 'snapshot');
	ok(snaps.length === 1 && snaps[0].id === id && ws.every((m) => typeof m.seq === 'number' && m.event),
	    'a WebSocket viewer gets the snapshot and the events, each with its name and seq',
	    JSON.stringify(ws.map((m) => [m.event, m.seq])));

	const xss = await page.evaluate((name) => {
		const cells = Array.from(document.querySelectorAll('#standings [data-col="driver"]'));
		return {
			text: cells.some((c) => c.textContent === name),
			imgs: document.querySelectorAll('#standings img, .chat img').length,
		};
	}, hostile);
	ok(xss.text && xss.imgs === 0 && dialogs.length === 0,
	    'a driver named like markup renders as text and runs nothing', JSON.stringify({ xss, dialogs }));

	await page.click('#theme-toggle');
	const themed = await page.evaluate(() => document.documentElement.dataset.theme);
	await page.screenshot({ path: path.join(shots, 'session-light.png'), fullPage: false });
	ok(themed === 'light', 'the theme switch turns the page light');
	await page.click('#theme-toggle');

	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const pp = await phone.newPage();
	await pp.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	await pp.waitForFunction(() => window.trackside && window.trackside.state() !== null, null, { timeout: 15000 });
	const fits = await pp.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
	await pp.screenshot({ path: path.join(shots, 'session-phone.png'), fullPage: false });
	ok(fits, 'on a phone the page does not scroll sideways');

	const tp = await ctx.newPage();
	await tp.goto(url + '/sessions/' + id + '/timing', { waitUntil: 'load' });
	await tp.uncheck('#columns input[value="team"]');
	await tp.reload({ waitUntil: 'load' });
	const teamHidden = await tp.evaluate(() => document.querySelector('#standings th[data-col="team"]').classList.contains('hide') &&
	    !document.querySelector('#columns input[value="team"]').checked);
	await tp.screenshot({ path: path.join(shots, 'timing.png'), fullPage: false });
	ok(teamHidden, 'the timing page remembers the chosen columns');

	const lp = await ctx.newPage();
	await lp.goto(url + '/', { waitUntil: 'load' });
	const listed = await lp.evaluate((sid) => !!document.querySelector('.live-now tr[data-id="' + sid + '"]'), id);
	await lp.screenshot({ path: path.join(shots, 'sessions.png'), fullPage: false });
	ok(listed, 'the sessions list shows the live session');

	if (errors.length)
		console.log('# page errors: ' + errors.join(' | '));
	await browser.close();
}

run(main);
