import { InvalidOptionError } from '../errors.js'
import type { StateStore, Versioned } from './state-store.js'

/** Options of `memoryStore()`. */
export interface MemoryStoreOptions {
  /** Entries kept at most; past it the least recently used goes. Default: 10000. */
  maxEntries?: number | undefined
  /** Characters of JSON kept at most, all entries together; past it the least recently used go. Default: 64 MiB. */
  maxBytes?: number | undefined
}

interface Entry extends Versioned {
  /** When it expires (Date.now() time), or Infinity. */
  readonly expires: number
}

export const DEFAULT_MEMORY_ENTRIES = 10_000
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024

function checkLimit (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`memoryStore: ${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * The default store: in this process's memory, bounded (entries and
 * characters, least recently used first out) and expiring. State in it does
 * not survive a restart and is not shared between instances: give several
 * instances `redisStore(client)`.
 *
 * @example
 * ```ts
 * await app.register(fastifyHaptik, { secret, steps, store: memoryStore({ maxEntries: 50_000 }) })
 * ```
 */
export function memoryStore ({ maxEntries = DEFAULT_MEMORY_ENTRIES, maxBytes = DEFAULT_MEMORY_BYTES }: MemoryStoreOptions = {}): StateStore {
  checkLimit(maxEntries, 'maxEntries')
  checkLimit(maxBytes, 'maxBytes')
  // Map order is use order: the first entry is the least recently used.
  const entries = new Map<string, Entry>()
  let bytes = 0

  const remove = (key: string, entry: Entry) => {
    entries.delete(key)
    bytes -= entry.value.length
  }
  const overBounds = () => entries.size > maxEntries || bytes > maxBytes
  /** The live entry under a key (an expired one is removed). */
  const unexpired = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry === undefined || entry.expires > Date.now()) return entry
    remove(key, entry)
    return undefined
  }
  /** The live entry under a key, moved to the most recently used end. */
  const live = (key: string): Entry | undefined => {
    const entry = unexpired(key)
    if (entry === undefined) return undefined
    entries.delete(key)
    entries.set(key, entry)
    return entry
  }

  return {
    kind: 'memory',
    get (key) {
      const entry = live(key)
      return entry === undefined ? undefined : { value: entry.value, version: entry.version }
    },
    set (key, value, version, ttl) {
      // Not moved on the way: the new entry goes to the most recently used end.
      const entry = unexpired(key)
      if (entry?.version !== version) return undefined
      const next = (version ?? 0) + 1
      if (entry !== undefined) remove(key, entry)
      entries.set(key, { value, version: next, expires: ttl === undefined ? Infinity : Date.now() + ttl })
      bytes += value.length
      while (overBounds()) {
        const oldest = entries.keys().next().value as string
        remove(oldest, entries.get(oldest) as Entry)
      }
      return next
    },
    delete (key, version) {
      const entry = unexpired(key)
      if (entry?.version !== version) return false
      remove(key, entry)
      return true
    }
  }
}
