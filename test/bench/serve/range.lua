-- wrk script of test/bench/serve/static.ts: each request names one of the files at random and,
-- when the range length is not 0, a random byte range of that length inside it.
-- args: <range length, 0 = whole file> <path> <size> [<path> <size> ...]
local paths, sizes, length = {}, {}, 0

function init(args)
  length = tonumber(args[1])
  for i = 2, #args, 2 do
    paths[#paths + 1] = args[i]
    sizes[#sizes + 1] = tonumber(args[i + 1])
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local i = math.random(#paths)
  if length == 0 then return wrk.format("GET", paths[i]) end
  local start = math.random(0, sizes[i] - length)
  return wrk.format("GET", paths[i], { Range = "bytes=" .. start .. "-" .. (start + length - 1) })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f bytes=%d errors=%d status=%d p99=%d\n",
    summary.requests, summary.duration / 1e6, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status,
    latency:percentile(99)))
end
