-- wrk script for bench/history: GET paths read from the file in $PATHS, one
-- a line, each thread walking them from its own offset.
local paths = {}
local f = assert(io.open(os.getenv("PATHS")))
for line in f:lines() do paths[#paths + 1] = line end
f:close()
local i = 0
function setup(thread)
	thread:set("offset", math.random(#paths))
end
function request()
	i = i + 1
	return wrk.format("GET", paths[(i + (offset or 0)) % #paths + 1])
end
