import type { KeyObject } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { InternalError, SecretBusyError, SecretTimeoutError } from '../errors.js'
import type { SecretResolver, StepAuth } from './secrets.js'
import { toKeys } from './signature.js'
import { safeError } from '../untrusted.js'
import { CallLimit } from '../call-limit.js'

type ResolverAuth = Extract<StepAuth, { kind: 'resolver' }>

/** Caching of the keys a secret function returns, by a key of the request (a tenant id, say). */
export interface SecretCacheOptions {
  /** What identifies the secret of a request, e.g. `request => request.params.tenant`; undefined: not cached. */
  key: (request: FastifyRequest) => string | undefined
  /** How long a secret is kept, in milliseconds. Default: 300000 (5 minutes). */
  ttl?: number | undefined
  /** How many secrets are kept at most (the least recently used goes first). Default: 1000. */
  max?: number | undefined
}

export interface SecretCacheSettings {
  readonly key: SecretCacheOptions['key']
  readonly ttl: number
  readonly max: number
}

export interface SecretLookupSettings {
  readonly timeout: number
  readonly concurrency: number
  readonly cache: SecretCacheSettings | undefined
}

interface Cached {
  readonly keys: readonly KeyObject[]
  readonly expires: number
}

const CLOSING = 'was cancelled: the server is closing'

export const DEFAULT_SECRET_TIMEOUT = 2000
export const DEFAULT_SECRET_CONCURRENCY = 100
export const DEFAULT_SECRET_CACHE_TTL = 300_000
export const DEFAULT_SECRET_CACHE_MAX = 1000

/** The secret lookups of one registration of the plugin. */
export class SecretLookup {
  readonly #settings: SecretLookupSettings
  readonly #calls: CallLimit
  readonly #cache = new Map<ResolverAuth, Map<string, Cached>>()
  /** Lookups under way, by auth and cache key: a burst for one tenant asks the vault once. */
  readonly #inFlight = new Map<ResolverAuth, Map<string, Promise<readonly KeyObject[]>>>()

  constructor (settings: SecretLookupSettings) {
    this.#settings = settings
    this.#calls = new CallLimit(settings.timeout, settings.concurrency)
  }

  /** The keys the secret function gives for this request (none: no secret for it). */
  async keys (auth: ResolverAuth, request: FastifyRequest, label: string): Promise<readonly KeyObject[]> {
    const cache = this.#settings.cache
    if (cache === undefined) return await this.#lookup(auth, request, label)
    let key
    try {
      key = cache.key(request)
    } catch (error) {
      request.log.error({ err: safeError(error, 'the secret cache key function') }, 'fastify-haptik: the secret cache key function threw')
      throw new InternalError()
    }
    if (typeof key !== 'string') return await this.#lookup(auth, request, label)
    const cached = this.#cached(auth, key)
    if (cached !== undefined) return cached
    const flights = mapIn(this.#inFlight, auth)
    let flight = flights.get(key)
    if (flight === undefined) {
      flight = this.#lookup(auth, request, label)
      flights.set(key, flight)
      // Settled either way: the next call asks again (failures are not cached).
      flight.then(keys => { if (keys.length > 0) this.#store(auth, key, keys) }, () => {}).finally(() => flights.delete(key))
    }
    return await flight
  }

  #cached (auth: ResolverAuth, key: string): readonly KeyObject[] | undefined {
    const entries = this.#cache.get(auth)
    const entry = entries?.get(key)
    if (entries === undefined || entry === undefined) return undefined
    entries.delete(key)
    if (entry.expires <= Date.now()) return undefined
    // Map order is use order: the first entry is the least recently used.
    entries.set(key, entry)
    return entry.keys
  }

  #store (auth: ResolverAuth, key: string, keys: readonly KeyObject[]): void {
    const { ttl, max } = this.#settings.cache as SecretCacheSettings
    const entries = mapIn(this.#cache, auth)
    entries.delete(key)
    entries.set(key, { keys, expires: Date.now() + ttl })
    if (entries.size > max) entries.delete(entries.keys().next().value as string)
  }

  async #lookup ({ resolve }: ResolverAuth, request: FastifyRequest, label: string): Promise<readonly KeyObject[]> {
    const { timeout, concurrency } = this.#settings
    const secrets = await this.#calls.call(async signal => await callResolver(resolve, request, signal), {
      busy: () => {
        request.log.warn({ pending: this.#calls.pending }, `fastify-haptik: ${label}: ${concurrency} secret lookups are pending, the most allowed (secretConcurrency); refusing this call`)
        return new SecretBusyError(label)
      },
      late: () => {
        // The tenant is not named: the log shows the route only.
        request.log.warn(`fastify-haptik: ${label}: the secret function did not answer within ${timeout} ms (secretTimeout); refusing this call`)
        return new SecretTimeoutError(label, `took longer than ${timeout} ms`)
      },
      closing: () => new SecretTimeoutError(label, CLOSING)
    })
    return readSecrets(secrets, request)
  }

  /** Cancels every pending lookup: their calls are refused, so closing never waits on a vault. */
  close (): void {
    this.#calls.close()
  }
}

function mapIn<K, V> (maps: Map<ResolverAuth, Map<K, V>>, auth: ResolverAuth): Map<K, V> {
  let map = maps.get(auth)
  if (map === undefined) {
    map = new Map()
    maps.set(auth, map)
  }
  return map
}

async function callResolver (resolve: SecretResolver, request: FastifyRequest, signal: AbortSignal): Promise<unknown> {
  try {
    return await resolve(request, { signal })
  } catch (error) {
    // Its message may name a tenant or a vault: logged, never sent. After the
    // deadline or a close, the call was refused already and its abort is expected.
    if (!signal.aborted) request.log.error({ err: safeError(error, 'the secret function') }, 'fastify-haptik: the secret function threw')
    throw new InternalError()
  }
}

function readSecrets (secrets: unknown, request: FastifyRequest): readonly KeyObject[] {
  if (secrets === undefined || secrets === null) return []
  try {
    return toKeys(secrets as Parameters<typeof toKeys>[0])
  } catch (error) {
    request.log.error({ err: safeError(error, 'the secret function') }, 'fastify-haptik: the secret function returned something that is not a secret')
    throw new InternalError()
  }
}
