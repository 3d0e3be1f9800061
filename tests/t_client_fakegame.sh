#!/bin/sh
# trackside-fakegame: the simulated weekend answers with the JSON shapes of
# the real game (spec/lmu-schema/*.json, and the same keys as a real
# recording), goes practice -> qualifying -> race with pit stops, swaps and
# chat; a recording is served at its pace; the /fake/ controls work.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "trackside-fakegame not built (no libmicrohttpd)"
command -v python3 >/dev/null && python3 -c 'import jsonschema, referencing' 2>/dev/null ||
    skip_all "python3 with jsonschema and referencing is needed"
SCHEMAS=$top_srcdir/../shared/spec/lmu-schema
[ -d "$SCHEMAS" ] || skip_all "no ../shared/spec/lmu-schema"
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz

plan 12
T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_fakegame.XXXXXX")
FGPID=
cleanup() { [ -n "$FGPID" ] && kill "$FGPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# A short weekend at 40x: 2 min practice, 2 min qualifying, 8 min race.
"$FG" --listen 0=car:auto1 --listen 0=spectator --port-file "$T/ports" --speed 40 --cars 24 \
    --practice-minutes 2 --qualify-minutes 2 --race-minutes 8 --seed 7 > "$T/fg.log" 2>&1 &
FGPID=$!
wait_for 30 test -s "$T/ports"
ok $? "the simulation listens on two ports"
P1=$(sed -n 1p "$T/ports")
P2=$(sed -n 2p "$T/ports")
# Game time stands still until the checker below lets it run.
curl -fsS "127.0.0.1:$P1/fake/loading?on=1" > /dev/null

# Poll both views through the whole weekend (a minute or so of wall time) and
# check every answer against the schemas and the keys of a real recording.
cat > "$T/check.py" <<'EOF'
import gzip, json, os, sys, time, urllib.request, urllib.error
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

schemas_dir, rec, out = sys.argv[1], sys.argv[2], sys.argv[3]
ports = sys.argv[4:]
reg = Registry()
byname = {}
for f in os.listdir(schemas_dir):
    if f.startswith('schema-') and f.endswith('.json'):
        d = json.load(open(os.path.join(schemas_dir, f)))
        byname[f[7:-5]] = d
        reg = reg.with_resource(d['$id'], Resource.from_contents(d, default_specification=DRAFT202012))
eps = {'/rest/watch/sessionInfo': 'SessionInfo', '/rest/sessions/GetGameState': 'GameState',
       '/rest/watch/standings': 'Standing[]', '/rest/multiplayer/teams': 'MultiplayerTeams',
       '/rest/chat/': 'Chat[]', '/rest/strategy/overall': 'TeamStrategy[]',
       '/rest/strategy/usage': 'StrategyUsage', '/rest/watch/trackmap': 'TrackMapPoint[]',
       '/rest/sessions/GetSessionsInfoForEvent': 'SessionsInfoForEvent',
       '/rest/profile/profileInfo/getProfileInfo': 'ProfileInfo',
       '/rest/watch/standings/history': 'StandingsHistory'}
val = {p: Draft202012Validator(byname[n], registry=reg) for p, n in eps.items()}

# the keys the real game uses, per object kind
real = {}
def learn(kind, obj):
    if isinstance(obj, dict):
        real.setdefault(kind, set()).update(obj.keys())
if os.path.exists(rec):
    with gzip.open(rec, 'rt') as fh:
        fh.readline()
        for i, line in enumerate(fh):
            r = json.loads(line)['responses']
            learn('session', r.get('/rest/watch/sessionInfo'))
            learn('gamestate', r.get('/rest/sessions/GetGameState'))
            for c in r.get('/rest/watch/standings') or []:
                learn('standing', c)
            for t in (r.get('/rest/multiplayer/teams') or {}).get('teams', {}).values():
                learn('team', t)
            for team, st in r.get('/rest/strategy/overall') or []:
                for e in st:
                    if not e.get('fuel'):
                        learn('strategy', e)
            if i > 600:
                break
seen = {}
errors = []
phases = set(); sessions = set(); pits = set(); swaps = 0; chats = 0; finished = 0
shape_bad = []
def get(port, path):
    try:
        with urllib.request.urlopen('http://127.0.0.1:%s%s' % (port, path), timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
deadline = time.time() + 600
done = False
while time.time() < deadline and not done:
    for port in ports:
        for path in eps:
            st, body = get(port, path)
            if st != 200:
                continue
            try:
                doc = json.loads(body)
            except ValueError as e:
                errors.append('%s: not JSON: %s' % (path, e)); continue
            seen[path] = seen.get(path, 0) + 1
            for e in val[path].iter_errors(doc):
                errors.append('%s: %s at %s' % (path, e.message[:200], list(e.path)[:4]))
            if path == '/rest/watch/sessionInfo':
                phases.add(doc['gamePhase']); sessions.add(doc['session'])
                for k in real.get('session', set()) ^ set(doc):
                    shape_bad.append('sessionInfo key ' + k)
            if path == '/rest/sessions/GetGameState' and doc.get('PitState') is not None:
                for k in real.get('gamestate', set()) ^ set(doc):
                    shape_bad.append('GetGameState key ' + k)
            if path == '/rest/watch/standings':
                for c in doc:
                    pits.add(c['pitState'])
                    finished += c['finishStatus'] == 'FSTAT_FINISHED'
                    for k in real.get('standing', set()) ^ set(c):
                        shape_bad.append('standing key ' + k)
            if path == '/rest/multiplayer/teams':
                for t in doc['teams'].values():
                    for k in real.get('team', set()) ^ set(t):
                        shape_bad.append('team key ' + k)
            if path == '/rest/chat/':
                chats = max(chats, len(doc))
                swaps = max(swaps, sum('Is now driving' in m['message'] for m in doc))
            if path == '/rest/strategy/overall':
                for team, st in doc:
                    for e in st:
                        if 'fuel' not in e:
                            for k in real.get('strategy', set()) ^ set(e):
                                shape_bad.append('strategy key ' + k)
    st, body = get(ports[0], '/fake/status')
    if json.loads(body)['progress'] >= 1:
        done = True
    # game time runs only between sweeps, so that a busy machine sees what an
    # idle one sees: about 5 s of it (a race start's phases last 8 to 10 s),
    # 15 s in practice and qualifying until their last 30 s
    t0 = json.loads(body)['time']
    st, si = get(ports[0], '/rest/watch/sessionInfo')
    si = json.loads(si) if st == 200 else None
    long_step = (isinstance(si, dict) and si.get('session') != 'RACE1' and
                 si.get('currentEventTime', 0) < si.get('endEventTime', 0) - 30)
    get(ports[0], '/fake/loading?on=0')
    while json.loads(get(ports[0], '/fake/status')[1])['time'] < t0 + (15 if long_step else 4):
        time.sleep(0.01)
    get(ports[0], '/fake/loading?on=1')
get(ports[0], '/fake/loading?on=0')
json.dump({'errors': errors[:20], 'nerrors': len(errors), 'seen': seen, 'phases': sorted(phases),
           'sessions': sorted(sessions), 'pits': sorted(pits), 'swaps': swaps, 'chats': chats,
           'finished': finished, 'shape_bad': sorted(set(shape_bad)), 'done': done,
           'learned': sorted(real)}, open(out, 'w'), indent=1)
EOF
python3 "$T/check.py" "$SCHEMAS" "$REC" "$T/result.json" "$P1" "$P2" 2>"$T/check.err"
ok $? "the weekend was polled through"
R=$T/result.json
is "$(jq .nerrors "$R")" 0 "every answer matches spec/lmu-schema"
[ "$(jq .nerrors "$R")" = 0 ] || jq -r '.errors[]' "$R" | head -5 | sed 's/^/# /'
if [ -f "$REC" ]; then
	is "$(jq -c .shape_bad "$R")" "[]" "objects have the keys of the real game's (a recording)"
else
	skip_data "objects have the keys of the real game's (a recording)"
fi
is "$(jq -c .sessions "$R")" '["PRACTICE1","QUALIFY1","RACE1"]' \
    "the weekend goes practice, qualifying, race"
is "$(jq -c '[.phases[] | select(. == 0 or . == 5 or . == 8)]' "$R")" '[0,5,8]' \
    "phases go from start through green to chequered"
is "$(jq -c '[.pits[] | select(. == "ENTERING" or . == "STOPPED" or . == "EXITING")]' "$R")" \
    '["ENTERING","EXITING","STOPPED"]' "cars go through the pit lane"
ok "$( [ "$(jq .swaps "$R")" -ge 1 ] && [ "$(jq .chats "$R")" -ge 3 ]; echo $?)" \
    "drivers swap and people chat"
ok "$( [ "$(jq .finished "$R")" -ge 1 ]; echo $?)" "cars take the chequered flag"
is "$(jq '.seen["/rest/strategy/overall"] > 0 and .seen["/rest/watch/trackmap"] > 0' "$R")" true \
    "races have strategy; the track map is served"
kill "$FGPID"; wait "$FGPID" 2>/dev/null; FGPID=

# A recording is served from its first poll on, at its pace.
if [ -f "$REC" ]; then
	# game time runs 10 times the wall clock measured around each answer
	# (polls are 1 s of game time apart)
	w0=$(date +%s.%N)
	"$FG" --listen 0 --port-file "$T/ports2" --recording "$REC" --speed 10 > "$T/fg2.log" 2>&1 &
	FGPID=$!
	wait_for 30 test -s "$T/ports2"
	P=$(cat "$T/ports2")
	w1=$(date +%s.%N)
	et1=$(curl -fsS "127.0.0.1:$P/rest/watch/sessionInfo" | jq .currentEventTime)
	w2=$(date +%s.%N)
	sleep 1
	w3=$(date +%s.%N)
	et2=$(curl -fsS "127.0.0.1:$P/rest/watch/sessionInfo" | jq .currentEventTime)
	w4=$(date +%s.%N)
	ok "$(echo "$et1 $et2 $w0 $w1 $w2 $w3 $w4" | awk '{ d = $2 - $1; exit !($1 >= 3.6 &&
	    $1 <= 3.6 + 10 * ($5 - $3) + 1 && d >= 10 * ($6 - $5) - 1 && d <= 10 * ($7 - $4) + 1) }'; echo $?)" \
	    "a recording plays from its start at the chosen speed"
else
	skip_data "a recording plays from its start at the chosen speed"
fi

# Faults on demand: garbage, then normal again.
P=${P:-$P1}
curl -fsS "127.0.0.1:$P/fake/garbage?count=2" >/dev/null
a=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$P/rest/watch/sessionInfo")
b=$(curl -s "127.0.0.1:$P/rest/watch/sessionInfo" | head -c 20)
c=$(curl -s "127.0.0.1:$P/rest/watch/sessionInfo" | jq -e .currentEventTime >/dev/null && echo json)
is "$a:$(printf '%s' "$b" | head -c 6):$c" "200:<html>:json" "/fake/garbage spoils the next answers, then the game recovers"
done_testing
