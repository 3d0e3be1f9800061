/*
 * The pages of an Automobilista 2 session, live and finished, at 1440×900
 * and 390×844 (t_pcars2_browser.sh): the game has no car numbers, teams or
 * chat and no virtual energy, so none of them is shown empty; the map is
 * drawn from the outline the server learnt, its cars marked by position;
 * the tower's laps agree with the laps the API lists, and the finished
 * race's order with the fake game's truth. Screenshots under $SCREENSHOTS.
 *
 * Environment: TS_URL, SCREENSHOTS, CHROMIUM, TRUTH (the fake game's truth
 * file, written when its weekend is over). Prints TAP.
 */
'use strict';
const { ok, launch, run, SIZES, api, until: poll } = require('./tap.js');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, shots = process.env.SCREENSHOTS, truth = process.env.TRUTH;
const until = (fn, ms) => poll(fn, ms, 500);

/* What a session page shows of the things AMS2 lacks, and its tower. */
function look() {
	const vis = (e) => e && e.offsetWidth > 0;
	let rows = Array.from(document.querySelectorAll('#standings tbody tr[data-car]')).map((tr) => {
		const t = (c) => (tr.querySelector('td[data-col="' + c + '"]') || {}).textContent || '';
		return { car: tr.dataset.car, pos: t('pos').trim(), laps: t('laps').trim() };
	});
	const res = document.querySelector('table.results');
	if (res) {
		/* a finished session's results: columns by their heading */
		const heads = Array.from(res.querySelectorAll('thead th')).map((h) => h.textContent.trim());
		rows = Array.from(res.querySelectorAll('tbody tr')).map((tr) => {
			const td = tr.querySelectorAll('td'), a = tr.querySelector('a[href*="/cars/"]');
			return { car: a ? a.getAttribute('href').replace(/.*\/cars\//, '') : null,
			    pos: td[heads.indexOf('Pos')].textContent.trim(),
			    laps: td[heads.indexOf('Laps')].textContent.trim() };
		});
	}
	const marks = Array.from(document.querySelectorAll('#map-cars g.car')).map((g) =>
	    ({ car: g.dataset.car, text: g.lastChild.textContent, title: g.firstChild.textContent }));
	return {
		wide: document.documentElement.scrollWidth > window.innerWidth,
		team: vis(document.querySelector('#standings th[data-col="team"]')) ||
		    Array.from(document.querySelectorAll('table.results th')).some((h) => h.textContent === 'Team'),
		chat: !!document.querySelector('.chat-panel') || !!document.querySelector('a[href$="/chat"]'),
		fuel: (document.querySelector('#standings th[data-col="fuel"]') || {}).textContent,
		outline: document.querySelectorAll('#map .line polyline').length,
		rows, marks,
	};
}

async function main() {
	console.log('1..21');
	const browser = await launch();
	const ctx = {};
	for (const k of Object.keys(SIZES)) ctx[k] = await browser.newContext({ viewport: SIZES[k] });
	fs.mkdirSync(shots, { recursive: true });

	/* live: a race whose map has its outline and its cars */
	const sid = await until(async () => {
		const l = await api('/api/v1/sessions?sim=pcars2');
		const s = l && l.sessions.find((x) => x.type.startsWith('race') && x.state === 'live');
		if (!s) return null;
		const m = await api('/api/v1/sessions/' + s.id + '/map');
		return m && JSON.stringify(m).length > 200 ? s.id : null;
	}, 600000);
	ok(!!sid, 'a live AMS2 race with a learnt track outline');
	if (!sid) return browser.close();
	for (const k of Object.keys(SIZES)) {
		const page = await ctx[k].newPage();
		await page.goto(url + '/sessions/' + sid);
		const v = await until(async () => {
			const x = await page.evaluate(look);
			return x.marks.length > 0 ? x : null;
		}, 30000) || await page.evaluate(look);
		await page.screenshot({ path: path.join(shots, 'pcars2-live-' + k + '.png'), fullPage: true });
		ok(!v.wide, k + ': the live page is no wider than the window');
		ok(!v.team && !v.chat && /^\s*Fuel\s*$/.test(v.fuel || ''),
		    k + ': no team column, no chat, a Fuel column without VE', JSON.stringify(v).slice(0, 300));
		ok(v.outline > 0 && v.marks.length > 0, k + ': the map has the learnt outline and the cars');
		const pos = {};
		v.rows.forEach((r) => { pos[r.car] = r.pos; });
		ok(v.marks.every((m) => m.text === pos[m.car] && !m.title.startsWith('#')),
		    k + ': each car on the map is marked by its position in the tower',
		    JSON.stringify(v.marks.slice(0, 4)) + ' ' + JSON.stringify(pos));
		await page.close();
	}

	/* finished: the truth file is there once the weekend is over */
	const done = await until(async () => fs.existsSync(truth) && fs.statSync(truth).size > 0, 900000);
	ok(done, 'the fake game finished its race');
	const t = JSON.parse(fs.readFileSync(truth, 'utf8'));
	const race = t.sessions.find((s) => s.type === 'race');
	const fin = await until(async () => {
		const s = await api('/api/v1/sessions/' + sid);
		return s && s.finished ? s : null;
	}, 120000);
	ok(!!fin, 'the race session is finished');
	const laps = await until(async () => {
		const l = await api('/api/v1/sessions/' + sid + '/laps');
		const n = l ? l.cars.reduce((a, c) => a + c.laps.length, 0) : 0;
		return n >= race.laps.length ? l : null;
	}, 120000);
	for (const k of Object.keys(SIZES)) {
		const page = await ctx[k].newPage();
		await page.goto(url + '/sessions/' + sid);
		const v = await page.evaluate(look);
		await page.screenshot({ path: path.join(shots, 'pcars2-finished-' + k + '.png'), fullPage: true });
		ok(!v.wide && !v.team && !v.chat, k + ': the finished page: no wider than the window, no team, no chat');
		const byCar = {};
		(laps ? laps.cars : []).forEach((c) => { byCar[c.car] = c.laps.length; });
		ok(v.rows.length > 0 && v.rows.every((r) => Number(r.laps) === byCar[r.car]),
		    k + ': every car\'s laps in the results are the laps the API lists',
		    JSON.stringify(v.rows.slice(0, 4)) + ' ' + JSON.stringify(byCar));
		/* the results' order is the truth's: by index, which is the slot */
		const cars = await api('/api/v1/sessions/' + sid);
		const slotOf = {};
		((cars && cars.standings) || []).forEach((c) => { slotOf[c.car] = c.slot; });
		ok(v.rows.map((r) => slotOf[r.car]).join(' ') === race.results.map((r) => r.index).join(' '),
		    k + ': the results are in the truth\'s final order');
		for (const [name, p] of [['pits', '/pits'], ['car', '/cars/' + v.rows[0].car]]) {
			await page.goto(url + '/sessions/' + sid + p);
			const h = await page.evaluate(() => Array.from(document.querySelectorAll('h1, h2')).map((e) =>
			    e.textContent.trim()));
			await page.screenshot({ path: path.join(shots, 'pcars2-' + name + '-' + k + '.png'), fullPage: true });
			ok(h.length > 0 && h.every((x) => !x.startsWith('#')),
			    k + ': the ' + name + ' page names the cars without a lone "#"', h.slice(0, 4).join(' | '));
		}
		await page.close();
	}
	await browser.close();
}

run(main);
