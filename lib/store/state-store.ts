/** A version, opaque to the plugin. A store never gives a key a version it gave that key before, even after it expired, so that a late writer cannot mistake a newer value for its own. */
export type Version = string | number

export interface Versioned {
  /** JSON text, as written (a store may hand back text it cannot vouch for: the plugin checks it). */
  readonly value: string
  readonly version: Version
}

/** How a write is made. */
export interface WriteOptions {
  /** Milliseconds since the epoch after which the write must not be made (throw instead): the plugin answered without it. */
  readonly deadline?: number | undefined
  /** The value must be kept for its whole `ttl` (an event record): a full store throws rather than drop it early. */
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

/** A store for `store`: memory (`memoryStore()`), Redis (`redisStore(client)`), or your own; each method may answer at once or with a promise. */
export interface StateStore {
  /** The value under a key and its version, or undefined when there is none (or it expired). */
  get: (key: string) => Promise<Versioned | undefined> | Versioned | undefined
  /** Writes a value if the key is still at `version`, to live `ttl` ms: the new version, or undefined when another write came first. */
  set: (key: string, value: string, version: Version | undefined, ttl: number | undefined, options?: WriteOptions) => Promise<Version | undefined> | Version | undefined
  /** Optional: writes every key or none, each as `set` (without it, `state` and `userState` are written one after the other). */
  setAll?: (writes: readonly StoreWrite[], options?: WriteOptions) => Promise<readonly Version[] | undefined> | readonly Version[] | undefined
  /** Optional: calls `listener` with a count whenever the store drops values early to make room. Returns the unsubscribe. */
  watchEvictions?: (listener: (count: number) => void) => () => void
  /** Optional: called once the app closes (a store that owns its connection closes it). */
  close?: () => Promise<void> | void
  /** What logs, spans and metrics call the store, e.g. `'memory'` or `'redis'`. */
  readonly kind: string
}
