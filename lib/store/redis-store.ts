import { InvalidOptionError } from '../errors.js'
import type { StateStore } from './state-store.js'

// State in Redis, through the client the app already has: ioredis or
// node-redis (v4 and later). Each key is a hash of its version and its JSON;
// writes and deletes are Lua scripts, so comparing the version and writing
// are one atomic step, across every instance sharing the server. Redis
// expires keys itself.

/** Options of `redisStore()`. */
export interface RedisStoreOptions {
  /** Put before every key, to share a Redis database with other data. Default: `'fastify-haptik:'`. */
  prefix?: string | undefined
}

type Command = (args: string[]) => Promise<unknown>

/** Sends one command with whichever API the client has: ioredis's `call`, or node-redis's `sendCommand`. */
function commandOf (client: unknown): Command {
  const api = client as { call?: unknown, sendCommand?: unknown } | null
  if (typeof api?.call === 'function') {
    const call = api.call as (...args: string[]) => Promise<unknown>
    return async args => await call.apply(client, args)
  }
  if (typeof api?.sendCommand === 'function') {
    const send = api.sendCommand as (args: string[]) => Promise<unknown>
    return async args => await send.call(client, args)
  }
  throw new InvalidOptionError('redisStore takes a connected ioredis or node-redis client (it has neither call() nor sendCommand())')
}

// KEYS[1] the key; ARGV[1] the version read ('' for none), ARGV[2] the JSON, ARGV[3] the lifetime in ms ('' for none).
const SET = `
local current = redis.call('HGET', KEYS[1], 'v') or ''
if current ~= ARGV[1] then return false end
local next = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 'v', next, 'd', ARGV[2])
if ARGV[3] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return next`

// KEYS[1] the key; ARGV[1] the version to delete.
const DELETE = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`

/**
 * A store on Redis, through your own connected client (ioredis or
 * node-redis): state shared by every instance of the app, kept as JSON,
 * expired by Redis. A write that another instance beat is refused, never lost.
 *
 * @example
 * ```ts
 * const app = Fastify()
 * await app.register(fastifyHaptik, { secret, steps, store: redisStore(new Redis(process.env.REDIS_URL)) })
 * ```
 */
export function redisStore (client: unknown, { prefix = 'fastify-haptik:' }: RedisStoreOptions = {}): StateStore {
  const command = commandOf(client)
  if (typeof prefix !== 'string') throw new InvalidOptionError('redisStore: prefix must be a string')
  return {
    kind: 'redis',
    async get (key) {
      const [version, value] = await command(['HMGET', prefix + key, 'v', 'd']) as [string | null, string | null]
      return version === null || value === null ? undefined : { value, version: Number(version) }
    },
    async set (key, value, version, ttl) {
      const next = await command(['EVAL', SET, '1', prefix + key, version === undefined ? '' : String(version), value, ttl === undefined ? '' : String(ttl)])
      return next === null ? undefined : Number(next)
    },
    async delete (key, version) {
      return Number(await command(['EVAL', DELETE, '1', prefix + key, String(version)])) === 1
    }
  }
}
