/*
 * The race control log, its ticker and "My team" as a user sees them, at
 * 1440×900 and 390×844, light and dark, over a stack fed by
 * trackside-fakegame's race: no page wider than its window, kind badges at
 * 4.5:1, the ticker on the session page taking a new entry live (on top,
 * marked, eight at most), the log page's filter form working without
 * JavaScript, a pin kept across a reload and its panel with the cars
 * around it, ?pin= without JavaScript. Screenshots under $SCREENSHOTS.
 *
 * Environment: TS_URL (the stack), SCREENSHOTS (a directory), CHROMIUM.
 * Prints TAP.
 */
'use strict';
const { ok, launch, run, SIZES, api, until, contrasts, worst } = require('./tap.js');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, shots = process.env.SCREENSHOTS;

/* Width, and whether the phone's tower fits, measured in the page. */
function measure() {
	const t = document.getElementById('standings'), box = t && t.parentElement;
	return { width: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
	    tower: box ? box.scrollWidth <= box.clientWidth : true };
}

async function main() {
	console.log('1..17');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const errors = [];

	const sid = await until(async () => {
		const l = await api('/api/v1/sessions');
		const r = (l && l.sessions || []).find((x) => x.kind === 'race' && x.live);
		if (!r) return null;
		const s = await api('/api/v1/sessions/' + r.id);
		return s && s.standings && s.standings.length > 3 && s.log && s.log.length > 0 ? r.id : null;
	}, 240000, 500);
	ok(sid !== null, 'a live race with cars and a race control log');
	if (!sid) {
		await browser.close();
		process.exit(1);
	}

	/* The session page keeps up with the log: a new entry goes on top, marked. */
	const ctx = await browser.newContext({ viewport: SIZES.desktop });
	const page = await ctx.newPage();
	page.on('pageerror', (e) => errors.push('session: ' + e.message));
	await page.goto(url + '/sessions/' + sid, { waitUntil: 'load' });
	await page.waitForFunction(() => window.trackside && window.trackside.state() !== null, null, { timeout: 15000 });
	const first = await page.evaluate(() => {
		const li = document.querySelector('#ticker li');
		return li ? li.dataset.kind + li.dataset.et + li.textContent : '';
	});
	const fresh = await page.waitForFunction((was) => {
		const li = document.querySelector('#ticker li');
		return li && li.dataset.kind + li.dataset.et + li.textContent !== was && li.classList.contains('new') ?
		    li.textContent : null;
	}, first, { timeout: 180000, polling: 100 }).then((h) => h.jsonValue(), () => null);
	ok(fresh !== null, 'a new race control entry appears on top of the ticker, marked', first);
	const tick = await page.evaluate(() => Array.from(document.querySelectorAll('#ticker li')).map((li) => Number(li.dataset.et)));
	ok(tick.length > 0 && tick.length <= 8 && tick.every((et, i) => i === 0 || tick[i - 1] >= et),
	    'the ticker holds eight at most, newest first', JSON.stringify(tick));
	const api_log = await api('/api/v1/sessions/' + sid + '/log');
	const newest = api_log && api_log.log.length ? api_log.log[api_log.log.length - 1] : null;
	await page.waitForFunction((et) => {
		const li = document.querySelector('#ticker li');
		return li && Number(li.dataset.et) >= et;
	}, newest ? newest.et : 0, { timeout: 15000 }).catch(() => null);
	const top = await page.evaluate(() => Number(document.querySelector('#ticker li').dataset.et));
	ok(newest !== null && top >= newest.et, 'the ticker is as new as the stored log', JSON.stringify([top, newest]));

	/* Pin the second car of the standings; the panel shows it with its neighbours. */
	const pinned = await page.evaluate(() => {
		const tr = document.querySelectorAll('#standings tbody tr[data-car]')[1];
		tr.querySelector('button.pin-btn').click();
		return tr.dataset.car;
	});
	const card = await page.waitForFunction((car) => {
		const li = document.querySelector('#pins:not([hidden]) li.pin[data-car="' + car + '"]');
		return li && li.querySelector('.pin-side.ahead') && li.querySelector('.pin-side.behind') ? li.textContent : null;
	}, pinned, { timeout: 15000 }).then((h) => h.jsonValue(), () => null);
	ok(card !== null && /[▲]/.test(card), 'a pinned car shows in My team with the cars around it', card);
	const stored = await page.evaluate(() => localStorage.getItem('ts.pins'));
	ok(/\|/.test(stored || ''), 'the pin is kept as number and vehicle', stored);
	await page.reload({ waitUntil: 'load' });
	const again = await page.waitForFunction((car) => {
		const b = document.querySelector('#standings tr[data-car="' + car + '"] button.pin-btn');
		const li = document.querySelector('#pins:not([hidden]) li.pin[data-car="' + car + '"]');
		return b && b.getAttribute('aria-pressed') === 'true' && li ? true : null;
	}, pinned, { timeout: 15000 }).then(() => true, () => false);
	ok(again, 'the pin survives a reload');

	/* On a phone the tower has no room for the buttons: "Pin a car" pins. */
	const pc = await browser.newContext({ viewport: SIZES.phone });
	const pp = await pc.newPage();
	pp.on('pageerror', (e) => errors.push('phone: ' + e.message));
	await pp.goto(url + '/sessions/' + sid, { waitUntil: 'load' });
	await pp.waitForSelector('select.pin-add option[value="' + pinned + '"]', { state: 'attached', timeout: 15000 })
	    .catch(() => null);
	const hiddenButtons = await pp.evaluate(() => Array.from(document.querySelectorAll('td.pin-cell'))
	    .every((td) => td.offsetWidth === 0));
	await pp.selectOption('select.pin-add', pinned).catch(() => null);
	const phonePin = await pp.waitForFunction((car) =>
	    document.querySelector('#pins:not(.none) li.pin[data-car="' + car + '"]') !== null &&
	    !document.querySelector('select.pin-add option[value="' + car + '"]'), pinned, { timeout: 15000 })
	    .then(() => true, () => false);
	ok(hiddenButtons && phonePin, 'on a phone "Pin a car" pins, the tower without buttons',
	    JSON.stringify({ hiddenButtons, phonePin }));
	await pc.close();

	/* Screenshots and widths, both sizes, both themes. */
	const wide = [], low = [];
	for (const size of Object.keys(SIZES)) {
		for (const theme of ['dark', 'light']) {
			const c = await browser.newContext({ viewport: SIZES[size] });
			await c.addInitScript(([t, p]) => {
				localStorage.setItem('trackside.theme', t);
				localStorage.setItem('ts.pins', p);
			}, [theme, stored || '[]']);
			const p = await c.newPage();
			p.on('pageerror', (e) => errors.push(size + ' ' + theme + ': ' + e.message));
			for (const [name, where] of [['session', '/sessions/' + sid], ['log', '/sessions/' + sid + '/log']]) {
				await p.goto(url + where, { waitUntil: 'load' });
				if (name === 'session')
					await p.waitForSelector('#pins:not([hidden]) li.pin', { timeout: 15000 }).catch(() => null);
				const m = await p.evaluate(measure);
				m.worst = worst(await p.evaluate(contrasts, '.badge-k'));
				if (m.width > m.window) wide.push(name + ' ' + size + ' ' + theme + ': ' + m.width + ' > ' + m.window);
				if (size === 'phone' && !m.tower) wide.push(name + ' ' + theme + ': the tower scrolls sideways');
				if (m.worst && m.worst.ratio < 4.5) low.push(name + ' ' + theme + ': ' + JSON.stringify(m.worst));
				await p.screenshot({ path: path.join(shots, 'log-' + name + '-' + size + '-' + theme + '.png'),
				    fullPage: name === 'log' ? false : true });
			}
			await c.close();
		}
	}
	ok(wide.length === 0, 'no page is wider than its window, the phone tower with its pins included', wide.join('\n'));
	ok(low.length === 0, 'kind badges are at 4.5:1 in both themes', low.join('\n'));

	/* The log page without JavaScript: the filter form, a class. */
	const nojs = await browser.newContext({ viewport: SIZES.phone, javaScriptEnabled: false });
	const q = await nojs.newPage();
	await q.goto(url + '/sessions/' + sid + '/log', { waitUntil: 'load' });
	const all = await q.locator('#race-log li').count();
	ok(all > 0, 'the log page lists the entries without JavaScript', String(all));
	const classes = await q.locator('select[name="class"] option').allTextContents();
	const cls = classes.filter((c) => c !== 'all').pop();
	await q.selectOption('select[name="class"]', cls);
	await Promise.all([q.waitForNavigation(), q.click('.log-filters button')]);
	ok(new URL(q.url()).searchParams.get('class') === cls, 'the form filters by class', q.url());
	const rows = await q.evaluate(() => Array.from(document.querySelectorAll('#race-log li')).map((li) => ({
		car: li.dataset.car || null, cls: (li.querySelector('.who a') || {}).className || '' })));
	const carsOf = await api('/api/v1/sessions/' + sid);
	const inClass = {};
	(carsOf.standings || []).forEach((r) => { if (r['class'] === cls) inClass[r.car] = true; });
	ok(rows.every((r) => r.car === null || inClass[r.car]), 'only its cars and the whole session\'s entries',
	    JSON.stringify(rows.slice(0, 5)));
	await q.goto(url + '/sessions/' + sid + '?pin=' + pinned, { waitUntil: 'load' });
	ok(await q.locator('#pins li.pin[data-car="' + pinned + '"]').count() === 1 &&
	    await q.locator('#pins').isVisible(), '?pin= shows My team without JavaScript');
	await q.screenshot({ path: path.join(shots, 'log-session-nojs-phone.png'), fullPage: true });
	await nojs.close();

	/* The log page takes live entries too, on top. */
	const lp = await ctx.newPage();
	lp.on('pageerror', (e) => errors.push('log: ' + e.message));
	await lp.goto(url + '/sessions/' + sid + '/log', { waitUntil: 'load' });
	const before = await lp.locator('#race-log li').count();
	const grew = await lp.waitForFunction((n) => document.querySelectorAll('#race-log li').length > n &&
	    document.querySelector('#race-log li.new') !== null, before, { timeout: 180000, polling: 200 })
	    .then(() => true, () => false);
	ok(grew, 'the log page adds a live entry', String(before));
	const order = await lp.evaluate(() => Array.from(document.querySelectorAll('#race-log li')).slice(0, 20)
	    .map((li) => Number(li.dataset.et)));
	ok(order.every((et, i) => i === 0 || order[i - 1] >= et), 'the log page stays newest first', JSON.stringify(order));
	ok(errors.length === 0, 'no script errors', errors.join('\n'));
	await browser.close();
}

run(main);
