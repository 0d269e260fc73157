// Where the plugin keeps what outlives one call: conversation and user state,
// and (for webhooks) the record of events already handled. A store holds JSON
// text under string keys, each with a version that every successful write
// moves on: a write names the version it read, and fails when another write
// came first, so two calls of one conversation never silently overwrite each
// other (compare-and-set). Any store that does this atomically will do: the
// plugin ships one in memory and one on Redis.

/** A stored value and its version. */
export interface Versioned {
  /** JSON text. */
  readonly value: string
  /** Moves on with every write; starts at 1. */
  readonly version: number
}

/**
 * A store for `store`: memory (`memoryStore()`), Redis (`redisStore(client)`),
 * or your own. Each method may be async. Keys are the plugin's own.
 */
export interface StateStore {
  /** The value under a key and its version, or undefined when there is none (or it expired). */
  get: (key: string) => Promise<Versioned | undefined> | Versioned | undefined
  /**
   * Writes a value if the key is still at `version` (undefined: the key must
   * not exist), to live `ttl` milliseconds (undefined: until deleted).
   * Resolves to the new version, or undefined when another write came first.
   */
  set: (key: string, value: string, version: number | undefined, ttl: number | undefined) => Promise<number | undefined> | number | undefined
  /** Deletes a key if it is still at `version`; resolves to whether it did. */
  delete: (key: string, version: number) => Promise<boolean> | boolean
  /** What logs, spans and metrics call the store, e.g. `'memory'` or `'redis'`. */
  readonly kind: string
}
