// Where the plugin keeps what outlives one call: conversation and user state,
// and the records of webhook events. A store holds JSON text under string
// keys, each with a version that every write replaces: a write names the
// version it read and is refused when another write came first
// (compare-and-set), so two calls of one conversation never silently
// overwrite each other.

/**
 * A version, opaque to the plugin: it only hands back what `get` gave. A
 * store never gives a key a version it gave that key before, even after the
 * key expired, so that a late writer cannot mistake a newer value for its own.
 */
export type Version = string | number

/** A stored value and its version. */
export interface Versioned {
  /** JSON text, as written (a store may hand back text it cannot vouch for: the plugin checks it). */
  readonly value: string
  readonly version: Version
}

/** How a write is made. */
export interface WriteOptions {
  /**
   * Milliseconds since the epoch after which the write must not be made
   * (throw instead): the plugin answered without it, so it must not land later.
   */
  readonly deadline?: number | undefined
  /**
   * The value must be kept for its whole `ttl` (an event record): a store that
   * is full refuses the write (throws) rather than dropping it early.
   */
  readonly retain?: boolean | undefined
}

/** One key's write in `setAll`. */
export interface StoreWrite {
  readonly key: string
  readonly value: string
  /** The version read; undefined: the key must not exist. */
  readonly version: Version | undefined
  /** Milliseconds the value lives; undefined: until replaced. */
  readonly ttl: number | undefined
}

/**
 * A store for `store`: memory (`memoryStore()`), Redis (`redisStore(client)`),
 * or your own. Each method may answer at once or with a promise. Keys are the
 * plugin's own.
 */
export interface StateStore {
  /** The value under a key and its version, or undefined when there is none (or it expired). */
  get: (key: string) => Promise<Versioned | undefined> | Versioned | undefined
  /**
   * Writes a value if the key is still at `version` (undefined: the key must
   * not exist), to live `ttl` milliseconds (undefined: until replaced).
   * Answers the new version, or undefined when another write came first.
   */
  set: (key: string, value: string, version: Version | undefined, ttl: number | undefined, options?: WriteOptions) => Promise<Version | undefined> | Version | undefined
  /**
   * Optional: writes every key or none, each compare-and-set as `set`.
   * Answers their new versions, or undefined when another write came first
   * to any of them. Without it, a step's `state` and `userState` are written
   * one after the other.
   */
  setAll?: (writes: readonly StoreWrite[], options?: WriteOptions) => Promise<readonly Version[] | undefined> | readonly Version[] | undefined
  /** Optional: calls `listener` with a count whenever the store drops values before their time to make room. Returns the unsubscribe. */
  watchEvictions?: (listener: (count: number) => void) => () => void
  /** Optional: called once the app closes (a store that owns its connection closes it). */
  close?: () => Promise<void> | void
  /** What logs, spans and metrics call the store, e.g. `'memory'` or `'redis'`. */
  readonly kind: string
}
