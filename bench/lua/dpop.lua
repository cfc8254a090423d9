-- SPDX-License-Identifier: Apache-2.0
-- bench/lua/dpop.lua: the same DPoP-bound token on every request, each
-- with a DPoP proof (RFC 9449) of its own. bench/run makes the proofs
-- before the run, one a line, dealt into PREFIX.1 .. PREFIX.T (one file
-- per wrk thread), and passes PREFIX and the token (wrk ... -- PREFIX
-- TOKEN). Each thread sends its own file's proofs in order, so no proof
-- is sent twice. Should a thread run out, its further requests go without
-- a proof (the module answers 401: counted as failed) and done() says so
-- on stdout, where bench/run looks for it.
local threads = {}
local proofs = {}
local n, i = 0, 0
local auth
missing = 0

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
    auth = "DPoP " .. args[2]
    -- Formatting the requests here keeps wrk's own cost per request low
    -- (as in mixed.lua): on a small machine wrk shares the CPUs with
    -- httpd, and the ceiling (no auth) would measure wrk's Lua instead.
    for line in io.lines(args[1] .. "." .. tid) do
        n = n + 1
        proofs[n] = wrk.format(nil, nil, {["Authorization"] = auth,
                                          ["DPoP"] = line})
    end
end

function request()
    i = i + 1
    local req = proofs[i]
    if req == nil then
        missing = missing + 1
        return wrk.format(nil, nil, {["Authorization"] = auth})
    end
    proofs[i] = nil
    return req
end

function done(summary, latency, requests)
    local out = 0
    for _, t in ipairs(threads) do
        out = out + (tonumber(t:get("missing")) or 0)
    end
    if out > 0 then
        io.write(string.format("dpop.lua: proofs ran out: %d requests "
                               .. "went without one\n", out))
    end
end
