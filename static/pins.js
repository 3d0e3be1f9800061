/*
 * "My team" on the session page: a pin button on each standings row
 * (#standings tr[data-car], rows static/live.js builds, so the buttons are
 * added again after each 'ts:snapshot' and 'ts:delta'; the cell is the last
 * of the row and has no data-col, so live.js leaves it alone), the pins kept in
 * this browser (localStorage "ts.pins": a car is its number and vehicle,
 * not its id, so a pin carries to the next session of the same event), and
 * the panel (#pins) above the standings: each pinned car with the car
 * directly ahead and behind in its class, the gaps and the gap trend over
 * the last laps, from /api/v1/sessions/{id}/pins, fetched again as laps
 * come in. Without JavaScript ?pin=<car id>,... renders the same panel.
 */
(function () {
	'use strict';

	var KEY = 'ts.pins', REFRESH = 5000;
	var store = {
		get: function () {
			try {
				var v = JSON.parse(localStorage.getItem(KEY) || '[]');
				return Array.isArray(v) ? v.filter(function (x) { return typeof x === 'string'; }) : [];
			} catch (e) { return []; }
		},
		set: function (v) { try { localStorage.setItem(KEY, JSON.stringify(v)); } catch (e) { /* private mode */ } }
	};

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	}
	function str(v) { return v === null || v === undefined ? '' : String(v); }
	function cell(tr, col) {
		var td = tr.querySelector('td[data-col="' + col + '"]');
		return td ? td.textContent.trim() : '';
	}
	/* A car as a pin knows it: "number|vehicle". */
	function ident(tr) { return cell(tr, 'num') + '|' + cell(tr, 'make'); }

	function init() {
		var panel = document.getElementById('pins'), table = document.getElementById('standings');
		if (!panel || !table) return;
		var sid = panel.dataset.pinsSession, list = panel.querySelector('ul.pins');
		var pins = store.get(), last = 0, timer = null, asked = '', shown = list.children.length;

		function rows() { return Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-car]')); }

		/* ?pin=<car id>,... of a shared address joins this browser's pins. */
		(new URLSearchParams(location.search).getAll('pin')).join(',').split(',').forEach(function (id) {
			var tr = id && table.querySelector('tbody tr[data-car="' + CSS.escape(id) + '"]');
			if (tr && pins.indexOf(ident(tr)) < 0) pins.push(ident(tr));
		});
		store.set(pins);

		/* The pinned cars' ids in standings order. */
		function pinned() {
			return rows().filter(function (tr) { return pins.indexOf(ident(tr)) >= 0; })
			    .map(function (tr) { return tr.dataset.car; });
		}

		function toggle(tr) {
			var id = ident(tr), i = pins.indexOf(id);
			if (i >= 0) pins.splice(i, 1); else pins.push(id);
			store.set(pins);
			buttons();
			refresh(true);
		}

		/*
		 * A pin cell last in every row, pressed when pinned. The heading row
		 * stays as it is: the tower's columns are the standings' own, and the
		 * button says what it does.
		 */
		function buttons() {
			rows().forEach(function (tr) {
				var td = tr.querySelector('td.pin-cell'), b;
				if (!td) {
					td = el('td', 'pin-cell');
					b = el('button', 'pin-btn');
					b.type = 'button';
					b.addEventListener('click', function () { toggle(tr); });
					td.appendChild(b);
					tr.appendChild(td);
				}
				b = td.firstChild;
				var on = pins.indexOf(ident(tr)) >= 0, label = (on ? 'Unpin #' : 'Pin #') + cell(tr, 'num');
				if (b.getAttribute('aria-pressed') !== String(on)) {
					b.setAttribute('aria-pressed', String(on));
					b.textContent = on ? '★' : '☆';
				}
				if (b.title !== label) { b.title = label; b.setAttribute('aria-label', label); }
				tr.classList.toggle('pinned', on);
			});
			choices();
		}

		function side(li, cls, arrow, s, none) {
			var p = el('p', 'pin-side ' + cls);
			p.appendChild(el('span', 'dir', arrow));
			p.appendChild(document.createTextNode(' '));
			if (!s) {
				p.appendChild(el('span', 'none', none));
			} else {
				var a = el('a', '', (s.number ? '#' + s.number + ' ' : '') + str(s.name));
				a.href = '/sessions/' + encodeURIComponent(sid) + '/cars/' + s.car;
				p.appendChild(a);
				p.appendChild(document.createTextNode(' '));
				p.appendChild(el('span', 'gap', str(s.gap_text)));
				p.appendChild(document.createTextNode(' '));
				p.appendChild(el('span', 'trend trend-' + str(s.trend_dir), str(s.trend_text)));
			}
			li.appendChild(p);
		}

		function render(list_) {
			list.textContent = '';
			list_.forEach(function (c) {
				var li = el('li', 'pin'), p = el('p', 'pin-car');
				li.dataset.car = c.car;
				var a = el('a', 'carnum cls-' + str(c.cls_key), (c.number ? '#' + c.number + ' ' : '') + str(c.name));
				a.href = '/sessions/' + encodeURIComponent(sid) + '/cars/' + c.car;
				p.appendChild(a);
				p.appendChild(document.createTextNode(' '));
				if (c['class']) {
					p.appendChild(el('span', 'cls cls-' + str(c.cls_key), str(c['class'])));
					p.appendChild(document.createTextNode(' '));
				}
				p.appendChild(el('span', 'pin-pos', c.class_position ? 'P' + c.class_position : ''));
				p.appendChild(document.createTextNode(' '));
				p.appendChild(el('span', 'driver', str(c.driver)));
				li.appendChild(p);
				side(li, 'ahead', '▲', c.ahead, 'leads the class');
				side(li, 'behind', '▼', c.behind, 'last in the class');
				list.appendChild(li);
			});
			shown = list_.length;
			show();
		}

		/*
		 * "Pin a car": a select of the cars not pinned, for the phone, whose
		 * tower has no room for the pin buttons. The panel shows there even
		 * with nothing pinned (class "none"); elsewhere it hides then.
		 */
		var add = el('select', 'pin-add'), addLabel = el('label', 'pin-add-label', 'Pin a car ');
		addLabel.appendChild(add);
		panel.appendChild(addLabel);
		add.addEventListener('change', function () {
			var tr = add.value && table.querySelector('tbody tr[data-car="' + CSS.escape(add.value) + '"]');
			if (tr) toggle(tr);
		});
		function choices() {
			var want = [['', 'choose…']];
			rows().forEach(function (tr) {
				if (pins.indexOf(ident(tr)) < 0)
					want.push([tr.dataset.car, '#' + cell(tr, 'num') + ' ' + cell(tr, 'driver')]);
			});
			if (add.options.length === want.length && want.every(function (w, i) {
				return add.options[i].value === w[0] && add.options[i].text === w[1];
			})) return;
			add.textContent = '';
			want.forEach(function (w) {
				var o = el('option', '', w[1]);
				o.value = w[0];
				add.appendChild(o);
			});
			add.value = '';
		}
		function show() {
			panel.hidden = false;
			panel.classList.toggle('none', shown === 0);
		}

		/* Asks for the panel now (now) or within REFRESH of the last time. */
		function refresh(now) {
			var ids = pinned().join(',');
			if (!ids) {
				asked = '';
				render([]);
				return;
			}
			var wait = now || ids !== asked ? 0 : Math.max(0, last + REFRESH - Date.now());
			if (timer !== null) {
				if (wait > 0) return;
				clearTimeout(timer);
			}
			timer = setTimeout(function () {
				timer = null;
				last = Date.now();
				asked = ids;
				fetch('/api/v1/sessions/' + encodeURIComponent(sid) + '/pins?cars=' + ids)
				    .then(function (r) { return r.ok ? r.json() : null; })
				    .then(function (d) { if (d && Array.isArray(d.pins) && asked === ids) render(d.pins); })
				    .catch(function () { /* the next lap asks again */ });
			}, wait);
		}

		buttons();
		refresh(true);
		document.addEventListener('ts:snapshot', function () { buttons(); refresh(false); });
		document.addEventListener('ts:delta', function (ev) {
			var d = ev.detail || {};
			buttons();
			if ((d.laps && d.laps.length) || (d.rows && d.rows.length)) refresh(false);
		});
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
