import { randomBytes } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'
import { settleWithin } from '../time-limit.js'
import type { StateStore, StoreWrite, Version, WriteOptions } from './state-store.js'

/** Options of `redisStore()`. */
export interface RedisStoreOptions {
  /** Put before every key, to share a Redis database with other data. Default: `'fastify-haptik:'`. */
  prefix?: string | undefined
  /** Close the client when the app closes. Default: `false` (the store does not own the client; one left open keeps the process alive). */
  quit?: boolean | undefined
}

type Command = (args: string[]) => Promise<unknown>

interface Client {
  readonly command: Command
  readonly quit: () => Promise<unknown>
  readonly force: () => void
}

/** The client's API: ioredis's `call`, or node-redis's `sendCommand`. */
function clientOf (client: unknown): Client {
  const api = client as Record<string, (...args: unknown[]) => unknown> | null
  if (typeof api?.call === 'function') {
    return {
      command: async args => await api.call.apply(client, args),
      quit: async () => await api.quit.call(client),
      force: () => { api.disconnect.call(client) }
    }
  }
  if (typeof api?.sendCommand === 'function') {
    return {
      command: async args => await api.sendCommand.call(client, args),
      // close and destroy since node-redis 5; quit and disconnect in 4.
      quit: async () => await (api.close ?? api.quit).call(client),
      force: () => { (api.destroy ?? api.disconnect).call(client) }
    }
  }
  throw new InvalidOptionError('redisStore takes an ioredis or node-redis client (it has neither call() nor sendCommand())')
}

// ARGV[1] the deadline in Redis's ms ('' for none); for the i-th key, ARGV[4i-2] the version read, ARGV[4i-1] the JSON,
// ARGV[4i] the lifetime in ms, ARGV[4i+1] the new version. Answers {1 written | 0 another came first | -1 late, Redis's TIME}.
const SET_ALL = `
local t = redis.call('TIME')
local answer = function (status) return {status, t[1], t[2]} end
if ARGV[1] ~= '' and t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(ARGV[1]) then return answer(-1) end
for i, key in ipairs(KEYS) do
  if (redis.call('HGET', key, 'v') or '') ~= ARGV[4 * i - 2] then return answer(0) end
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'v', ARGV[4 * i + 1], 'd', ARGV[4 * i - 1])
  if ARGV[4 * i] == '' then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ARGV[4 * i]) end
end
return answer(1)`

const OFFSET_LIFETIME = 60_000
const CLOSE_TIMEOUT = 2000

/**
 * A store on Redis through your ioredis or node-redis client, shared by every instance. Build the client to fail fast
 * (docs/state.md), e.g. `redisStore(new Redis(url, { enableOfflineQueue: false }), { quit: true })`.
 */
export function redisStore (client: unknown, { prefix = 'fastify-haptik:', quit = false }: RedisStoreOptions = {}): StateStore {
  const redis = clientOf(client)
  if (typeof prefix !== 'string') throw new InvalidOptionError('redisStore: prefix must be a string')
  if (typeof quit !== 'boolean') throw new InvalidOptionError('redisStore: quit must be a boolean')
  // A random start, so that versions are new to every key across instances and restarts.
  const origin = randomBytes(6).toString('base64url')
  let versions = 0
  // Redis's clock minus ours, the largest lately seen: a reply travels, so this errs towards refusing a write early, never late.
  let offset: number | undefined
  let offsetSince = 0
  const observe = (seconds: unknown, micros: unknown) => {
    const now = Date.now()
    const seen = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - now
    if (offset === undefined || seen > offset || now - offsetSince > OFFSET_LIFETIME) {
      offset = seen
      offsetSince = now
    }
  }
  const redisDeadline = async (options: WriteOptions | undefined): Promise<string> => {
    if (options?.deadline === undefined) return ''
    if (offset === undefined) {
      const [seconds, micros] = await redis.command(['TIME']) as [string, string]
      observe(seconds, micros)
    }
    return String(options.deadline + (offset as number))
  }
  const setAll = async (writes: readonly StoreWrite[], options?: WriteOptions): Promise<readonly Version[] | undefined> => {
    const next = writes.map(() => `${origin}.${++versions}`)
    const args = [String(writes.length), ...writes.map(({ key }) => prefix + key), await redisDeadline(options)]
    writes.forEach(({ value, version, ttl }, index) => {
      args.push(version === undefined ? '' : String(version), value, ttl === undefined ? '' : String(ttl), next[index])
    })
    const [status, seconds, micros] = await redis.command(['EVAL', SET_ALL, ...args]) as [number, string, string]
    observe(seconds, micros)
    if (Number(status) === -1) throw new Error('the write arrived after its deadline')
    return Number(status) === 1 ? next : undefined
  }
  return {
    kind: 'redis',
    async get (key) {
      const [version, value] = await redis.command(['HMGET', prefix + key, 'v', 'd']) as [string | null, string | null]
      // A hash without its JSON reads as unusable text, which the next write replaces.
      return version === null ? undefined : { value: value ?? '', version }
    },
    set: async (key, value, version, ttl, options) => (await setAll([{ key, value, version, ttl }], options))?.[0],
    setAll,
    async close () {
      if (!quit) return
      await settleWithin(redis.quit(), CLOSE_TIMEOUT, () => new Error('the Redis client did not close in time')).catch(redis.force)
    }
  }
}
