-- create_jobs.lua — wrk script: POSTs edit-captions jobs as fast as it can.
-- Each request carries unique parameters (a per-run salt, the thread number
-- and a counter in the replacement text) so the duplicate-job rule (409)
-- never fires, even against a data directory an earlier run filled, and
-- every 202 is one durably committed job; wrk's "Non-2xx" line counts the
-- rest.
-- Environment: ROBOTS_AUTH (the whole Authorization header value),
-- ROBOTS_ASSET, ROBOTS_TRACK.
local auth = os.getenv("ROBOTS_AUTH")
local asset = os.getenv("ROBOTS_ASSET")
local track = os.getenv("ROBOTS_TRACK")
local nthreads = 0
local counter = 0
-- BENCH_SALT, or the start time: earlier runs' jobs are still pending.
local salt = os.getenv("BENCH_SALT") or tostring(os.time())

-- setup() runs in the main Lua state; each thread then gets its own number,
-- which init() finds in its global `tid`.
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"parameters":{"asset_id":"%s","track_id":"%s","upload_to_mux":false,' ..
    '"replacements":[{"find":"gonna","replace":"going to %s-%d-%d"}]}}',
    asset, track, salt, tid, counter)
  return wrk.format("POST", "/robots/v0/jobs/edit-captions", {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/json",
  }, body)
end
