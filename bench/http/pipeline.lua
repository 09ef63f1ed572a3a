-- wrk script: send DEPTH requests for the URL's path in one write per round trip (HTTP/1.1 pipelining).
--   wrk -t2 -c100 -d10s -s bench/http/pipeline.lua http://127.0.0.1:18080/1k.txt -- 16
-- wrk counts every response, so requests/s are responses/s. Same idea as wrk's own scripts/pipeline.lua.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, wrk.path)
  end
  req = table.concat(r)
end

request = function()
  return req
end
