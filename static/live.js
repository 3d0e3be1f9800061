/*
 * Trackside in the browser: makes the server-rendered pages live.
 *
 * A session page subscribes to /live/sessions/{id}: the snapshot event
 * replaces its state, delta events change rows, positions, laps, bests,
 * chat and the header in place, transition offers (or follows) the next
 * session, end stops. The sessions list subscribes to /live/sessions.
 * Every event carries its channel's sequence number: Stream() applies each
 * exactly once and in order (docs/live.md). The browser's EventSource
 * reconnects by itself with Last-Event-ID, so a dropped connection resumes
 * without a gap. Everything is written with textContent: names from the
 * game are never HTML.
 *
 * The car and pit-stop pages of a live session reload their content when
 * a delta concerns them.
 *
 * Also: the light/dark theme switch, the timing page's column chooser and
 * the tower's class filter (all remembered in localStorage; ?class= sets
 * the filter from a link), times shown in the browser's zone, and track
 * map numbers kept legible.
 */
'use strict';

(function () {
	var store = {
		get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
		set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
	};

	var theme = store.get('trackside.theme');
	if (theme === 'light' || theme === 'dark')
		document.documentElement.dataset.theme = theme;

	/* ---- formatting: the same as the template filters ---- */

	function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }
	function isnum(v) { return typeof v === 'number' && isFinite(v); }
	function laptime(t) {
		if (!isnum(t) || t <= 0) return '';
		var ms = Math.round(t * 1000);
		if (ms >= 60000)
			return Math.floor(ms / 60000) + ':' + pad(Math.floor(ms / 1000) % 60, 2) + '.' + pad(ms % 1000, 3);
		return Math.floor(ms / 1000) + '.' + pad(ms % 1000, 3);
	}
	function duration(t) {
		if (!isnum(t)) return '';
		var s = Math.max(0, Math.round(t));
		return Math.floor(s / 3600) + ':' + pad(Math.floor(s / 60) % 60, 2) + ':' + pad(s % 60, 2);
	}
	function fixed1(t) { return isnum(t) ? t.toFixed(1) : ''; }
	function pct(t) { return isnum(t) ? Math.round(t * 100) + '%' : ''; }
	/* Local wall-clock times: "12:04:05" (clock) or "2026-03-09 12:04" (date). */
	function clock(at) {
		if (!isnum(at)) return '';
		var d = new Date(at * 1000);
		return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
	}
	function dateText(at) {
		var d = new Date(at * 1000);
		return d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + ' ' +
		    pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2);
	}
	function zoneName() {
		try {
			var p = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date());
			for (var i = 0; i < p.length; i++) if (p[i].type === 'timeZoneName') return p[i].value;
		} catch (e) { /* an old browser: the offset below */ }
		var m = -new Date().getTimezoneOffset();
		return 'UTC' + (m >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(m) / 60), 2) + ':' + pad(Math.abs(m) % 60, 2);
	}
	/* Every <time datetime> written by the server in UTC, shown in the local zone. */
	function localTimes(root) {
		root.querySelectorAll('time[datetime]').forEach(function (t) {
			var at = Date.parse(t.getAttribute('datetime')) / 1000;
			if (!isnum(at)) return;
			t.textContent = t.dataset.fmt === 'clock' ? clock(at) : dateText(at);
		});
		var z = zoneName();
		root.querySelectorAll('[data-tz]').forEach(function (e) { e.textContent = z; });
	}
	function clsKey(c) { return typeof c === 'string' ? c.toLowerCase().replace(/[^a-z0-9]/g, '') : ''; }
	function str(v) { return v === null || v === undefined ? '' : String(v); }

	/* ---- derived row fields: the same as fcgi/standings.c ---- */

	function gapText(t, laps) {
		if (isnum(laps) && laps >= 1) return '+' + laps + ' L';
		if (isnum(t) && t > 0) return '+' + laptime(t);
		return '';
	}
	/* The phases the clock and the flag look for: lib/vocab.h's enum phase. */
	var PHASE = { green: 5, fcy: 6, checkered: 8 };
	/* The flag has fallen: the session says so, or its phase is "session over". */
	function chequered(s) {
		return s.finished === true || s.phase === PHASE.checkered || /C/.test(s.sector_flags || '');
	}
	function status(r) {
		var st = r.status, ps = r.pit_state;
		if (st === 'dnf') return ['DNF', 'out'];
		if (st === 'dq') return ['DQ', 'out'];
		if (st === 'finished') return ['finished', 'finished'];
		if (st === 'garage') return ['garage', 'garage'];
		if (st === 'left') return ['left', 'out'];
		if (ps === 'ENTERING') return ['in lane', 'lane'];
		if (ps === 'STOPPED') return ['pit', 'pit'];
		if (ps === 'EXITING') return ['out lap', 'lane'];
		return ['', 'running'];
	}
	function fuelText(r) {
		var s = '';
		if (isnum(r.fuel) && r.fuel >= 0) s = Math.round(r.fuel * 100) + '%';
		if (isnum(r.ve) && r.ve >= 0) s += (s ? ' · ' : 'VE ') + Math.round(r.ve * 100) + '%';
		return s;
	}
	function lowFuel(r) {
		return (isnum(r.fuel) && r.fuel > 0 && r.fuel < 0.1) || (isnum(r.ve) && r.ve > 0 && r.ve < 0.1);
	}
	function tyresText(t) {
		if (typeof t !== 'string' || !t) return '';
		if (t.length === 4 && t[0] === t[1] && t[1] === t[2] && t[2] === t[3]) return t[0];
		if (t.length === 4) return t.slice(0, 2) + '/' + t.slice(2);
		return t;
	}
	function same(a, b) { return isnum(a) && isnum(b) && a > 0 && Math.abs(a - b) < 0.0005; }
	function mark(r, col, bests) {
		var cb = null, i;
		for (i = 0; bests && i < bests.length; i++)
			if ((bests[i].class || null) === (r.class || null)) cb = bests[i];
		var ck = { best: 'best', last: 'best', s1: 's1', s2: 's2', s3: 's3' }[col];
		var pk = { best: 'pb_lap', last: 'pb_lap', s1: 'pb_s1', s2: 'pb_s2', s3: 'pb_s3' }[col];
		if (cb && same(r[col], cb[ck])) return 'sb';
		if (col !== 'best' && same(r[col], r[pk])) return 'pb';
		return '';
	}

	/* The text and class of each standings cell. */
	var COLS = {
		status: function (r) { var s = status(r); return [s[0], 'st st-' + s[1]]; },
		pos: function (r) { return [str(r.position), 'num pos']; },
		cpos: function (r) { return [str(r.class_position), 'num']; },
		'class': function (r) { return [str(r.class), 'cls cls-' + clsKey(r.class), true]; },
		num: function (r) { return [str(r.number), 'num carnum cls-' + clsKey(r.class)]; },
		make: function (r) { return [str(r.vehicle || r.veh), '']; },
		team: function (r) { return [str(r.team), 'team', true]; },
		driver: function (r) { return [str(r.driver), 'driver' + (r.known ? ' known' : '')]; },
		laps: function (r) { return [str(r.laps), 'num']; },
		gap: function (r) { return [r._gap, 'num']; },
		'int': function (r) { return [r._int, 'num']; },
		best: function (r, s) { return [laptime(r.best), 'num ' + mark(r, 'best', s.bests)]; },
		last: function (r, s) { return [laptime(r.last), 'num ' + mark(r, 'last', s.bests)]; },
		s1: function (r, s) { return [laptime(r.s1), 'num ' + mark(r, 's1', s.bests)]; },
		s2: function (r, s) { return [laptime(r.s2), 'num ' + mark(r, 's2', s.bests)]; },
		s3: function (r, s) { return [laptime(r.s3), 'num ' + mark(r, 's3', s.bests)]; },
		pits: function (r) { return [str(r.pits), 'num']; },
		stint: function (r) { return [str(r.stint_laps), 'num']; },
		tyres: function (r) { return [tyresText(r.tyres), '']; },
		fuel: function (r) { return [fuelText(r), 'num' + (lowFuel(r) ? ' low' : '')]; },
		progress: function (r) { return [isnum(r.progress) ? Math.round(r.progress * 100) : 0, 'bar']; }
	};
	var ORDER = ['pos', 'num', 'status', 'cpos', 'class', 'make', 'team', 'driver', 'laps', 'gap',
	    'int', 'best', 'last', 's1', 's2', 's3', 'pits', 'stint', 'tyres', 'fuel', 'progress'];

	/* Gaps and intervals by session kind (see standings_decorate). */
	function gaps(s) {
		var race = s.kind === 'race', rows = s.standings, fastest = null, prev = null;
		rows.forEach(function (r) { if (isnum(r.best) && r.best > 0 && (fastest === null || r.best < fastest)) fastest = r.best; });
		rows.forEach(function (r) {
			if (race) {
				r._gap = r.position === 1 ? '' : gapText(r.gap, r.gap_laps);
				r._int = r.position === 1 ? '' : gapText(r.interval, r.interval_laps);
			} else {
				r._gap = isnum(r.best) && r.best > 0 ? gapText(r.best - fastest) : '';
				r._int = isnum(r.best) && r.best > 0 && prev !== null ? gapText(r.best - prev) : '';
				if (isnum(r.best) && r.best > 0) prev = r.best;
			}
		});
	}

	function sortRows(rows) {
		rows.sort(function (a, b) {
			var pa = isnum(a.position) ? a.position : 1e9, pb = isnum(b.position) ? b.position : 1e9;
			return pa - pb || (a.slot || 0) - (b.slot || 0);
		});
	}

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	}

	/* ---- one session, live ---- */

	/* ---- a live stream: snapshot, then every event once and in order ---- */

	/*
	 * Opens url and calls onSnapshot(data) and onEvent(name, data) so that
	 * each event is applied once, in the order of its "seq": an event at or
	 * below what the page holds is dropped; one after a hole (or before the
	 * first snapshot) waits for the snapshot that covers it, which the
	 * stream brings soon (ingestd sends one at least every 40 events and
	 * after any loss). If none comes within HOLE_MS, the stream is opened
	 * afresh: a new connection starts with the latest snapshot and every
	 * event after it. Returns { close }.
	 */
	var HOLE_MS = 5000;
	function Stream(url, names, onSnapshot, onEvent, onState) {
		var es = null, seq = null, held = [], timer = null, closed = false;

		function flush() {
			while (held.length && held[0].seq <= seq + 1) {
				var d = held.shift();
				if (d.seq === seq + 1) {
					seq = d.seq;
					onEvent(d.event, d);
				}
			}
			if (held.length && !timer) timer = setTimeout(reopen, HOLE_MS);
			if (!held.length && timer) {
				clearTimeout(timer);
				timer = null;
			}
		}
		function hold(d) {
			for (var i = 0; i < held.length; i++) {
				if (held[i].seq === d.seq) return;
				if (held[i].seq > d.seq) break;
			}
			held.splice(i, 0, d);
		}
		function snapshot(d) {
			if (typeof d.seq !== 'number') return;
			if (seq !== null && d.seq <= seq) return;
			seq = d.seq;
			held = held.filter(function (x) { return x.seq > seq; });
			onSnapshot(d);
			flush();
		}
		function event(name, d) {
			if (typeof d.seq !== 'number' || (seq !== null && d.seq <= seq)) return;
			d.event = name;
			hold(d);
			if (seq !== null) flush();
			else if (!timer) timer = setTimeout(reopen, HOLE_MS);
		}
		function reopen() {
			timer = null;
			if (closed) return;
			if (es) es.close();
			seq = null;
			held = [];
			open();
		}
		function open() {
			es = new EventSource(url);
			es.addEventListener('snapshot', function (e) { snapshot(JSON.parse(e.data)); });
			names.forEach(function (n) {
				es.addEventListener(n, function (e) { event(n, JSON.parse(e.data)); });
			});
			if (onState) {
				es.onerror = function () { if (!closed) onState(false); };
				es.onopen = function () { onState(true); };
			}
		}
		open();
		return {
			close: function () {
				closed = true;
				if (timer) clearTimeout(timer);
				if (es) es.close();
			}
		};
	}

	function Session(head) {
		var id = head.dataset.session, table = document.getElementById('standings');
		var tbody = table ? table.tBodies[0] : null, mapCars = document.getElementById('map-cars');
		var chat = document.getElementById('chat'), bestsT = document.getElementById('bests');
		var notice = document.getElementById('notice'), badge = document.getElementById('live-badge');
		var follow = document.getElementById('follow'), nextLink = document.getElementById('next-link');
		var state = null, received = 0, es = null, ended = false, flagClock = null;
		var classView = table && !table.dataset.classless ? ClassView(table) : null;
		var FLASH = /^(s1|s2|s3|last|best|pos)$/;

		if (follow) {
			follow.parentNode.hidden = false;
			follow.checked = store.get('trackside.follow') === '1';
			follow.addEventListener('change', function () { store.set('trackside.follow', follow.checked ? '1' : '0'); });
		}

		function say(text) {
			if (!notice) return;
			notice.textContent = '';
			if (text) notice.appendChild(text);
			notice.hidden = !text;
		}

		function header() {
			/* the clock stops at the flag though the game's runs on while the others finish */
			if (chequered(state) && flagClock === null) flagClock = { et: state.et, remaining: state.remaining };
			document.querySelectorAll('[data-h]').forEach(function (e) {
				var k = e.dataset.h, v = flagClock && k in flagClock ? flagClock[k] : state[k], t;
				if (k === 'et' || k === 'remaining') t = duration(v);
				else if (k === 'air_temp' || k === 'track_temp') t = isnum(v) ? fixed1(v) + ' °C' : '';
				else if (k === 'raining' || k === 'wetness') t = pct(v);
				else t = str(v);
				if (e.textContent !== t) e.textContent = t;
			});
			var flags = document.getElementById('flags'), f = state.sector_flags || '';
			var names = { G: 'green', Y: 'yellow', R: 'red', C: 'checkered' };
			for (var i = 0; flags && i < 3 && i < f.length; i++) {
				var name = names[f[i]] || 'unknown';
				var span = flags.querySelector('[data-sector="' + (i + 1) + '"]');
				if (!span) {
					if (i === 0) flags.textContent = '';
					span = el('span', '', 'S' + (i + 1));
					span.dataset.sector = i + 1;
					flags.appendChild(span);
				}
				span.className = 'flag flag-' + name;
				span.title = 'Sector ' + (i + 1) + ': ' + name;
				document.querySelectorAll('#map .sector[data-sector="' + (i + 1) + '"]').forEach(function (p) {
					p.setAttribute('class', 'sector flag-' + name);
				});
			}
			if (badge && chequered(state) && !ended) {
				badge.textContent = '';
				badge.appendChild(el('span', 'chequer'));
				badge.appendChild(document.createTextNode('finished'));
				badge.className = 'badge done';
				badge.title = 'The chequered flag has fallen';
			}
			if (state.next && nextLink) {
				nextLink.href = '/sessions/' + encodeURIComponent(state.next);
				nextLink.hidden = false;
			}
		}

		/* The local clock between events: ET runs, remaining falls, while green. */
		function tick() {
			if (!state || ended || !state.live || chequered(state) || !(state.phase === PHASE.green || state.phase === PHASE.fcy)) return;
			var dt = (Date.now() - received) / 1000;
			document.querySelectorAll('[data-h="et"]').forEach(function (e) { e.textContent = duration(state.et + dt); });
			if (isnum(state.remaining))
				document.querySelectorAll('[data-h="remaining"]').forEach(function (e) { e.textContent = duration(state.remaining - dt); });
		}

		function newRow(r) {
			var tr = el('tr');
			tr.dataset.car = r.car;
			ORDER.forEach(function (k) {
				var td = el('td');
				td.dataset.col = k;
				if (k === 'class') td.appendChild(el('span'));
				else if (k === 'team') {
					var a = el('a');
					a.href = '/sessions/' + encodeURIComponent(id) + '/cars/' + r.car;
					td.appendChild(a);
				} else if (k === 'progress') {
					var p = el('progress');
					p.max = 100;
					td.appendChild(p);
				}
				tr.appendChild(td);
			});
			return tr;
		}

		/* Writes a row's cells; flash marks the timing cells that changed. */
		function fillRow(tr, r, flash, hidden) {
			var cells = tr.children;
			for (var i = 0; i < cells.length; i++) {
				var td = cells[i], k = td.dataset.col, f = COLS[k];
				if (!f) continue;
				var out = f(r, state), text = String(out[0]), hide = hidden[k] ? ' hide' : '';
				if (k === 'progress' || k === 'class' || k === 'team') {
					var inner = td.firstElementChild;
					if (k === 'progress') {
						if (inner && String(inner.value) !== text) inner.value = Number(text);
					} else if (inner) {
						if (inner.textContent !== text) inner.textContent = text;
						if (k === 'class' && inner.className !== out[1]) inner.className = out[1];
					}
					var outer = (k === 'class' ? '' : out[1]) + hide;
					if (td.className !== outer.trim()) td.className = outer.trim();
					continue;
				}
				var changed = td.textContent !== text, restart = changed && flash && text !== '' && FLASH.test(k);
				if (changed) td.textContent = text;
				var cls = (out[1] + hide).trim();
				if (td.classList.contains('fresh') && !restart) cls += ' fresh';
				if (td.className !== cls) td.className = cls;
				if (restart) {
					void td.offsetWidth;
					td.classList.add('fresh');
				}
			}
			var rc = 'row-' + status(r)[1] + (r.present === 0 ? ' left' : '') + (tr.classList.contains('lap') ? ' lap' : '');
			if (tr.className !== rc) tr.className = rc;
		}

		function standings(flash) {
			if (!tbody) return;
			sortRows(state.standings);
			gaps(state);
			var byCar = {}, hidden = {};
			table.querySelectorAll('thead th').forEach(function (th) { hidden[th.dataset.col] = th.classList.contains('hide'); });
			Array.prototype.forEach.call(tbody.rows, function (tr) { byCar[tr.dataset.car] = tr; });
			state.standings.forEach(function (r, i) {
				var tr = byCar[r.car];
				if (!tr) tr = newRow(r);
				fillRow(tr, r, flash, hidden);
				if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
				delete byCar[r.car];
			});
			Object.keys(byCar).forEach(function (k) { byCar[k].remove(); });
			if (classView) classView.apply(state.standings);
			var none = document.getElementById('no-cars');
			if (none) none.hidden = state.standings.length > 0;
		}

		function moveCar(r) {
			if (!mapCars || !isnum(r.x) || !isnum(r.z)) return;
			var g = mapCars.querySelector('[data-car="' + r.car + '"]');
			var ns = 'http://www.w3.org/2000/svg';
			if (!g) {
				g = document.createElementNS(ns, 'g');
				g.dataset.car = r.car;
				var c = document.createElementNS(ns, 'circle');
				c.setAttribute('r', mapSize.r);
				var t = document.createElementNS(ns, 'text');
				t.setAttribute('font-size', mapSize.font);
				t.setAttribute('dy', '0.35em');
				g.appendChild(document.createElementNS(ns, 'title'));
				g.appendChild(c);
				g.appendChild(t);
				mapCars.appendChild(g);
			}
			/* a car without a number (AMS2 / PC2) is shown by its position */
			g.firstChild.textContent = (str(r.number) ? '#' + str(r.number) + ' ' : '') + str(r.driver);
			var cls = 'car cls-' + clsKey(r.class) + ' st-' + status(r)[1];
			if (g.getAttribute('class') !== cls) g.setAttribute('class', cls);
			g.lastChild.textContent = str(r.number) || str(r.position);
			g.setAttribute('transform', 'translate(' + r.x + ' ' + (-r.z) + ')');
		}

		/* Car numbers on the map at least 11 px high however small the map is drawn. */
		var mapSize = mapCars ? { r: Number(mapCars.dataset.r), font: Number(mapCars.dataset.font) } : null;
		function mapLegible() {
			var svg = document.getElementById('map'), m = svg && svg.getScreenCTM();
			if (!m || !m.a || !mapCars) return;
			var font = Math.max(Number(mapCars.dataset.font), 11 / m.a);
			mapSize = { font: font, r: Math.max(Number(mapCars.dataset.r), font * 0.95) };
			mapCars.querySelectorAll('circle').forEach(function (c) { c.setAttribute('r', mapSize.r); });
			mapCars.querySelectorAll('text').forEach(function (t) { t.setAttribute('font-size', mapSize.font); });
		}
		if (mapCars) {
			mapLegible();
			window.addEventListener('resize', mapLegible);
		}

		function bests() {
			if (!bestsT) return;
			var tb = bestsT.tBodies[0];
			tb.textContent = '';
			(state.bests || []).forEach(function (b) {
				var tr = el('tr'), td = el('td');
				tr.dataset['class'] = str(b.class);
				if (!bestsT.dataset.classless) {
					td.appendChild(el('span', 'cls cls-' + clsKey(b.class), str(b.class)));
					tr.appendChild(td);
				}
				tr.appendChild(el('td', 'num sb', laptime(b.best)));
				['s1', 's2', 's3'].forEach(function (k) { tr.appendChild(el('td', 'num sb', laptime(b[k]))); });
				tb.appendChild(tr);
			});
		}

		function chatLines(lines, replace) {
			if (!chat) return;
			var atEnd = chat.scrollTop + chat.clientHeight >= chat.scrollHeight - 4;
			if (replace) chat.textContent = '';
			lines.forEach(function (l) {
				var li = el('li');
				var t = el('time', '', clock(l.at));
				if (isnum(l.at)) t.setAttribute('datetime', new Date(l.at * 1000).toISOString());
				li.appendChild(t);
				li.appendChild(document.createTextNode(' '));
				li.appendChild(el('span', 'text', str(l.text)));
				chat.appendChild(li);
			});
			while (chat.children.length > 500) chat.removeChild(chat.firstChild);
			var none = document.getElementById('no-chat');
			if (none) none.hidden = chat.children.length > 0;
			if (atEnd || replace) chat.scrollTop = chat.scrollHeight;
		}

		function render(flash) {
			header();
			standings(flash);
			state.standings.forEach(moveCar);
			bests();
		}

		function find(car) {
			for (var i = 0; i < state.standings.length; i++)
				if (state.standings[i].car === car) return state.standings[i];
			return null;
		}

		function snapshot(d) {
			state = d;
			received = Date.now();
			if (chat && document.querySelector('.chat-page') === null) chatLines(state.chat || [], true);
			render(false);
			if (badge) badge.classList.remove('stale');
			if (!state.live) stop('The session is over.');
			announce('ts:snapshot', d);
		}

		function delta(d) {
			if (!state) return;
			if (d.session) {
				Object.keys(d.session).forEach(function (k) { state[k] = d.session[k]; });
				received = Date.now();
			}
			(d.rows || []).forEach(function (r) {
				var cur = find(r.car);
				if (!cur) state.standings.push(r);
				else Object.keys(r).forEach(function (k) { cur[k] = r[k]; });
			});
			(d.pos || []).forEach(function (p) {
				var cur = find(p[0]);
				if (!cur) return;
				cur.x = p[1];
				cur.z = p[2];
				cur.progress = p[3];
			});
			(d.bests || []).forEach(function (b) {
				state.bests = state.bests || [];
				var i = state.bests.findIndex(function (x) { return (x.class || null) === (b.class || null); });
				if (i < 0) state.bests.push(b); else state.bests[i] = b;
			});
			if (d.chat) chatLines(d.chat, false);
			render(true);
			(d.laps || []).forEach(function (l) {
				var tr = tbody && tbody.querySelector('tr[data-car="' + l.car + '"]');
				if (!tr) return;
				tr.classList.remove('lap');
				void tr.offsetWidth;
				tr.classList.add('lap');
			});
			if (d.map && mapCars === null && document.querySelector('.standings-panel')) say(reloadNote('The track map is known now.'));
			announce('ts:delta', d);
		}

		/*
		 * The pages' own scripts (log.js, charts.js, ...) follow the session
		 * through these DOM events: detail is the snapshot or delta as it came.
		 */
		function announce(name, d) {
			document.dispatchEvent(new CustomEvent(name, { detail: d }));
		}

		function reloadNote(text) {
			var f = document.createDocumentFragment(), a = el('a', '', 'reload');
			a.href = location.pathname;
			f.appendChild(document.createTextNode(text + ' '));
			f.appendChild(a);
			return f;
		}

		function stop(text) {
			ended = true;
			if (es) es.close();
			if (badge && !chequered(state || {})) {
				badge.textContent = 'ended';
				badge.classList.remove('live');
			}
			if (document.querySelector('.standings-panel')) say(reloadNote(text + ' Final results:'));
		}

		function transition(d) {
			if (!d.next) return;
			state.next = d.next;
			header();
			if (follow && follow.checked) location.href = '/sessions/' + encodeURIComponent(d.next);
		}

		function end(d) {
			if (d.next) {
				state.next = d.next;
				header();
				if (follow && follow.checked) {
					location.href = '/sessions/' + encodeURIComponent(d.next);
					return;
				}
			}
			stop(d.dropped ? 'The session continued as the next one.' : 'The session is over.');
		}

		if (classView) classView.apply(null);
		if (!head.dataset.live || typeof EventSource === 'undefined') return;
		var on = { delta: delta, transition: transition, end: end };
		es = Stream('/live/sessions/' + encodeURIComponent(id), Object.keys(on), snapshot,
		    function (name, d) { on[name](d); },
		    function (up) {
			if (!badge) return;
			if (up) badge.classList.remove('stale');
			else if (!ended) badge.classList.add('stale');
		    });
		setInterval(tick, 1000);
		window.trackside = { state: function () { return state; } };
	}

	/* ---- the live sessions list on / ---- */

	function List(sec) {
		var tbody = sec.querySelector('tbody'), none = sec.querySelector('.empty');

		function row(s) {
			var tr = tbody.querySelector('tr[data-id="' + CSS.escape(s.id) + '"]');
			if (!s.live) {
				if (tr) tr.remove();
				return;
			}
			if (!tr) {
				tr = el('tr');
				tr.dataset.id = s.id;
				['track', 'sim', 'type', 'phase', 'remaining', 'cars', 'clients'].forEach(function (k) {
					var td = el('td', /^(remaining|cars|clients)$/.test(k) ? 'num' : '');
					td.dataset.k = k;
					if (k === 'track') td.appendChild(el('a'));
					tr.appendChild(td);
				});
				tbody.insertBefore(tr, tbody.firstChild);
			}
			var a = tr.querySelector('[data-k="track"] a');
			a.href = '/sessions/' + encodeURIComponent(s.id);
			a.textContent = str(s.name || s.track);
			tr.querySelector('[data-k="sim"]').textContent = str(s.sim_label);
			tr.querySelector('[data-k="type"]').textContent = str(s.type_label);
			tr.querySelector('[data-k="phase"]').textContent = str(s.phase_name);
			tr.querySelector('[data-k="remaining"]').textContent = duration(s.remaining);
			tr.querySelector('[data-k="cars"]').textContent = str(s.cars);
			tr.querySelector('[data-k="clients"]').textContent = str(s.clients);
		}
		function done() {
			var n = tbody.rows.length;
			sec.querySelector('table').hidden = n === 0;
			if (none) none.hidden = n > 0;
		}
		Stream('/live/sessions', ['session'], function (d) {
			var ids = {};
			d.sessions.forEach(function (s) { ids[s.id] = true; row(s); });
			Array.prototype.slice.call(tbody.rows).forEach(function (tr) { if (!ids[tr.dataset.id]) tr.remove(); });
			done();
		}, function (name, s) { row(s); done(); });
	}

	/* ---- the tower's classes: all, grouped, or one ---- */

	/*
	 * A select before the standings: "all classes" (by position), "by
	 * class" (grouped, each in position order) or one class. Remembered in
	 * localStorage; ?class=NAME (or ?class=group) in the address sets it,
	 * so a second screen is set up once.
	 */
	function ClassView(table) {
		var tbody = table.tBodies[0], tools = document.querySelector('.tower-tools');
		var sel = el('select'), label = el('label', 'class-filter', 'Classes ');
		var q = new URLSearchParams(location.search).get('class');
		var mode = q !== null ? q : (store.get('trackside.class') || '');
		if (q !== null) store.set('trackside.class', q);
		sel.id = 'class-filter';
		label.appendChild(sel);
		if (tools) tools.insertBefore(label, tools.firstChild);
		sel.addEventListener('change', function () {
			mode = sel.value;
			store.set('trackside.class', mode);
			var u = new URL(location.href);
			if (mode) u.searchParams.set('class', mode); else u.searchParams.delete('class');
			history.replaceState(null, '', u);
			apply(null);
		});

		function classes() {
			var seen = [], order = {};
			Array.prototype.forEach.call(tbody.rows, function (tr) {
				var c = tr.dataset['class'] || '';
				if (!(c in order)) { order[c] = seen.length; seen.push(c); }
			});
			return { list: seen, order: order };
		}
		function options(list) {
			var want = ['', 'group'].concat(list.filter(function (c) { return c; }));
			if (sel.options.length === want.length &&
			    want.every(function (v, i) { return sel.options[i].value === v; })) return;
			sel.textContent = '';
			want.forEach(function (v) {
				var o = el('option', '', v === '' ? 'all, by position' : v === 'group' ? 'grouped by class' : v);
				o.value = v;
				sel.appendChild(o);
			});
		}
		/* rows: the state's rows (to read classes from) or null for the DOM's. */
		function apply(rows) {
			if (rows) rows.forEach(function (r) {
				var tr = tbody.querySelector('tr[data-car="' + r.car + '"]');
				if (tr) tr.dataset['class'] = str(r.class);
			});
			var c = classes();
			options(c.list);
			sel.value = c.list.indexOf(mode) >= 0 || mode === 'group' ? mode : '';
			var trs = Array.prototype.slice.call(tbody.rows);
			trs.forEach(function (tr) {
				tr.hidden = sel.value !== '' && sel.value !== 'group' && tr.dataset['class'] !== sel.value;
			});
			if (sel.value === 'group') {
				var sorted = trs.slice().sort(function (a, b) {
					return c.order[a.dataset['class'] || ''] - c.order[b.dataset['class'] || ''] ||
					    trs.indexOf(a) - trs.indexOf(b);
				});
				sorted.forEach(function (tr, i) { if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null); });
			}
		}
		return { apply: apply };
	}

	/* ---- the car and pit-stop pages of a live session ---- */

	/*
	 * Reloads the page's content (at most every 2 s) when a delta concerns
	 * it: a row or lap of the car (car page), a pit state or stop count
	 * (pit stops page); once more when the session ends.
	 */
	function Refresh(sec) {
		var id = sec.dataset.liveRefresh, car = sec.dataset.car ? Number(sec.dataset.car) : null;
		var due = null, last = 0, stream;

		function relevant(d) {
			var rows = d.rows || [], laps = d.laps || [];
			if (car !== null)
				return rows.some(function (r) { return r.car === car; }) ||
				    laps.some(function (l) { return l.car === car; });
			return rows.some(function (r) { return 'pit_state' in r || 'pits' in r || 'tyres' in r; });
		}
		function reload() {
			due = null;
			last = Date.now();
			fetch(location.href, { cache: 'no-store' }).then(function (res) {
				return res.ok ? res.text() : null;
			}).then(function (html) {
				if (!html) return;
				var doc = new DOMParser().parseFromString(html, 'text/html');
				var fresh = doc.querySelector('main'), cur = document.querySelector('main');
				if (!fresh || !cur) return;
				cur.replaceChildren.apply(cur, Array.prototype.slice.call(fresh.childNodes).map(function (n) {
					return document.importNode(n, true);
				}));
				localTimes(cur);
			}).catch(function () { /* the next delta tries again */ });
		}
		function soon() {
			if (due) return;
			due = setTimeout(reload, Math.max(0, 2000 - (Date.now() - last)));
		}
		stream = Stream('/live/sessions/' + encodeURIComponent(id), ['delta', 'end'], function () {},
		    function (name, d) {
			if (name === 'end') {
				stream.close();
				soon();
			} else if (relevant(d))
				soon();
		    });
	}

	/* ---- the timing page's column chooser ---- */

	function Chooser(form) {
		var table = document.getElementById('standings');
		var boxes = form.querySelectorAll('input[name="c"]');
		var saved = store.get('trackside.columns');

		/*
		 * A column the session's source lacks is not offered (fcgi/h_timing.c):
		 * it stays hidden, and a choice remembered for it stays remembered for
		 * the sessions that have it.
		 */
		function apply() {
			var on = {}, keep = saved === null ? [] : saved.split(',');
			boxes.forEach(function (b) { on[b.value] = b.checked; });
			table.querySelectorAll('[data-col]').forEach(function (c) { c.classList.toggle('hide', !on[c.dataset.col]); });
			keep = keep.filter(function (k) { return k && !(k in on); });
			store.set('trackside.columns', keep.concat(Object.keys(on).filter(function (k) { return on[k]; })).join(','));
		}
		if (saved !== null && location.search.indexOf('c=') < 0) {
			var want = saved.split(',');
			boxes.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
		}
		boxes.forEach(function (b) { b.addEventListener('change', apply); });
		form.querySelector('button').hidden = true;
		apply();
	}

	function init() {
		var tb = document.getElementById('theme-toggle');
		if (tb) {
			tb.hidden = false;
			tb.addEventListener('click', function () {
				var t = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
				document.documentElement.dataset.theme = t;
				store.set('trackside.theme', t);
			});
		}
		var cc = document.getElementById('columns');
		if (cc && document.getElementById('standings')) Chooser(cc);
		localTimes(document);
		var s = document.querySelector('[data-session]');
		if (s) Session(s);
		var lr = document.querySelector('[data-live-refresh]');
		if (lr && typeof EventSource !== 'undefined' && typeof fetch !== 'undefined') Refresh(lr);
		var l = document.querySelector('[data-live-list]');
		if (l && typeof EventSource !== 'undefined') List(l);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
