-- wrk script: POST one breast-cancer row to a predict endpoint over a kept-alive HTTPS connection.
-- Environment: BULWARK_API_KEY (sent as "Authorization: ApiKey ..."; the bare endpoint ignores it),
--              BULWARK_ACCESS_TOKEN (when set, sent as "Authorization: Bearer ..." instead of the API key),
--              BULWARK_BODY (the JSON request body, {"instances":[{...}]}).
wrk.method = "POST"
wrk.body = os.getenv("BULWARK_BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BULWARK_ACCESS_TOKEN")
local key = os.getenv("BULWARK_API_KEY")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
elseif key ~= nil and key ~= "" then
  wrk.headers["Authorization"] = "ApiKey " .. key
end

local statuses = {}

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50/p99 ms: %.2f / %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("non-2xx: %d\n", (summary.errors.status or 0)))
end
