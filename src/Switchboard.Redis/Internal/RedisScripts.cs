namespace Switchboard.Redis.Internal;

/// <summary>
/// The Lua scripts that make each broker operation one atomic step in Redis, so that concurrent publishes from many
/// nodes get consecutive offsets, and a publication is in history before anyone can receive it. Time comes from
/// Redis (<c>TIME</c>), one clock for every node.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: meta, history, idempotency key (meta again when none). ARGV: candidate epoch, body, history size,
    /// history ttl ms, idempotency window ms, pub/sub channel, "1" when a key is given, minimum stream lifetime ms.
    /// Returns {1, "offset epoch"} for a new publication, {0, "offset epoch"} (the first one's) for a repeated key.
    /// </summary>
    public const string Publish = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if ARGV[7] == '1' then
          local seen = redis.call('GET', KEYS[3])
          if seen then return {0, seen} end
        end
        local epoch = redis.call('HGET', KEYS[1], 'e')
        if not epoch then
          -- A new stream (first publish, expired or lost): a new epoch, and no history of an older one.
          epoch = ARGV[1]
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
        end
        local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
        local size = tonumber(ARGV[3])
        local ttl = tonumber(ARGV[4])
        local window = tonumber(ARGV[5])
        local position = string.format('%.0f ', offset) .. epoch
        local entry = string.format('%.0f %s %.0f %.0f ', offset, epoch, now, now + ttl) .. ARGV[2]
        if size > 0 and ttl > 0 then
          redis.call('RPUSH', KEYS[2], entry)
          redis.call('LTRIM', KEYS[2], -size, -1)
          redis.call('PEXPIRE', KEYS[2], ttl)
        end
        if ARGV[7] == '1' and window > 0 then
          redis.call('SET', KEYS[3], position, 'PX', window)
        end
        -- The stream (epoch and offset) outlives its history and keys; only lengthened, never shortened.
        local keep = math.max(ttl, window, tonumber(ARGV[8]))
        if redis.call('PTTL', KEYS[1]) < keep then
          redis.call('PEXPIRE', KEYS[1], keep)
        end
        redis.call('PUBLISH', ARGV[6], entry)
        return {1, position}
        """;

    /// <summary>
    /// KEYS: meta, history. ARGV: candidate epoch, since offset (-1 for none), limit (-1 for none), minimum stream
    /// lifetime ms. Returns {epoch, offset, now ms, {entries}}: with a since offset, the entries after it (as many as
    /// the list holds); otherwise the newest <c>limit</c> or all. A missing stream is created (offset 0) so that its
    /// epoch stays the same until it expires, as with the memory broker.
    /// </summary>
    public const string Read = """
        local t = redis.call('TIME')
        local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
        local epoch = redis.call('HGET', KEYS[1], 'e')
        if not epoch then
          epoch = ARGV[1]
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
          redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
          return {epoch, '0', now, {}}
        end
        local offset = tonumber(redis.call('HGET', KEYS[1], 'o'))
        local since = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local entries
        if since >= 0 then
          local count = offset - since
          if count > 0 then entries = redis.call('LRANGE', KEYS[2], -count, -1) else entries = {} end
        elseif limit == 0 then
          entries = {}
        elseif limit > 0 then
          entries = redis.call('LRANGE', KEYS[2], -limit, -1)
        else
          entries = redis.call('LRANGE', KEYS[2], 0, -1)
        end
        return {epoch, string.format('%.0f', offset), now, entries}
        """;
}
