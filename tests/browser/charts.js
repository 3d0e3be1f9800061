/*
 * The race charts page as a user sees it, over a stack fed by
 * trackside-fakegame's race: at 1440×900 and 390×844, in the dark and the
 * light theme, no wider than the window and every chart label at least
 * 11 px on screen; the polylines drawn are the JSON twin's points; the
 * open page gains points as laps are run, without a reload; the class
 * filter and the page without JavaScript. Screenshots under $SCREENSHOTS
 * (charts-<size>-<theme>.png).
 *
 * Environment: TS_URL (the stack), SCREENSHOTS (a directory), CHROMIUM.
 * Prints TAP.
 */
'use strict';
const { ok, launch, run, SIZES, api, until } = require('./tap.js');
const fs = require('fs');
const path = require('path');

const url = process.env.TS_URL, shots = process.env.SCREENSHOTS;

/* What the page draws, measured in the browser. */
function measure() {
	const small = [];
	let least = Infinity;
	document.querySelectorAll('figure.rchart svg').forEach((svg) => {
		const m = svg.getScreenCTM();
		svg.querySelectorAll('text').forEach((t) => {
			if (t.getClientRects().length === 0 || getComputedStyle(t).display === 'none') return;
			const px = parseFloat(getComputedStyle(t).fontSize) * m.a;
			if (px < least) least = px;
			if (px < 11 - 0.05) small.push(t.textContent + ' ' + px.toFixed(1) + 'px');
		});
	});
	const lines = {};
	document.querySelectorAll('figure.rchart').forEach((f) => {
		lines[f.dataset.chart] = {};
		f.querySelectorAll('g.car').forEach((g) => {
			const pl = g.querySelector('polyline');
			lines[f.dataset.chart][g.dataset.car] = pl ? pl.getAttribute('points') : null;
		});
	});
	const colours = Array.from(document.querySelectorAll('figure.rchart g.car polyline')).slice(0, 3).map((p) =>
	    getComputedStyle(p).stroke);
	return {
		width: document.documentElement.scrollWidth,
		window: document.documentElement.clientWidth,
		least: least,
		small: small.slice(0, 8),
		lines: lines,
		colours: colours,
		bg: getComputedStyle(document.body).backgroundColor,
	};
}

/* Whether the page's polylines are the JSON twin's series, point for point. */
function same(lines, twin) {
	const diffs = [];
	for (const k of ['laps', 'gaps', 'times']) {
		const drawn = lines[k] || {}, series = twin && twin[k] ? twin[k].series : [];
		if (Object.keys(drawn).length !== series.length)
			diffs.push(k + ': ' + Object.keys(drawn).length + ' lines, ' + series.length + ' series');
		for (const s of series)
			if (drawn[s.car] !== s.points || s.points.split(' ').length !== s.data.length)
				diffs.push(k + ' car ' + s.car);
	}
	return diffs;
}

function total(lines) {
	let n = 0;
	for (const car of Object.keys(lines.laps || {}))
		n += (lines.laps[car] || '').split(' ').filter(Boolean).length;
	return n;
}

async function main() {
	console.log('1..16');
	fs.mkdirSync(shots, { recursive: true });
	const browser = await launch();
	const ctx = {};
	for (const k of Object.keys(SIZES))
		ctx[k] = await browser.newContext({ viewport: SIZES[k] });

	const race = await until(async () => {
		const l = await api('/api/v1/sessions');
		const r = (l && l.sessions || []).find((x) => x.kind === 'race' && x.live);
		if (!r) return null;
		const c = await api('/api/v1/sessions/' + r.id + '/charts');
		return c && c.laps && c.laps.series.length > 1 && c.gaps &&
		    c.laps.series.every((s) => s.data.length >= 2) ? r.id : null;
	}, 240000, 1000);
	ok(race !== null, 'the race runs and every car of the leading class has laps');
	if (!race) {
		await browser.close();
		process.exit(1);
	}
	const page = url + '/sessions/' + race + '/charts';

	/* Each size and theme: fits, labels legible, drawn from the twin's points. */
	const errors = [];
	for (const size of Object.keys(SIZES)) {
		const p = await ctx[size].newPage();
		p.on('pageerror', (e) => errors.push(String(e)));
		await p.goto(page, { waitUntil: 'load' });
		for (const theme of ['dark', 'light']) {
			await p.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
			const m = await p.evaluate(measure);
			ok(m.width <= m.window, size + ', ' + theme + ': no wider than the window', m.width + ' > ' + m.window);
			ok(m.least >= 11 - 0.05, size + ', ' + theme + ': chart labels at least 11 px',
			    'smallest ' + m.least.toFixed(1) + ' px: ' + m.small.join(', '));
			if (theme === 'dark' && size === 'desktop') {
				/* read the twin right after the page: laps may come in between, so retry once */
				let diffs = same(m.lines, await api('/api/v1/sessions/' + race + '/charts'));
				if (diffs.length > 0) {
					await p.reload({ waitUntil: 'load' });
					const again = await p.evaluate(measure);
					diffs = same(again.lines, await api('/api/v1/sessions/' + race + '/charts'));
				}
				ok(diffs.length === 0, 'the polylines are the JSON twin\'s points', diffs.slice(0, 5).join('\n'));
			}
			await p.screenshot({ path: path.join(shots, 'charts-' + size + '-' + theme + '.png'), fullPage: true });
			if (size === 'desktop')
				ok(m.colours.length > 0 && m.colours.every((c) => c !== 'none' && c !== 'rgb(0, 0, 0)'),
				    theme + ': lines in the palette\'s colours', m.colours.join(' '));
		}
		await p.close();
	}

	/* The open page follows the race: more points, no reload. */
	const lp = await ctx.desktop.newPage();
	await lp.goto(page, { waitUntil: 'load' });
	await lp.evaluate(() => { window.tsMark = 1; });
	const before = total(await lp.evaluate(measure));
	const grown = await until(async () => {
		const m = await lp.evaluate(measure);
		return total(m.lines) > before ? m : null;
	}, 90000, 1000);
	ok(grown !== null && await lp.evaluate(() => window.tsMark === 1),
	    'the open page gains lap chart points as laps are run, without a reload',
	    'points ' + before + ' then ' + (grown ? total(grown.lines) : 'no more'));
	await lp.close();
	ok(errors.length === 0, 'no script errors', errors.join('\n'));

	/* The class filter, and the page without JavaScript. */
	const twin = await api('/api/v1/sessions/' + race + '/charts');
	const other = twin && twin.classes.length > 1 ? twin.classes[1].name : null;
	const nj = await browser.newContext({ viewport: SIZES.desktop, javaScriptEnabled: false });
	const np = await nj.newPage();
	await np.goto(page, { waitUntil: 'load' });
	if (other !== null) {
		await np.selectOption('form.chart-filter select[name="class"]', other);
		await Promise.all([np.waitForNavigation(), np.click('form.chart-filter button')]);
	}
	const shown = await np.evaluate(() => ({
		lines: document.querySelectorAll('figure[data-chart="laps"] polyline').length,
		selected: (document.querySelector('select[name="class"] option:checked') || {}).value,
	}));
	ok(other === null || shown.selected === other, 'the class form picks another class without JavaScript',
	    JSON.stringify(shown) + ' ' + other);
	ok(shown.lines > 0, 'the charts are drawn without JavaScript');
	await browser.close();
}

run(main);
