/*
 * Trackside: the strategy figures kept live. static/live.js follows the
 * session and fires 'ts:delta' on document with each delta; when one
 * carries laps (of the page's car, on a car's strategy page), this
 * re-fetches the figures, at most once every 3 s, and writes them where
 * the server rendered them:
 *  - the timing page's strategy columns (data-col sleft, swin, styre,
 *    space) from /api/v1/sessions/{id}/strategy;
 *  - a car's strategy page (data-s="key" or "key|filter") from
 *    /api/v1/sessions/{id}/cars/{car}/strategy, with its tables.
 * Without JavaScript the pages show the figures as they were when loaded.
 */
(function () {
	'use strict';

	var THROTTLE = 3000;
	var COLS = ['sleft', 'swin', 'styre', 'space'];
	/* what the page shows for a figure not known (as templates/strategy.html) */
	var EMPTY = { left_text: '—', window_text: '—', projected_laps: '—', pace5: '—', tyre_text: 'not known' };

	function isnum(v) { return typeof v === 'number' && isFinite(v); }

	function laptime(t) {
		if (!isnum(t) || t <= 0) return '';
		var ms = Math.round(t * 1000), s = Math.floor(ms / 1000) % 60, m = Math.floor(ms / 60000);
		var f = ('00' + (ms % 1000)).slice(-3);
		return m > 0 ? m + ':' + ('0' + s).slice(-2) + '.' + f : s + '.' + f;
	}

	function duration(t) {
		if (!isnum(t)) return '';
		var s = Math.round(t < 0 ? 0 : t);
		return Math.floor(s / 3600) + ':' + ('0' + Math.floor(s / 60) % 60).slice(-2) + ':' + ('0' + s % 60).slice(-2);
	}

	function pct(v) { return isnum(v) ? Math.round(v * 100) + '%' : ''; }

	function format(v, filter) {
		if (v === null || v === undefined) return '';
		if (filter === 'pct') return pct(v);
		if (filter === 'laptime') return laptime(v);
		if (filter === 'duration') return duration(v);
		return String(v);
	}

	function el(tag, text, cls) {
		var e = document.createElement(tag);
		if (text !== undefined && text !== null) e.textContent = text;
		if (cls) e.className = cls;
		return e;
	}

	/*
	 * Calls fn at most once every THROTTLE ms, counted from the end of the
	 * previous call: a call inside the interval is kept for its end; one
	 * fetch at a time.
	 */
	function throttled(fn) {
		var last = 0, timer = null, busy = false, again = false;
		function run() {
			timer = null;
			if (busy) { again = true; return; }
			busy = true;
			last = Date.now();
			fn(function () {
				busy = false;
				last = Date.now();	/* the interval runs from the answer */
				if (again) { again = false; kick(); }
			});
		}
		function kick() {
			if (timer) return;
			var wait = THROTTLE - (Date.now() - last);
			timer = setTimeout(run, wait > 0 ? wait : 0);
		}
		return kick;
	}

	function getJSON(url, done) {
		fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
			return r.ok ? r.json() : null;
		}).then(function (j) { done(j); }, function () { done(null); });
	}

	/* ---- the timing page ---- */

	function Timing(table, id) {
		var head = {};
		table.querySelectorAll('thead th').forEach(function (th) { head[th.dataset.col] = th; });

		function set(td, text, cls) {
			if (td.textContent !== text) {
				var a = td.firstElementChild;
				if (a && a.tagName === 'A') a.textContent = text;
				else td.textContent = text;
			}
			if (cls !== undefined) td.classList.toggle('low', cls);
		}

		/* A row live.js made for a car that came later has none of the strategy cells. */
		function cells(tr) {
			var have = {};
			Array.prototype.forEach.call(tr.children, function (td) { have[td.dataset.col] = td; });
			COLS.forEach(function (k) {
				if (have[k]) return;
				var td = el('td');
				td.dataset.col = k;
				td.className = (k === 'swin' ? '' : 'num') + (head[k] && head[k].classList.contains('hide') ? ' hide' : '');
				if (k === 'sleft') {
					var a = el('a');
					a.href = '/sessions/' + encodeURIComponent(id) + '/cars/' + tr.dataset.car + '/strategy';
					td.appendChild(a);
				}
				tr.appendChild(td);
				have[k] = td;
			});
			return have;
		}

		function apply(j) {
			if (!j || !j.cars) return;
			var by = {};
			j.cars.forEach(function (c) { by[c.car] = c; });
			Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
				var c = by[tr.dataset.car], td = cells(tr);
				if (!c) return;
				set(td.sleft, c.left_text, !!c.low);
				set(td.swin, c.window_text);
				set(td.styre, c.tyre_text);
				set(td.space, c.pace_text);
			});
		}

		var update = throttled(function (done) {
			getJSON('/api/v1/sessions/' + encodeURIComponent(id) + '/strategy', function (j) {
				apply(j);
				done();
			});
		});
		document.addEventListener('ts:delta', function (e) {
			var d = e.detail;
			if (d && d.laps && d.laps.length) update();
			else if (d && d.rows) Array.prototype.forEach.call(table.tBodies[0].rows, cells);
		});
		document.addEventListener('ts:snapshot', function () { update(); });
	}

	/* ---- a car's strategy page ---- */

	function Car(sec) {
		var id = sec.dataset.sessionId, car = Number(sec.dataset.strategyCar);
		var lapsT = document.getElementById('strategy-laps'), stintsB = document.getElementById('strategy-stints');

		function figures(s) {
			sec.querySelectorAll('[data-s]').forEach(function (e) {
				var p = e.dataset.s.split('|'), t = format(s[p[0]], p[1]);
				if (t === '' && EMPTY[p[0]]) t = EMPTY[p[0]];
				if (e.textContent !== t) e.textContent = t;
				if (p[0] === 'left_text') e.classList.toggle('low', !!s.low);
			});
		}

		function laps(arr) {
			if (!lapsT) return;
			var ve = !!lapsT.dataset.ve, tb = el('tbody');
			arr.forEach(function (l) {
				var tr = el('tr', null, (l.fuel_used_in ? 'used' : '') + (l.valid ? '' : ' invalid'));
				tr.appendChild(el('td', String(l.lap), 'num'));
				tr.appendChild(el('td', laptime(l.time) || '—', 'num'));
				tr.appendChild(el('td', l.driver || ''));
				tr.appendChild(el('td', pct(l.fuel), 'num'));
				tr.appendChild(el('td', l.fuel_used_text, 'num'));
				tr.appendChild(el('td', l.fuel_why_text, 'why why-' + l.fuel_why));
				if (ve) {
					tr.appendChild(el('td', pct(l.ve), 'num'));
					tr.appendChild(el('td', l.ve_used_text, 'num'));
					tr.appendChild(el('td', l.ve_why_text, 'why why-' + l.ve_why));
				}
				tb.appendChild(tr);
			});
			lapsT.replaceChild(tb, lapsT.tBodies[0]);
		}

		function stints(arr) {
			if (!stintsB) return;
			var cols = stintsB.parentNode.tHead.rows[0].cells.length, tb = el('tbody');
			tb.id = 'strategy-stints';
			arr.forEach(function (s) {
				var tr = el('tr');
				[String(s.stint), s.driver || '', String(s.laps), String(s.first_lap), String(s.last_lap)].forEach(function (t, i) {
					tr.appendChild(el('td', t, i === 1 ? '' : 'num'));
				});
				/* the tyre columns when the page has them (caps.pits, caps.compound) */
				if (cols >= 8) {
					tr.appendChild(el('td', s.tyres_at_stop));
					tr.appendChild(el('td', s.set === null ? '' : String(s.set), 'num'));
					tr.appendChild(el('td', s.set_age === null ? '—' : String(s.set_age), 'num'));
				}
				if (cols === 6 || cols === 9) tr.appendChild(el('td', s.compound || ''));
				tb.appendChild(tr);
			});
			stintsB.parentNode.replaceChild(tb, stintsB);
			stintsB = tb;
		}

		var update = throttled(function (done) {
			getJSON('/api/v1/sessions/' + encodeURIComponent(id) + '/cars/' + car + '/strategy', function (j) {
				if (j && j.strategy) {
					figures(j.strategy);
					laps(j.laps || []);
					stints(j.stints || []);
				}
				done();
			});
		});
		document.addEventListener('ts:delta', function (e) {
			var d = e.detail;
			if (d && d.laps && d.laps.some(function (l) { return l.car === car; })) update();
		});
	}

	function init() {
		if (typeof fetch === 'undefined') return;
		var head = document.querySelector('[data-session]'), table = document.getElementById('standings');
		var sec = document.querySelector('[data-strategy-car]');
		if (sec) Car(sec);
		else if (head && table && table.querySelector('th[data-col="sleft"]')) Timing(table, head.dataset.session);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
