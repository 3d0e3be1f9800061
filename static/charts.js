/*
 * Trackside race charts (/sessions/{id}/charts): keeps the server-drawn
 * charts of a live session current, and picks out a car's lines when its
 * legend entry is pointed at.
 *
 * static/live.js follows the session and fires 'ts:delta' on document for
 * each change. When one brings laps (a car crossed the line), pit stops or
 * a full-course yellow, this script fetches the page again, at most once
 * every 5 s, and swaps in the fresh charts and legends: the server draws
 * the points (fcgi/h_charts.c), the same ones the JSON twin
 * /api/v1/sessions/{id}/charts carries, so the live page and a reload
 * never disagree. Forms being used are left alone. Without JavaScript the
 * page is complete as served.
 *
 * "My team": when the address chooses no cars or class, the cars pinned in
 * this browser (static/pins.js, localStorage "ts.pins") are charted with
 * the cars directly ahead and behind them in class (from
 * /api/v1/sessions/{id}/pins), and their lines drawn bold.
 */
'use strict';

(function () {
	var EVERY_MS = 5000;

	function Charts(root) {
		var last = 0, due = null, busy = false, snapshots = 0, own = [];

		function matters(d) {
			if (d.laps && d.laps.length) return true;
			if (d.pits && d.pits.length) return true;
			return (d.log || []).some(function (e) { return e.kind === 'fcy' || e.kind === 'fcy_end'; });
		}

		/* The parts the server redraws, by name: charts, legends, the car chooser. */
		function parts(doc) {
			var out = {};
			doc.querySelectorAll('[data-chart], [data-part]').forEach(function (e) {
				out[e.dataset.chart || e.dataset.part] = e;
			});
			return out;
		}

		function swap(html) {
			var doc = new DOMParser().parseFromString(html, 'text/html');
			var fresh = doc.getElementById('rcharts');
			if (!fresh) return;
			var now = parts(document), next = parts(doc), same = true;
			Object.keys(now).concat(Object.keys(next)).forEach(function (k) {
				if (!(k in now) || !(k in next)) same = false;
			});
			var active = document.activeElement;
			if (!same) {
				/* a chart appeared (first laps): the whole section, unless a form is in use */
				if (active && active.form && root.contains(active)) return;
				root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes).map(function (n) {
					return document.importNode(n, true);
				}));
				return;
			}
			Object.keys(next).forEach(function (k) {
				if (active && now[k].contains(active)) return;
				now[k].replaceWith(document.importNode(next[k], true));
			});
			mark();
		}

		/* The pinned cars' lines over the others, and a word on what is shown. */
		function mark() {
			root.querySelectorAll('.rchart g.car').forEach(function (g) {
				g.classList.toggle('pinned', own.indexOf(g.dataset.car) >= 0);
			});
			if (own.length === 0 || document.getElementById('chart-team')) return;
			var note = document.createElement('p');
			note.id = 'chart-team';
			note.className = 'chart-team';
			note.textContent = 'My team: your pinned cars, drawn bold, with the cars directly ahead and behind them in class.';
			root.insertBefore(note, root.firstChild);
		}

		function json(url) {
			return fetch(url, { cache: 'no-store' }).then(function (r) { return r.ok ? r.json() : null; });
		}

		/* The pinned cars of this session with their neighbours in class, as the address's choice. */
		function myTeam() {
			var pins, q = new URLSearchParams(location.search), sid = root.dataset.charts;
			try { pins = JSON.parse(localStorage.getItem('ts.pins') || '[]'); } catch (e) { pins = []; }
			if (!Array.isArray(pins) || pins.length === 0 || q.has('cars') || q.has('class') || !sid)
				return;
			var base = '/api/v1/sessions/' + encodeURIComponent(sid);
			json(base).then(function (s) {
				var rows = (s && s.standings) || [], mine = rows.filter(function (r) {
					return pins.indexOf(String(r.number || '') + '|' + String(r.vehicle || r.veh || '')) >= 0;
				});
				if (mine.length === 0) return null;
				return json(base + '/pins?cars=' + mine.map(function (r) { return r.car; }).join(',')).then(function (p) {
					var ids = [], mineIds = [];
					((p && p.pins) || []).forEach(function (x) {
						mineIds.push(String(x.car));
						[x.ahead, x, x.behind].forEach(function (c) {
							if (c && ids.indexOf(String(c.car)) < 0) ids.push(String(c.car));
						});
					});
					if (ids.length === 0) return null;
					if (mine[0]['class']) q.set('class', mine[0]['class']);
					q.set('cars', ids.slice(0, 8).join(','));
					history.replaceState(null, '', location.pathname + '?' + q.toString());
					return fetch(location.href, { cache: 'no-store' }).then(function (r) {
						return r.ok ? r.text() : null;
					}).then(function (html) {
						own = mineIds;
						if (html) swap(html);
						mark();
					});
				});
			}).catch(function () { /* the page as served stays */ });
		}

		function refresh() {
			due = null;
			if (busy) { soon(); return; }
			busy = true;
			last = Date.now();
			fetch(location.href, { cache: 'no-store', headers: { Accept: 'text/html' } }).then(function (res) {
				return res.ok ? res.text() : null;
			}).then(function (html) {
				if (html) swap(html);
			}).catch(function () { /* the next change tries again */ }).then(function () {
				busy = false;
			});
		}

		function soon() {
			if (due) return;
			due = setTimeout(refresh, Math.max(0, EVERY_MS - (Date.now() - last)));
		}

		document.addEventListener('ts:delta', function (e) {
			if (e.detail && matters(e.detail)) soon();
		});
		/* a snapshot after the first: the stream started over, laps may have been missed */
		document.addEventListener('ts:snapshot', function () {
			if (snapshots++ > 0) soon();
		});

		/* pointing at a legend entry brings that car's lines forward */
		function pick(car) {
			root.classList.toggle('picking', car !== null);
			root.querySelectorAll('.rchart g.car').forEach(function (g) {
				g.classList.toggle('picked', car !== null && g.dataset.car === car);
			});
		}
		root.addEventListener('mouseover', function (e) {
			var li = e.target.closest && e.target.closest('[data-legend-car]');
			pick(li ? li.dataset.legendCar : null);
		});
		root.addEventListener('focusin', function (e) {
			var li = e.target.closest && e.target.closest('[data-legend-car]');
			pick(li ? li.dataset.legendCar : null);
		});
		root.addEventListener('mouseleave', function () { pick(null); });
		myTeam();
	}

	function init() {
		var root = document.getElementById('rcharts');
		if (root && typeof fetch !== 'undefined' && typeof DOMParser !== 'undefined') Charts(root);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
