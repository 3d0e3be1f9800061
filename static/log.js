/*
 * The race control log, live. On the log page (#race-log) each new entry of
 * the session's live events that matches the page's filter (?class=,
 * ?car=) goes on top; on the session page the ticker (#ticker) keeps the
 * newest eight, newest on top, the new ones marked for a moment. Entries
 * come from static/live.js's 'ts:delta' (d.log) and 'ts:snapshot' (the
 * newest ones again after a reconnection: those already shown are not
 * repeated). The page is complete without this script.
 */
(function () {
	'use strict';

	/* kind: [badge, label], as fcgi/h_log.c's log_kinds */
	var KINDS = {
		session: ['phase', 'session'], phase: ['phase', 'phase'],
		fcy: ['flag', 'FCY'], fcy_end: ['flag', 'green'],
		yellow: ['flag', 'yellow'], yellow_clear: ['flag', 'clear'],
		pit_in: ['pit', 'pit in'], pit_out: ['pit', 'pit out'],
		stop: ['stop', 'stop'], garage_in: ['pit', 'garage'],
		garage_out: ['pit', 'garage out'], swap: ['swap', 'swap'],
		penalty: ['penalty', 'penalty'], penalty_served: ['penalty', 'served'],
		retired: ['retired', 'retired'], dq: ['retired', 'DQ'],
		finish: ['flag', 'finish'], fastest_lap: ['fastest', 'fastest'],
		lead: ['lead', 'lead']
	};
	var TICKER = 8;

	function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }
	function isnum(v) { return typeof v === 'number' && isFinite(v); }
	function duration(t) {
		if (!isnum(t)) return '';
		var s = Math.max(0, Math.round(t));
		return Math.floor(s / 3600) + ':' + pad(Math.floor(s / 60) % 60, 2) + ':' + pad(s % 60, 2);
	}
	function clsKey(c) { return typeof c === 'string' ? c.toLowerCase().replace(/[^a-z0-9]/g, '') : ''; }
	function str(v) { return v === null || v === undefined ? '' : String(v); }
	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	}

	/* What makes an entry the same entry, shown or arriving. */
	function key(kind, car, et, text) {
		return kind + '|' + (car || 0) + '|' + Math.round(Number(et) * 1000) + '|' + text;
	}
	function keyOf(li) {
		var t = li.querySelector('.text');
		return key(li.dataset.kind, li.dataset.car, li.dataset.et, t ? t.textContent : '');
	}

	/*
	 * A list of entries, newest on top: keep = how many it holds at most (0:
	 * all), full = with lap and car (the log page), cars = what the filter
	 * form knows of each car, match = whether an entry belongs.
	 */
	function List(ol, empty, keep, full, cars, match) {
		var id = (document.querySelector('.session-head') || {}).dataset || {};
		var shown = {};
		Array.prototype.forEach.call(ol.children, function (li) { shown[keyOf(li)] = true; });

		function item(e) {
			var k = KINDS[e.kind] || ['other', str(e.kind)];
			var li = el('li', 'log-entry kind-' + str(e.kind) + ' new');
			li.dataset.kind = str(e.kind);
			li.dataset.et = str(e.et);
			if (e.car) li.dataset.car = e.car;
			li.appendChild(el('span', 'et', duration(e.et)));
			li.appendChild(document.createTextNode(' '));
			if (full) {
				li.appendChild(el('span', 'lap', isnum(e.lap) && e.lap > 0 ? 'L' + e.lap : ''));
				li.appendChild(document.createTextNode(' '));
			}
			li.appendChild(el('span', 'badge-k badge-' + k[0], k[1]));
			li.appendChild(document.createTextNode(' '));
			if (full) {
				var who = el('span', 'who');
				if (e.car) {
					var c = cars[e.car] || {};
					var a = el('a', 'carnum cls-' + clsKey(e['class']),
					    (e.number ? '#' + e.number + ' ' : '') + str(c.name));
					a.href = '/sessions/' + encodeURIComponent(id.session || '') + '/cars/' + e.car;
					who.appendChild(a);
				}
				if (e.driver) {
					who.appendChild(document.createTextNode(' '));
					who.appendChild(el('span', 'driver', e.driver));
				}
				li.appendChild(who);
				li.appendChild(document.createTextNode(' '));
			}
			li.appendChild(el('span', 'text', str(e.text)));
			return li;
		}

		/* Adds the entries (oldest first) not shown yet, each at its place. */
		function add(list) {
			if (!Array.isArray(list)) return;
			list.forEach(function (e) {
				if (!e || !match(e)) return;
				var k = key(e.kind, e.car, e.et, str(e.text));
				if (shown[k]) return;
				shown[k] = true;
				var li = item(e), at = ol.firstElementChild, et = Number(e.et);
				/* in ET order, newest on top; one of the same ET after those shown */
				while (at && Number(at.dataset.et) > et) at = at.nextElementSibling;
				ol.insertBefore(li, at);
				setTimeout(function () { li.classList.remove('new'); }, 4000);
			});
			while (keep > 0 && ol.children.length > keep) ol.removeChild(ol.lastChild);
			if (empty) empty.hidden = ol.children.length > 0;
		}
		return { add: add };
	}

	function init() {
		var lists = [], ticker = document.getElementById('ticker'), page = document.getElementById('race-log');
		if (ticker)
			lists.push(List(ticker, document.getElementById('no-ticker'), TICKER, false, {},
			    function () { return true; }));
		if (page) {
			var q = new URLSearchParams(location.search), cls = q.get('class') || '';
			var want = {}, any = false, cars = {};
			q.getAll('car').forEach(function (c) { if (c) { want[c] = true; any = true; } });
			document.querySelectorAll('.log-filters option[data-number]').forEach(function (o) {
				cars[o.value] = { name: o.dataset.name, number: o.dataset.number };
			});
			lists.push(List(page, document.getElementById('no-log'), 0, true, cars, function (e) {
				if (!e.car) return true;	/* the whole session's: flags, phases */
				if (cls && e['class'] !== cls) return false;
				return !any || want[String(e.car)] === true;
			}));
		}
		if (!lists.length) return;
		function take(ev) {
			var d = ev.detail || {};
			lists.forEach(function (l) { l.add(d.log); });
		}
		document.addEventListener('ts:delta', take);
		document.addEventListener('ts:snapshot', take);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
