-- SPDX-License-Identifier: Apache-2.0
-- bench/lua/miss.lua: a token never seen before on every request.
-- Tokens are PREFIX.THREAD.N; bench/run passes a PREFIX unique to the run
-- (wrk ... -- PREFIX), so no two requests, runs or contenders share one.
local threads = 0
local counter = 0
local prefix

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    prefix = (args[1] or "miss") .. "." .. tid .. "."
end

function request()
    counter = counter + 1
    return wrk.format(nil, nil,
                      {["Authorization"] = "Bearer " .. prefix .. counter})
end
