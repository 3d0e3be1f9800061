/*
 * The admin area in headless Chromium, used as a new admin would, with the
 * keyboard where a person would type: the sign-in (and that it replaces a
 * cookie planted before), a known driver added in the page and marked on
 * the live session page without a reload, the ☆ of the entry list, a
 * client token made, used and revoked, a session renamed, a webhook added
 * (its address masked) and removed, the audit log, markup in every admin
 * field shown as text, forms posted from other origins refused, sign-out
 * (and the old cookie refused after it).
 * Screenshots of every admin page at 1440×900 and 390×844 go to
 * $SCREENSHOTS/admin-*.png.
 *
 * Environment: TS_URL (the stack), TS_SESSION (a live session id),
 * ADMIN_NAME and ADMIN_PASSWORD (an account), POST_RECORDING and
 * UPLOAD_FILE (tests/post-recording and a recording to upload with a new
 * token), SCREENSHOTS (a directory), CHROMIUM. Prints TAP.
 */
'use strict';
const { ok, launch, run } = require('./tap.js');
const { execFile } = require('child_process');
const crypto = require('crypto');
const http = require('http');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, id = process.env.TS_SESSION, shots = process.env.SCREENSHOTS;
const user = process.env.ADMIN_NAME, pw = process.env.ADMIN_PASSWORD;
const host = new URL(url).hostname;
const HOSTILE = '<img src=x onerror=window.__xss=1>';
const SIZES = {
	desktop: { viewport: { width: 1440, height: 900 } },
	phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};

/* Runs action (a click, a key) and waits for the page it leads to; returns its response. */
async function follow(page, action) {
	const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }), action()]);
	return resp;
}

/* The path and query of the page's address. */
function where(page) {
	const u = new URL(page.url());
	return u.pathname + u.search;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Retries fn every 250 ms until it returns something truthy or ms pass; returns its last value. */
async function until(fn, ms) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() >= end)
			return v;
		await sleep(250);
	}
}

/* The flash message of an admin page: { cls, text } or null. */
function flash(page) {
	return page.evaluate(() => {
		const f = document.querySelector('.flash');
		return f ? { cls: f.className, text: f.textContent.trim() } : null;
	});
}

/*
 * The outcome a page shows after a change (its ?done=): while it says
 * pending (a loaded machine), the page is loaded again, 30 s at most.
 */
async function outcome(page) {
	await until(async () => {
		const f = await flash(page);
		if (f && /\bpending\b/.test(f.cls)) {
			await page.reload({ waitUntil: 'load' });
			return null;
		}
		return true;
	}, 30000);
	return flash(page);
}

/* Uploads UPLOAD_FILE with token as a client of its own: { code, err }, code 0 when accepted (202). */
function upload(token) {
	return new Promise((resolve) => {
		execFile(process.env.POST_RECORDING, ['-u', url + '/api/v1/frames', '-t', token, '-c', 'adminbrowser01',
		    process.env.UPLOAD_FILE], (e, out, err) => resolve({ code: e ? e.code || 1 : 0, err: String(err) }));
	});
}

