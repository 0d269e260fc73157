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
  readonly expires: number
  readonly bytes: number
}

const DEFAULT_MEMORY_ENTRIES = 10_000
const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
const DEFAULT_MEMORY_RECORDS = 100_000

function checkLimit (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`memoryStore: ${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/** The default store, in this process's memory: bounded, the least recently used states go first. Not shared: give several instances `redisStore(client)`. */
export function memoryStore ({ maxEntries = DEFAULT_MEMORY_ENTRIES, maxBytes = DEFAULT_MEMORY_BYTES, maxRecords = DEFAULT_MEMORY_RECORDS }: MemoryStoreOptions = {}): StateStore {
  checkLimit(maxEntries, 'maxEntries')
  checkLimit(maxBytes, 'maxBytes')
  checkLimit(maxRecords, 'maxRecords')
  // Map order is use order: the first state is the least recently used.
  const states = new Map<string, Entry>()
  const records = new Map<string, Entry>()
  const listeners = new Set<(count: number) => void>()
  let bytes = 0
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
  const write = (map: Map<string, Entry>, { key, value, ttl }: StoreWrite): Version => {
    const entryBytes = Buffer.byteLength(key) + Buffer.byteLength(value)
    const version = ++versions
    map.set(key, { value, version, expires: ttl === undefined ? Infinity : Date.now() + ttl, bytes: entryBytes })
    if (map === states) bytes += entryBytes
    return version
  }
  /** Whether every key is still at its version; if so, they are taken out, to be written again. */
  const takeIfUnchanged = (map: Map<string, Entry>, writes: readonly StoreWrite[]): boolean => {
    if (writes.some(({ key, version }) => live(map, key)?.version !== version)) return false
    if (map === records) {
      const added = writes.filter(({ key }) => !records.has(key)).length
      if (records.size + added > maxRecords) {
        const now = Date.now()
        for (const [key, entry] of records) if (entry.expires <= now) records.delete(key)
      }
      if (records.size + added > maxRecords) throw new Error(`the memory store holds its most webhook event records (maxRecords: ${maxRecords}); none is dropped before its time`)
    }
    for (const { key } of writes) {
      const entry = map.get(key)
      if (entry !== undefined) remove(map, key, entry)
    }
    return true
  }
  const setAll = (writes: readonly StoreWrite[], options: WriteOptions | undefined): Version[] | undefined => {
    if (options?.deadline !== undefined && Date.now() > options.deadline) throw new Error('the write arrived after its deadline')
    const map = options?.retain === true ? records : states
    if (!takeIfUnchanged(map, writes)) return undefined
    const next = writes.map(one => write(map, one))
    if (map === states) evict()
    return next
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
    set: (key, value, version, ttl, options) => setAll([{ key, value, version, ttl }], options)?.[0],
    setAll,
    watchEvictions (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
