-- SPDX-License-Identifier: Apache-2.0
-- tests/reliability/soak.lua: the wrk script of tests/reliability/run.
-- wrk ... -s soak.lua URL -- PREFIX NTOKENS LIMIT MODE NTHREADS DONEDIR
-- Every request carries Authorization: Bearer PREFIX.I for I in 1..NTOKENS:
-- MODE "seq" walks the tokens in order (thread K of N takes K, K+N, ...),
-- "rand" draws them at random. Each thread stops after LIMIT responses and
-- then creates the file DONEDIR/THREAD; once every thread's file is there
-- the run script interrupts wrk (SIGINT), whose main thread would
-- otherwise sleep out -d. So the run is bounded in count, and by wrk -d in
-- time. done() prints the responses by status for the run script.
local threads = {}
local nthreads_seen = 0

function setup(thread)
    nthreads_seen = nthreads_seen + 1
    thread:set("tid", nthreads_seen)
    table.insert(threads, thread)
end

function init(args)
    local prefix = args[1]
    n = tonumber(args[2])
    limit = tonumber(args[3])
    mode = args[4]
    nthreads = tonumber(args[5])
    donedir = args[6]
    reqs = {}
    -- formatted once: wrk's own cost per request stays that of a fixed
    -- header
    for i = 1, n do
        reqs[i] = wrk.format(nil, nil, {["Authorization"] = "Bearer " ..
                                        prefix .. "." .. i})
    end
    math.randomseed(os.time() * 1000 + tid)
    nextseq = tid
    got = 0
    statuses = {}
end

function request()
    if mode == "seq" then
        local i = nextseq
        nextseq = nextseq + nthreads
        if nextseq > n then
            nextseq = (nextseq - 1) % n + 1
        end
        return reqs[i]
    end
    return reqs[math.random(n)]
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    got = got + 1
    if got == limit then
        local f = io.open(donedir .. "/" .. tid, "w")
        f:close()
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local total, count = {}, 0
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses")) do
            total[k] = (total[k] or 0) + v
            count = count + v
        end
    end
    io.write("SOAK responses ", count, "\n")
    for k, v in pairs(total) do
        io.write("SOAK status ", k, " ", v, "\n")
    end
    local e = summary.errors
    io.write(string.format("SOAK errors connect=%d read=%d write=%d " ..
                           "status=%d timeout=%d\n", e.connect, e.read,
                           e.write, e.status, e.timeout))
    io.write(string.format("SOAK time %.3f\n", summary.duration / 1e6))
    io.write(string.format("SOAK latency p50=%.2f p99=%.2f max=%.2f\n",
                           latency:percentile(50) / 1000,
                           latency:percentile(99) / 1000,
                           latency.max / 1000))
end