/* A page of another origin (the test's own server) that posts a form to url + action on load. */
function forger() {
	const server = http.createServer((req, res) => {
		const q = new URL(req.url, 'http://x').searchParams;
		const field = (n, v) => '<input type="hidden" name="' + n + '" value="' +
		    String(v).replace(/[&"<>]/g, (c) => '&#' + c.charCodeAt(0) + ';') + '">';
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end('<!doctype html><title>prize</title><form method="post" action="' + url + q.get('action') + '">' +
		    field('name', q.get('name')) + (q.get('csrf') ? field('csrf', q.get('csrf')) : '') +
		    '</form><script>document.forms[0].submit()</script>');
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/* Opens evil (a page of another origin that posts a form to this site) and waits until the browser lands here. */
async function forged(page, evil) {
	try {
		await Promise.all([
			page.waitForURL((u) => u.href.startsWith(url + '/'), { waitUntil: 'load', timeout: 20000 }),
			page.goto(evil),
		]);
		return { landed: where(page), text: (await page.textContent('body')).trim().slice(0, 160) };
	} catch (e) {
		return { landed: page.url(), error: String(e.message).split('\n')[0] };
	}
}

/* Types into the field selected by sel, as from the keyboard. */
async function type(page, sel, text) {
	await page.focus(sel);
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await page.keyboard.type(text);
}

/* Whether an element in focus shows it (outline or a box shadow). */
function focusShown() {
	const e = document.activeElement;
	if (!e || e === document.body)
		return null;
	const s = getComputedStyle(e);
	return {
		what: e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 30),
		shown: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
	};
}

/* How an admin page looks to the markup test: the payload ran, made an element, is shown as text. */
function xssState(payload) {
	return {
		ran: window.__xss !== undefined,
		imgs: Array.from(document.images).filter((i) => i.getAttribute('src') === 'x').length,
		text: document.body.innerText.includes(payload),
	};
}

async function main() {
	console.log('1..25');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const ctx = await browser.newContext(SIZES.desktop);
	const page = await ctx.newPage();
	const dialogs = [];
	page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

	// a sign-in cookie planted before signing in
	const planted = crypto.randomBytes(32).toString('hex');
	await ctx.addCookies([{ name: 'ts_admin', value: planted, domain: host, path: '/admin', httpOnly: true, sameSite: 'Strict' }]);

	await page.goto(url + '/admin/', { waitUntil: 'load' });
	const login = await page.evaluate(() => ({
		focus: document.activeElement && document.activeElement.id,
		name: !!document.querySelector('label[for="admin-name"]') && !!document.querySelector('#admin-name'),
		pw: !!document.querySelector('label[for="admin-password"]') && !!document.querySelector('input[type=password]'),
	}));
	ok(where(page).startsWith('/admin/login') && login.name && login.pw,
	    '/admin/ without a sign-in leads to the sign-in form', where(page) + ' ' + JSON.stringify(login));

	// the name field has the focus: type, Tab, type, Enter
	await page.keyboard.type(user);
	await page.keyboard.press('Tab');
	await page.keyboard.type(pw + ' but wrong');
	let resp = await follow(page, () => page.keyboard.press('Enter'));
	let f = await flash(page);
	ok(login.focus === 'admin-name' && resp.status() === 401 && f && /wrong/i.test(f.text) && /refused/.test(f.cls),
	    'a wrong password, typed, shows the error', JSON.stringify({ focus: login.focus, status: resp.status(), f }));

	await type(page, '#admin-name', user);
	await page.keyboard.press('Tab');
	await page.keyboard.type(pw);
	resp = await follow(page, () => page.keyboard.press('Enter'));
	const home = await page.evaluate(() => ({
		h1: (document.querySelector('h1') || {}).textContent,
		who: (document.querySelector('.admin-signout strong') || {}).textContent,
	}));
	ok(where(page) === '/admin/' && resp.status() === 200 && home.who === user,
	    'the right password shows the dashboard', where(page) + ' ' + JSON.stringify(home));
	const cookie = (await ctx.cookies(url + '/admin/')).find((c) => c.name === 'ts_admin');
	ok(cookie && /^[0-9a-f]{64}$/.test(cookie.value) && cookie.value !== planted && cookie.httpOnly,
	    'signing in replaces a ts_admin cookie planted before with a new id', JSON.stringify({ planted, cookie }));
	const csrf = await page.getAttribute('input[name=csrf]', 'value');

	// the live session page in another tab; two drivers who are in it
	const live = await ctx.newPage();
	await live.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	await live.waitForFunction(() => window.trackside && window.trackside.state() !== null, null, { timeout: 15000 });
	await live.evaluate(() => { window.__stillTheSamePage = true; });
	const entries = await (await fetch(url + '/api/v1/sessions/' + id + '/entries')).json();
	const members = [].concat(...entries.entries.map((e) => e.members.map((m) => m.name)));
	const driving = await live.$$eval('#standings [data-col="driver"]', (cs) => cs.map((c) => c.textContent.trim()));
	const both = driving.filter((d) => members.includes(d));
	const [first, second] = both;
	if (!first || !second)
		throw new Error('no two drivers both in the standings and the entry list: ' + JSON.stringify({ driving, members }));

	// a known driver added in the page, from the keyboard
	await page.goto(url + '/admin/known', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/known/add"] input[name=name]', first);
	await page.keyboard.press('Tab');
	await page.keyboard.type('added in the browser');
	await follow(page, () => page.keyboard.press('Enter'));
	f = await outcome(page);
	const listed = await page.$$eval('.known-list td.driver', (cs) => cs.map((c) => c.textContent));
	ok(f && /\bok\b/.test(f.cls) && listed.includes(first), 'a driver added in the page is in the list, with the outcome',
	    JSON.stringify({ f, listed }));

	const marked = await live.waitForFunction((n) => Array.from(document.querySelectorAll('#standings [data-col="driver"]'))
	    .some((c) => c.textContent.trim() === n && c.classList.contains('known')), first, { timeout: 20000 })
	    .then(() => true, () => false);
	const same = await live.evaluate(() => window.__stillTheSamePage === true &&
	    performance.getEntriesByType('navigation').length === 1);
	ok(marked && same, 'the open live session page marks them known without a reload', JSON.stringify({ first, marked, same }));

	// the entry list: no ☆ for them, one click on another driver's ☆
	const ep = await ctx.newPage();
	await ep.goto(url + '/sessions/' + id + '/entries', { waitUntil: 'load' });
	const member = (p, n) => p.evaluate((name) => {
		const li = Array.from(document.querySelectorAll('ul.members li'))
		    .find((l) => (l.querySelector('.name') || {}).textContent === name);
		return li ? { known: li.classList.contains('known'), star: !!li.querySelector('form.mark-known button') } : null;
	}, n);
	const a = await member(ep, first), b = await member(ep, second);
	ok(a && a.known && !a.star && b && !b.known && b.star, 'on the entry list they are known with no ☆, another driver has one',
	    JSON.stringify({ first: a, second: b }));
	resp = await follow(ep, () => ep.click('ul.members li:has(.name:text-is("' + second + '")) form.mark-known button'));
	const b2 = await until(async () => {
		const m = await member(ep, second);
		if (m && m.known)
			return m;
		await ep.reload({ waitUntil: 'load' });	/* not applied within admin_wait */
		return null;
	}, 30000) || await member(ep, second);
	ok(new URL(ep.url()).pathname === '/sessions/' + id + '/entries' && b2 && b2.known && !b2.star,
	    'one click on the ☆ marks another driver known, back on the entry list', JSON.stringify({ at: where(ep), b2 }));

	// client access: a token made, shown once, used, revoked, refused
	await page.goto(url + '/admin/clients', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/clients/add"] input[name=name]', 'Pit wall PC');
	resp = await follow(page, () => page.keyboard.press('Enter'));
	const token = await page.inputValue('input.secret').catch(() => '');
	const snippet = await page.textContent('pre.snippet').catch(() => '');
	ok(resp.status() === 200 && token.length >= 32 && snippet.includes(token),
	    'a new token is shown with a ready client configuration', JSON.stringify({ status: resp.status(), token, snippet }));
	// the list shows the token once it is applied (at once unless the machine is loaded)
	await until(async () => {
		await page.goto(url + '/admin/clients', { waitUntil: 'load' });
		return page.$('table.clients tr:has(td:text-is("Pit wall PC"))');
	}, 30000);
	const again = (await page.content()).includes(token);
	let up = await upload(token);
	ok(!again && up.code === 0, 'the token is shown only once and a client uploads with it (202)', JSON.stringify({ again, up }));

	const row = 'table.clients tr:has(td:text-is("Pit wall PC"))';
	const tokenId = (await page.textContent(row + ' td.num')).trim();
	await follow(page, () => page.click(row + ' button.danger'));
	const confirm = await page.textContent('h1');
	await follow(page, () => page.click('form[action="/admin/clients/revoke"] button.danger'));
	f = await outcome(page);
	const revoked = await page.$eval(row, (tr) => tr.classList.contains('revoked')).catch(() => false);
	ok(/revoke/i.test(confirm) && f && /\bok\b/.test(f.cls) && revoked, 'revoking asks first, then the token shows revoked',
	    JSON.stringify({ confirm, f, revoked }));
	up = await upload(token);
	ok(up.code !== 0 && / 40[13] /.test(up.err), 'the same upload with the revoked token is refused', JSON.stringify(up));

	// session maintenance: rename the live session (the open session list follows without a reload)
	const list = await ctx.newPage();
	await list.goto(url + '/', { waitUntil: 'load' });
	await page.goto(url + '/admin/sessions', { waitUntil: 'load' });
	await follow(page, () => page.click('a[href="/admin/sessions/' + id + '"]'));
	await type(page, '#rename-name', 'Thursday sprint');
	await follow(page, () => page.keyboard.press('Enter'));
	const preview = await page.evaluate(() => ({
		h1: (document.querySelector('h1') || {}).textContent,
		rows: Array.from(document.querySelectorAll('.preview-table tbody tr')).map((r) => r.innerText).join(' | '),
	}));
	await follow(page, () => page.click('form.preview-confirm button'));
	f = await outcome(page);
	const pub = await ctx.newPage();
	await pub.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	const title = await pub.textContent('h1');
	ok(preview.rows.includes('Thursday sprint') && f && /\bok\b/.test(f.cls) && title.includes('Thursday sprint'),
	    'renaming the session shows the change first, then the public page shows the name',
	    JSON.stringify({ preview, f, title }));
	const namedInList = await list.waitForFunction((sid) => {
		const a = document.querySelector('tr[data-id="' + sid + '"] [data-k="track"] a');
		return a && a.textContent === 'Thursday sprint' ? a.textContent : null;
	}, id, { timeout: 20000 }).then((h) => h.jsonValue()).catch(() => null);
	ok(namedInList === 'Thursday sprint', 'the open session list shows the new name without a reload',
	    JSON.stringify({ namedInList, now: await list.$eval('tr[data-id="' + id + '"] [data-k="track"]',
	    (td) => td.textContent).catch(() => 'no row') }));
	await list.close();

	// webhooks: one added in the page, its address masked in the list, removed after a confirmation
	const hookUrl = 'http://127.0.0.1:9/api/webhooks/1234/' + 'k'.repeat(40);
	await page.goto(url + '/admin/hooks', { waitUntil: 'load' });
	await type(page, 'form.hook-add input[name=url]', hookUrl);
	await type(page, 'form.hook-add input[name=car]', 'Pit Wall Racing');
	await page.selectOption('form.hook-add select[name=format]', 'discord');
	await follow(page, () => page.click('form.hook-add button'));
	f = await outcome(page);
	const hookRow = 'table.hooks tbody tr:has(td[data-label="Car"]:text-is("Pit Wall Racing"))';
	const hook = await page.$eval(hookRow, (tr) => ({
		id: tr.querySelector('td.num').textContent.trim(),
		url: tr.querySelector('code.hook-url').textContent,
		format: tr.querySelector('td[data-label="Format"]').textContent,
		events: tr.querySelector('td[data-label="Events"]').textContent,
	})).catch(() => null);
	const hidden = hook && !hook.url.includes('k'.repeat(8)) && hook.url.startsWith('http://127.0.0.1:9/api/webhooks/') &&
	    !(await page.content()).includes('k'.repeat(40));
	const events = hook && /^session_start, pit, swap, penalty, finish$/.test(hook.events.trim());
	ok(f && /\bok\b/.test(f.cls) && hook && hook.format === 'discord' && events && hidden,
	    'a webhook added in the page is listed with its address masked, following all but the pit window (no window shown)',
	    JSON.stringify({ f, hook }));
	await follow(page, () => page.click(hookRow + ' button.danger'));
	const hookConfirm = await page.textContent('h1');
	await follow(page, () => page.click('form[action="/admin/hooks/remove"] button.danger'));
	f = await outcome(page);
	const gone = await page.$eval(hookRow, (tr) => tr.classList.contains('revoked') &&
	    !tr.querySelector('button')).catch(() => false);
	ok(/remove/i.test(hookConfirm) && f && /\bok\b/.test(f.cls) && gone,
	    'removing a webhook asks first, then it shows removed, with no button', JSON.stringify({ hookConfirm, f, gone }));

	// the audit log: each of those, by whom and from where
	await page.goto(url + '/admin/log', { waitUntil: 'load' });
	const log = await page.$$eval('table.audit-log tbody tr', (trs) => trs.map((tr) => {
		const td = tr.querySelectorAll('td');
		return { by: td[1].textContent, addr: td[2].textContent, cmd: td[3].title,
		    ok: td[4].textContent, summary: td[5].textContent };
	}));
	const addr = host;
	const logged = (cmd, target) => log.some((r) => r.cmd === cmd && r.by === user && r.addr === addr &&
	    r.ok === 'done' && (target === undefined || r.summary.includes(target)));
	const want = { 'known.add': [first, second], 'client.add': ['Pit wall PC'], 'client.revoke': ['token ' + tokenId], 'session.rename': [id],
	    'hook.add': [undefined], 'hook.remove': [undefined] };
	const missing = [];
	for (const [cmd, targets] of Object.entries(want))
		for (const t of targets)
			if (!logged(cmd, t))
				missing.push(cmd + ' ' + t);
	ok(missing.length === 0, 'the audit log lists each change with the account and the address',
	    JSON.stringify({ missing, log: log.slice(0, 12) }));

	// markup in every admin field is text
	await page.goto(url + '/admin/known', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/known/add"] input[name=name]', HOSTILE);
	await type(page, 'form[action="/admin/known/add"] input[name=note]', HOSTILE);
	await follow(page, () => page.keyboard.press('Enter'));
	await page.goto(url + '/admin/clients', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/clients/add"] input[name=name]', HOSTILE);
	await follow(page, () => page.keyboard.press('Enter'));
	const newTok = await page.evaluate(xssState, HOSTILE);
	await page.goto(url + '/admin/enroll', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/enroll/add"] input[name=label]', HOSTILE);
	await follow(page, () => page.keyboard.press('Enter'));
	const newCode = await page.evaluate(xssState, HOSTILE);
	await page.goto(url + '/admin/hooks', { waitUntil: 'load' });
	await type(page, 'form.hook-add input[name=url]', 'https://hooks.example.org/' + encodeURIComponent(HOSTILE));
	await type(page, 'form.hook-add input[name=car]', HOSTILE);
	await follow(page, () => page.click('form.hook-add button'));
	await page.goto(url + '/admin/sessions/' + id, { waitUntil: 'load' });
	await type(page, '#rename-name', 'Night ' + HOSTILE);
	await follow(page, () => page.keyboard.press('Enter'));
	const renamePreview = await page.evaluate(xssState, HOSTILE);
	await follow(page, () => page.click('form.preview-confirm button'));
	await page.goto(url + '/admin/known/import', { waitUntil: 'load' });
	await page.fill('#import-csv', 'name,note\n"' + HOSTILE + '",' + HOSTILE + '\n');
	await follow(page, () => page.click('form.import-form button'));
	const importPreview = await page.evaluate(xssState, HOSTILE);
	const seen = { 'new token': newTok, 'new code': newCode, 'rename preview': renamePreview, 'import preview': importPreview };
	for (const p of ['/admin/', '/admin/known', '/admin/known?q=' + encodeURIComponent('<img'), '/admin/clients',
	    '/admin/enroll', '/admin/sessions', '/admin/sessions/' + id, '/admin/log', '/admin/hooks']) {
		await page.goto(url + p, { waitUntil: 'load' });
		seen[p] = await page.evaluate(xssState, HOSTILE);
	}
	await pub.goto(url + '/sessions/' + id, { waitUntil: 'load' });
	seen['public page'] = await pub.evaluate(xssState, HOSTILE);
	const hasText = ['new token', 'new code', 'rename preview', 'import preview', '/admin/known',
	    '/admin/known?q=' + encodeURIComponent('<img'), '/admin/clients', '/admin/enroll', '/admin/sessions',
	    '/admin/sessions/' + id, '/admin/log', '/admin/hooks', 'public page'];
	const bad = Object.entries(seen).filter(([p, s]) => s.ran || s.imgs || (hasText.includes(p) && !s.text));
	ok(bad.length === 0 && dialogs.length === 0,
	    'markup in a driver, note, client, code label, session name and webhook shows as text on every admin page',
	    JSON.stringify({ bad, dialogs }));

	// forms posted from other origins
	const server = await forger();
	const port = server.address().port;
	const evil = (h, name, tok) => 'http://' + h + ':' + port + '/?action=/admin/known/add&name=' +
	    encodeURIComponent(name) + (tok ? '&csrf=' + tok : '');
	const fp = await ctx.newPage();
	const tries = {
		'another site with the token': await forged(fp, evil(host === 'localhost' ? '127.0.0.1' : 'localhost', 'Forged One', csrf)),
		'this host, another port, with the token': await forged(fp, evil(host, 'Forged Two', csrf)),
		'this host, another port, no token': await forged(fp, evil(host, 'Forged Three')),
		'a data: page': await forged(fp, 'data:text/html,' + encodeURIComponent('<form method="post" action="' + url +
		    '/admin/known/add"><input name="name" value="Forged Four"><input name="csrf" value="' + csrf +
		    '"></form><script>document.forms[0].submit()</script>')),
	};
	server.close();
	// a change made afterwards is applied after anything those could have queued
	await page.goto(url + '/admin/known', { waitUntil: 'load' });
	await type(page, 'form[action="/admin/known/add"] input[name=name]', 'After the forgeries');
	await follow(page, () => page.keyboard.press('Enter'));
	f = await outcome(page);
	await page.goto(url + '/admin/known?q=Forged', { waitUntil: 'load' });
	const forgedIn = await page.$$eval('.known-list td.driver', (cs) => cs.map((c) => c.textContent));
	const refused = Object.values(tries).every((t) => /^\/admin\/login/.test(t.landed) || /forbidden|refused/i.test(t.text || ''));
	ok(f && /\bok\b/.test(f.cls) && forgedIn.length === 0 && refused,
	    'a form another origin posts to /admin/known/add is refused and adds nothing', JSON.stringify({ tries, forgedIn }));
	for (const [how, t] of Object.entries(tries))
		console.log('# forged from ' + how + ': landed on ' + t.landed);

	// focus is visible on the controls a keyboard reaches
	await page.goto(url + '/admin/known', { waitUntil: 'load' });
	const focus = [];
	for (let i = 0; i < 16; i++) {
		await page.keyboard.press('Tab');
		const s = await page.evaluate(focusShown);
		if (s)
			focus.push(s);
	}
	ok(focus.length >= 8 && focus.every((s) => s.shown), 'every control the Tab key reaches shows its focus',
	    JSON.stringify(focus.filter((s) => !s.shown)));

	await screenshots(browser, ctx);

	// best laps: a known driver's row marks the driver's cell, with no stray cell after the row
	await page.goto(url + '/best-laps', { waitUntil: 'load' });
	const rows = await page.$$eval('tr.known', (trs) => trs.map((tr) => ({
		row: getComputedStyle(tr, '::after').content,
		cell: tr.querySelector('td.driver') ? getComputedStyle(tr.querySelector('td.driver'), '::after').content : null,
	})));
	ok(rows.length > 0 && rows.every((r) => r.row === 'none' && /★/.test(r.cell)),
	    'best laps mark a known driver in the driver cell, with no stray cell after the row', JSON.stringify(rows));

	// sign out; the old cookie no longer works
	const old = (await ctx.cookies(url + '/admin/')).filter((c) => c.name === 'ts_admin');
	await page.goto(url + '/admin/', { waitUntil: 'load' });
	await follow(page, () => page.click('.admin-signout button'));
	f = await flash(page);
	ok(where(page).startsWith('/admin/login') && f && /signed out/i.test(f.text), 'signing out leads to the sign-in form',
	    where(page) + ' ' + JSON.stringify(f));
	await page.goto(url + '/admin/', { waitUntil: 'load' });
	ok(where(page).startsWith('/admin/login'), 'after signing out the dashboard leads to the sign-in form', where(page));
	await ctx.addCookies(old);
	await page.goto(url + '/admin/', { waitUntil: 'load' });
	const stillOut = where(page).startsWith('/admin/login');
	await page.goto(url + '/admin/known', { waitUntil: 'load' });
	ok(old.length === 1 && stillOut && where(page).startsWith('/admin/login'),
	    'the cookie saved before signing out, set again, signs nobody in', JSON.stringify({ old: old.length, at: where(page) }));
	await browser.close();
}

/*
 * What makes the page wider than width (the window's): the elements that
 * reach past it and no scrolling box clips (an absolutely positioned one
 * escapes a box that is not positioned), or null.
 */
function overflow(width) {
	const doc = document.documentElement.scrollWidth;
	if (doc <= width + 1)
		return null;
	const past = (e) => e.getBoundingClientRect().right > width + 1;
	const loose = (e) => {
		let escaping = getComputedStyle(e).position === 'absolute' || getComputedStyle(e).position === 'fixed';
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			const s = getComputedStyle(a);
			if (s.overflowX !== 'visible' && !escaping)
				return false;
			if (s.position !== 'static')
				escaping = false;
		}
		return true;
	};
	const bad = (e) => e && e !== document.body && past(e) && loose(e);
	const what = Array.from(document.body.querySelectorAll('*')).filter((e) => bad(e) && !bad(e.parentElement))
	    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') +
	    ' "' + e.textContent.trim().slice(0, 30) + '" to ' + Math.round(e.getBoundingClientRect().right) + 'px');
	return doc + 'px wide: ' + (what.slice(0, 3).join(', ') || 'the document');
}

/*
 * Every admin page at 1440×900 and 390×844 (a context of each size, with
 * the sign-in of ctx): saved as admin-<page>-<size>.png; on the phone no
 * page may be wider than the screen (a wide table scrolls in its box).
 */
async function screenshots(browser, ctx) {
	const cookies = await ctx.cookies();
	const wide = [];
	let n = 0;
	for (const [size, opts] of Object.entries(SIZES)) {
		const c = await browser.newContext(opts);
		const p = await c.newPage();
		const shot = async (name) => {
			await p.screenshot({ path: path.join(shots, 'admin-' + name + '-' + size + '.png'), fullPage: true });
			n++;
			const w = await p.evaluate(overflow, opts.viewport.width);
			if (w)
				wide.push(name + '-' + size + ': ' + w);
		};
		await p.goto(url + '/admin/login', { waitUntil: 'load' });
		await shot('login');
		await c.addCookies(cookies);
		for (const [name, p0] of [['dashboard', '/admin/'], ['known', '/admin/known'], ['clients', '/admin/clients'],
		    ['sessions', '/admin/sessions'], ['session', '/admin/sessions/' + id], ['log', '/admin/log'],
		    ['hooks', '/admin/hooks']]) {
			await p.goto(url + p0, { waitUntil: 'load' });
			await shot(name);
		}
		await p.goto(url + '/admin/known/import', { waitUntil: 'load' });
		await p.fill('#import-csv', 'name,note\nAnna Lindqvist,GT3 regular\n,a note without a name\n' +
		    'x'.repeat(70) + ',too long a name\nAnna Lindqvist,twice\n');
		await follow(p, () => p.click('form.import-form button'));
		await shot('import');
		await p.goto(url + '/admin/clients', { waitUntil: 'load' });
		await p.fill('form[action="/admin/clients/add"] input[name=name]', 'Screenshot PC ' + size);
		await follow(p, () => p.click('form[action="/admin/clients/add"] button'));
		await shot('token');
		await p.goto(url + '/admin/enroll', { waitUntil: 'load' });
		await p.fill('form[action="/admin/enroll/add"] input[name=label]', 'Screenshot event ' + size);
		await follow(p, () => p.click('form[action="/admin/enroll/add"] button'));
		await shot('enroll');
		await p.goto(url + '/admin/sessions/' + id, { waitUntil: 'load' });
		await follow(p, () => p.click('form[action$="/delete"] button'));
		await shot('preview');
		// the public pages as a signed-in admin sees them: the name, the ☆ buttons
		for (const [name, p0] of [['public-session', '/sessions/' + id], ['public-entries', '/sessions/' + id + '/entries'],
		    ['public-best-laps', '/best-laps']]) {
			await p.goto(url + p0, { waitUntil: 'load' });
			await shot(name);
		}
		await c.close();
	}
	ok(n === 30 && wide.length === 0, 'no admin page, nor a public page with the admin\'s buttons, is wider than a phone (' +
	    n + ' screenshots)', wide.join(', '));
}

run(main);
