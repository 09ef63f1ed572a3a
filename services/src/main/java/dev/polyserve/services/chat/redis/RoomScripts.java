package dev.polyserve.services.chat.redis;

/**
 * The room's state changes in Redis, each one Lua script, so each is atomic: a name is claimed, moved, released or
 * reaped together with its presence message, which the script publishes itself (in the same step, so every node
 * sees the change in the order Redis made it). Every script is idempotent where Lettuce may replay it after a
 * reconnect (a claim or move that already happened answers as if it just did).
 *
 * <p>Keys, under the prefix {@code polyserve:chat:ROOM:} (ARGV[1]): {@code names} (hash: name key to
 * {@code "NODE NAME"}), {@code nodes} (sorted set: node to lease deadline, Redis time in ms), {@code node:NODE}
 * (set of the name keys that node holds), {@code version} (counter of presence changes), {@code reaped:NODE}
 * (a tombstone: that node's lease expired and its members were announced gone). ARGV[2] is the room's channel.
 * Presence messages are {@link RoomWire}'s: a kind byte, then strings as a 4-byte length and bytes.
 */
final class RoomScripts {
    private RoomScripts() {}

    /** Answers of {@link #CLAIM}. */
    static final long JOINED = 0, TAKEN = 1, FULL = 2, NOT_REGISTERED = 3;

    private static final String PRELUDE = """
            local P, channel = ARGV[1], ARGV[2]
            local names = P .. 'names'
            local function str(s) return struct.pack('>I4', #s) .. s end
            local function delta(kind, node, name)
              local v = redis.call('INCR', P .. 'version')
              redis.call('PUBLISH', channel, string.char(kind) .. str(tostring(v)) .. str(node) .. str(name))
            end
            local function holds(value, node) return value and string.sub(value, 1, #node + 1) == node .. ' ' end
            local function nowMs()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    /** ARGV: prefix, channel, node, key, name, max members. Answers {@link #JOINED}, {@link #TAKEN}, {@link #FULL} or {@link #NOT_REGISTERED}. */
    static final String CLAIM = PRELUDE + """
            local me, key, name, max = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
            local cur = redis.call('HGET', names, key)
            if cur == me .. ' ' .. name then return 0 end
            if cur then return 1 end
            if not redis.call('ZSCORE', P .. 'nodes', me) then return 3 end
            if redis.call('HLEN', names) >= max then return 2 end
            redis.call('HSET', names, key, me .. ' ' .. name)
            redis.call('SADD', P .. 'node:' .. me, key)
            delta(%d, me, name)
            return 0
            """.formatted(RoomWire.PRESENT);

    /** ARGV: prefix, channel, node, old key, new key, new name. Answers 1 (moved) or 0 (not ours, or taken). */
    static final String RENAME = PRELUDE + """
            local me, oldKey, newKey, newName = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
            local cur = redis.call('HGET', names, oldKey)
            if not holds(cur, me) then
              if redis.call('HGET', names, newKey) == me .. ' ' .. newName then return 1 end
              return 0
            end
            if oldKey ~= newKey and redis.call('HEXISTS', names, newKey) == 1 then return 0 end
            redis.call('HDEL', names, oldKey)
            redis.call('HSET', names, newKey, me .. ' ' .. newName)
            redis.call('SREM', P .. 'node:' .. me, oldKey)
            redis.call('SADD', P .. 'node:' .. me, newKey)
            delta(%d, me, string.sub(cur, #me + 2))
            delta(%d, me, newName)
            return 1
            """.formatted(RoomWire.ABSENT, RoomWire.PRESENT);

    /** ARGV: prefix, channel, node, key. Answers 1 if the node held the name (now free). */
    static final String RELEASE = PRELUDE + """
            local me, key = ARGV[3], ARGV[4]
            local cur = redis.call('HGET', names, key)
            if not holds(cur, me) then return 0 end
            redis.call('HDEL', names, key)
            redis.call('SREM', P .. 'node:' .. me, key)
            delta(%d, me, string.sub(cur, #me + 2))
            return 1
            """.formatted(RoomWire.ABSENT);

    /**
     * ARGV: prefix, channel, node, lease ms. Extends the node's lease if it still has one. Answers
     * {1 or 0 (no lease: the node must restore), presence version}.
     */
    static final String RENEW = PRELUDE + """
            local me, lease = ARGV[3], tonumber(ARGV[4])
            local registered = 0
            if redis.call('ZSCORE', P .. 'nodes', me) then
              redis.call('ZADD', P .. 'nodes', nowMs() + lease, me)
              registered = 1
            end
            return {registered, tonumber(redis.call('GET', P .. 'version') or '0')}
            """;

    /**
     * ARGV: prefix, channel, node, lease ms, then key and name of every member the node has. Registers the node's
     * lease and makes Redis agree with it: its names are claimed again where free, names it no longer has are freed.
     * Answers {1 if the node had been reaped (others were told its members left) else 0, names now held elsewhere...}.
     */
    static final String RESTORE = PRELUDE + """
            local me, lease = ARGV[3], tonumber(ARGV[4])
            local reaped = redis.call('DEL', P .. 'reaped:' .. me)
            redis.call('ZADD', P .. 'nodes', nowMs() + lease, me)
            local mine = P .. 'node:' .. me
            local wanted, answer = {}, {reaped}
            for i = 5, #ARGV, 2 do
              local key, name = ARGV[i], ARGV[i + 1]
              wanted[key] = true
              local cur = redis.call('HGET', names, key)
              if not cur then
                redis.call('HSET', names, key, me .. ' ' .. name)
                redis.call('SADD', mine, key)
                delta(%d, me, name)
              elseif not holds(cur, me) then
                table.insert(answer, name)
              end
            end
            for _, key in ipairs(redis.call('SMEMBERS', mine)) do
              if not wanted[key] then
                local cur = redis.call('HGET', names, key)
                redis.call('SREM', mine, key)
                if holds(cur, me) then
                  redis.call('HDEL', names, key)
                  delta(%d, me, string.sub(cur, #me + 2))
                end
              end
            end
            return answer
            """.formatted(RoomWire.PRESENT, RoomWire.ABSENT);

    /**
     * ARGV: prefix, channel, node or empty. Ends the leases of the given node, or of every node whose lease ran out:
     * their names are freed and announced gone (one presence message each, so every node tells its members they
     * left, once). Answers how many nodes were reaped.
     */
    static final String REAP = PRELUDE + """
            local dead
            if ARGV[3] ~= '' then dead = {ARGV[3]} else dead = redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', nowMs()) end
            for _, node in ipairs(dead) do
              local set = P .. 'node:' .. node
              for _, key in ipairs(redis.call('SMEMBERS', set)) do
                local cur = redis.call('HGET', names, key)
                if holds(cur, node) then
                  redis.call('HDEL', names, key)
                  delta(%d, node, string.sub(cur, #node + 2))
                end
              end
              redis.call('DEL', set)
              redis.call('ZREM', P .. 'nodes', node)
              -- an hour: a node cut off that long comes back as new members anyway
              redis.call('SET', P .. 'reaped:' .. node, '1', 'PX', 3600000)
            end
            return #dead
            """.formatted(RoomWire.GONE);

    /** ARGV: prefix, channel. Answers {presence version, key, "NODE NAME", key, "NODE NAME", ...}. */
    static final String SNAPSHOT = PRELUDE + """
            local all = redis.call('HGETALL', names)
            table.insert(all, 1, redis.call('GET', P .. 'version') or '0')
            return all
            """;
}
