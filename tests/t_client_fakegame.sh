#!/bin/sh
# trackside-fakegame: the simulated weekend answers with the JSON shapes of
# the real game (spec/lmu-schema/*.json, and the same keys as a real
# recording), goes practice -> qualifying -> race with pit stops, swaps and
# chat; qualifying is timed laps at race pace, races start from the grid,
# stops leave the lane and fit a compound; a recording is served at its
# pace; the /fake/ controls work.
. "$top_srcdir/tests/lib.sh"
FG=$top_builddir/trackside-fakegame
[ -x "$FG" ] || skip_all "trackside-fakegame not built (no libmicrohttpd)"
command -v python3 >/dev/null && python3 -c 'import jsonschema, referencing' 2>/dev/null ||
    skip_all "python3 with jsonschema and referencing is needed"
SCHEMAS=$top_srcdir/../shared/spec/lmu-schema
[ -d "$SCHEMAS" ] || skip_all "no ../shared/spec/lmu-schema"
REC=$SHARED_DATA/recordings/sebring-school-race-A.jsonl.gz

plan 15
T=$(mktemp -d "${TMPDIR:-/tmp}/t_client_fakegame.XXXXXX")
FGPID=
cleanup() { [ -n "$FGPID" ] && kill "$FGPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# Poll both views through the whole weekend (about 40 s of wall time) and
# check every answer against the schemas and the keys of a real recording.
# The checker gets ready first (schemas, the recording's keys), then the
# game starts, so no session passes before the first poll.
cat > "$T/check.py" <<'EOF'
import gzip, json, os, sys, time, urllib.request, urllib.error
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

schemas_dir, rec, out, ready, portfile = sys.argv[1:6]
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
open(ready, 'w').close()
deadline = time.time() + 30
while time.time() < deadline and not (os.path.exists(portfile) and
                                      len(open(portfile).read().split()) >= 2):
    time.sleep(0.05)
ports = open(portfile).read().split()
seen = {}
errors = []
phases = set(); sessions = set(); pits = set(); swaps = 0; chats = 0; finished = 0
shape_bad = []
# qualifying: laps and best laps per car; race: best lap, stops on lap 1,
# lane exits seen (EXITING, then NONE on the same lap), strategy compounds
quali_laps = {}; quali_best = {}; race_best = None; lap1_stops = 0
exiting = {}; exits = 0; compounds = set(); strat_stops = 0; strat_lap1 = 0
session = None
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
                session = doc['session']
                for k in real.get('session', set()) ^ set(doc):
                    shape_bad.append('sessionInfo key ' + k)
            if path == '/rest/sessions/GetGameState' and doc.get('PitState') is not None:
                for k in real.get('gamestate', set()) ^ set(doc):
                    shape_bad.append('GetGameState key ' + k)
            if path == '/rest/watch/standings':
                for c in doc:
                    pits.add(c['pitState'])
                    if session == 'QUALIFY1' and doc and doc[0]['lapStartET'] >= 0:
                        quali_laps[c['slotID']] = max(quali_laps.get(c['slotID'], 0),
                                                      c['lapsCompleted'])
                        if c['bestLapTime'] > 0:
                            quali_best[c['slotID']] = c['bestLapTime']
                    if session == 'RACE1':
                        k = (port, c['slotID'])
                        if c['lastLapTime'] > 0 and (race_best is None or c['lastLapTime'] < race_best):
                            race_best = c['lastLapTime']
                        if c['pitState'] in ('ENTERING', 'STOPPED') and c['lapsCompleted'] == 0:
                            lap1_stops += 1
                        if c['pitState'] == 'EXITING':
                            exiting[k] = c['lapsCompleted']
                        elif k in exiting:
                            if c['pitState'] == 'NONE' and exiting[k] == c['lapsCompleted']:
                                exits += 1
                            del exiting[k]
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
                        if e['lap'] > 0:
                            strat_stops += 1
                            strat_lap1 += e['lap'] <= 1
                            compounds.add(e['tyres']['fl']['compound'])
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
           'learned': sorted(real), 'quali_min_laps': min(quali_laps.values() or [0]),
           'pole': min(quali_best.values() or [0]), 'race_best': race_best or 0,
           'lap1_stops': lap1_stops, 'exits': exits, 'strat_stops': strat_stops,
           'strat_lap1': strat_lap1, 'compounds': sorted(compounds)},
          open(out, 'w'), indent=1)
EOF
python3 "$T/check.py" "$SCHEMAS" "$REC" "$T/result.json" "$T/ready" "$T/ports" \
    2>"$T/check.err" &
PYPID=$!
wait_for 60 test -e "$T/ready"
# Then a short weekend at 40x: 2 min practice, 8 min qualifying, 8 min race.
"$FG" --listen 0=car:auto1 --listen 0=spectator --port-file "$T/ports" --speed 40 --cars 24 \
    --practice-minutes 2 --qualify-minutes 8 --race-minutes 8 --seed 7 > "$T/fg.log" 2>&1 &
FGPID=$!
wait_for 10 test -s "$T/ports"
ok $? "the simulation listens on two ports"
P1=$(sed -n 1p "$T/ports")
P2=$(sed -n 2p "$T/ports")
wait "$PYPID"
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
is "$(jq -c '[.phases[] | select(. < 5 or . == 5 or . == 8)] | [(.[0] < 5), .[-2], .[-1]]' "$R")" \
    '[true,5,8]' "phases go from the grid through green to chequered"
is "$(jq -c '[.pits[] | select(. == "ENTERING" or . == "STOPPED" or . == "EXITING")]' "$R")" \
    '["ENTERING","EXITING","STOPPED"]' "cars go through the pit lane"
ok "$( [ "$(jq .swaps "$R")" -ge 1 ] && [ "$(jq .chats "$R")" -ge 3 ]; echo $?)" \
    "drivers swap and people chat"
ok "$( [ "$(jq .finished "$R")" -ge 1 ]; echo $?)" "cars take the chequered flag"
is "$(jq '.seen["/rest/strategy/overall"] > 0 and .seen["/rest/watch/trackmap"] > 0' "$R")" true \
    "races have strategy; the track map is served"
is "$(jq '.quali_min_laps >= 4 and .pole > 0 and .pole < .race_best * 1.03 and
    .pole > .race_best * 0.95' "$R")" true \
    "qualifying: every car an out-lap and three timed laps or more; pole near race pace"
jq -r '"# qualifying: fewest laps \(.quali_min_laps), pole \(.pole), best race lap \(.race_best)"' "$R"
is "$(jq '.lap1_stops == 0 and .strat_lap1 == 0 and .strat_stops > 0' "$R")" true \
    "races start from the grid: no stop on lap 1"
is "$(jq '.exits > 0 and ([.compounds[] | select(. == "N/A")] | length) == 0' "$R")" true \
    "stops leave the lane before the line and fit a tyre compound"
jq -r '"# race: \(.strat_stops) strategy stops, compounds \(.compounds | join(",")), \(.exits) lane exits seen"' "$R"
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
