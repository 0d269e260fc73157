import { InvalidOptionError } from '../errors.js'
import type { StateStore, StoreWrite, Version, Versioned, WriteOptions } from './state-store.js'

/** Options of `memoryStore()`. */
export interface MemoryStoreOptions {
  /** States kept at most; past it the least recently used goes (logged). Default: 10000. */
  maxEntries?: number | undefined
  /** UTF-8 bytes of the states' keys and JSON kept at most, all together; past it the least recently used go (logged). Default: 64 MiB. */
  maxBytes?: number | undefined
  /** Webhook event records kept at most. A record is never dropped before its time: past this, a delivery answers 503. Default: 100000. */
  maxRecords?: number | undefined
}

interface Entry extends Versioned {
  /** When it expires (Date.now() time), or Infinity. */
  readonly expires: number
  /** Its key's and value's UTF-8 bytes. */
  readonly bytes: number
}

export const DEFAULT_MEMORY_ENTRIES = 10_000
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
export const DEFAULT_MEMORY_RECORDS = 100_000

function checkLimit (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`memoryStore: ${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

const late = () => new Error('the write arrived after its deadline')

/**
 * The default store: in this process's memory and expiring. States are
 * bounded (entries and bytes; the least recently used go first, and each
 * eviction is reported); webhook event records have a bound of their own and
 * are never dropped before their time. Nothing in it survives a restart or
 * is shared between instances: give several instances `redisStore(client)`.
 *
 * @example
 * ```ts
 * await app.register(fastifyHaptik, { secret, steps, store: memoryStore({ maxEntries: 50_000 }) })
 * ```
 */
export function memoryStore ({ maxEntries = DEFAULT_MEMORY_ENTRIES, maxBytes = DEFAULT_MEMORY_BYTES, maxRecords = DEFAULT_MEMORY_RECORDS }: MemoryStoreOptions = {}): StateStore {
  checkLimit(maxEntries, 'maxEntries')
  checkLimit(maxBytes, 'maxBytes')
  checkLimit(maxRecords, 'maxRecords')
  // Map order is use order: the first state is the least recently used.
  const states = new Map<string, Entry>()
  const records = new Map<string, Entry>()
  const listeners = new Set<(count: number) => void>()
  let bytes = 0
  // Every write's version is new to the store, so never one a key had before.
  let versions = 0

  const live = (map: Map<string, Entry>, key: string): Entry | undefined => {
    const entry = map.get(key)
    if (entry === undefined || entry.expires > Date.now()) return entry
    remove(map, key, entry)
    return undefined
  }
  const remove = (map: Map<string, Entry>, key: string, entry: Entry) => {
    map.delete(key)
    if (map === states) bytes -= entry.bytes
  }
  const sweepRecords = () => {
    const now = Date.now()
    for (const [key, entry] of records) if (entry.expires <= now) records.delete(key)
  }
  const overBounds = () => states.size > maxEntries || bytes > maxBytes
  const evict = () => {
    let evicted = 0
    while (overBounds()) {
      const [key, entry] = states.entries().next().value as [string, Entry]
      remove(states, key, entry)
      evicted++
    }
    if (evicted > 0) for (const listener of listeners) listener(evicted)
  }
  const mapOf = (options: WriteOptions | undefined) => options?.retain === true ? records : states
  const check = (options: WriteOptions | undefined) => {
    if (options?.deadline !== undefined && Date.now() > options.deadline) throw late()
  }
  const write = (map: Map<string, Entry>, { key, value, ttl }: StoreWrite): Version => {
    const entryBytes = Buffer.byteLength(key) + Buffer.byteLength(value)
    const version = ++versions
    map.set(key, { value, version, expires: ttl === undefined ? Infinity : Date.now() + ttl, bytes: entryBytes })
    if (map === states) bytes += entryBytes
    return version
  }
  /** Whether every key is still at its version; the ones that are there are taken out, to be written again. */
  const takeIfUnchanged = (map: Map<string, Entry>, writes: readonly StoreWrite[]): boolean => {
    if (writes.some(({ key, version }) => live(map, key)?.version !== version)) return false
    if (map === records) {
      const added = writes.filter(({ key }) => !records.has(key)).length
      if (records.size + added > maxRecords) sweepRecords()
      if (records.size + added > maxRecords) throw new Error(`the memory store holds its most webhook event records (maxRecords: ${maxRecords}); none is dropped before its time`)
    }
    for (const { key } of writes) {
      const entry = map.get(key)
      if (entry !== undefined) remove(map, key, entry)
    }
    return true
  }

  return {
    kind: 'memory',
    get (key) {
      const record = live(records, key)
      if (record !== undefined) return { value: record.value, version: record.version }
      const entry = live(states, key)
      if (entry === undefined) return undefined
      states.delete(key)
      states.set(key, entry)
      return { value: entry.value, version: entry.version }
    },
    set (key, value, version, ttl, options) {
      check(options)
      const map = mapOf(options)
      const one = { key, value, version, ttl }
      if (!takeIfUnchanged(map, [one])) return undefined
      const next = write(map, one)
      if (map === states) evict()
      return next
    },
    setAll (writes, options) {
      check(options)
      const map = mapOf(options)
      if (!takeIfUnchanged(map, writes)) return undefined
      const next = writes.map(one => write(map, one))
      if (map === states) evict()
      return next
    },
    watchEvictions (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
