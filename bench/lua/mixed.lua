-- SPDX-License-Identifier: Apache-2.0
-- bench/lua/mixed.lua: each request carries one of N distinct tokens
-- (PREFIX.1 .. PREFIX.N) drawn at random, like API traffic from many
-- clients. bench/run passes PREFIX and N (wrk ... -- PREFIX N) and has
-- already sent every one of them once, so the run measures a warm cache
-- holding a large working set.
local threads = 0
local reqs = {}
local n

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    local prefix = args[1] or "mixed"
    n = tonumber(args[2]) or 10000
    -- Formatting the N requests once keeps wrk's own cost per request as
    -- low as with a fixed header.
    for i = 1, n do
        reqs[i] = wrk.format(nil, nil,
                             {["Authorization"] = "Bearer " .. prefix .. "."
                                                  .. i})
    end
    math.randomseed(os.time() * 100 + tid)
end

function request()
    return reqs[math.random(n)]
end
