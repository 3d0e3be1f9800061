-- wrk script: POSTs ~30 KB frames, each with a new seq, one client id per
-- wrk thread (spec/wire-protocol.md). Set TOKEN in the environment.
local counter = 0
local threads = {}

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
	table.insert(threads, thread)
end

function init(args)
	seq = 0
	client = string.format("benchclient%04d%06d", tid, math.random(0, 999999))
	-- 30 KB of standings-like payload.
	local cars = {}
	for i = 1, 60 do
		cars[i] = string.format('{"slotID":%d,"driverName":"Driver %d","vehicleFilename":"397_24_CAR%d",' ..
			'"lapsCompleted":12,"lastLapTime":64.%03d,"lastSectorTime1":23.1,"lastSectorTime2":36.4,' ..
			'"pitState":"NONE","position":%d,"fuelFraction":0.5,"carPosition":{"x":1,"y":2,"z":3},' ..
			'"timeBehindLeader":%d.5,"lapsBehindLeader":0,"carClass":"GT3","fullTeamName":"Team %d"}',
			i, i, i, i, i, i, i)
	end
	payload = '{"/rest/watch/standings":[' .. table.concat(cars, ",") .. ']}'
	headers = { ["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
end

function request()
	seq = seq + 1
	local body = '{"v":1,"client":{"id":"' .. client .. '","name":"bench"},"seq":' .. seq ..
		',"captured_at":"2026-11-21T12:00:00.000Z","source":"lmu","data":' .. payload .. '}'
	return wrk.format("POST", "/api/v1/frames", headers, body)
end

function done(summary, latency, requests)
	local codes = summary.errors.status
	io.write(string.format("non-2xx: %d\n", codes))
end
