import { types } from 'node:util'

const MAX_CAUSES = 3
const MAX_FIELDS = 16

function read (get: () => unknown): unknown {
  try {
    return get()
  } catch {
    return undefined
  }
}

const FIELD_TYPES = new Set(['string', 'number', 'boolean'])
const isField = (value: unknown) => FIELD_TYPES.has(typeof value)

function copyError (error: Error, source: string, depth: number): Error {
  const message = read(() => error.message)
  const copy = new Error(typeof message === 'string' ? message : `${source} threw an Error whose message cannot be read`)
  const name = read(() => error.name)
  copy.name = typeof name === 'string' ? name : 'Error'
  const stack = read(() => error.stack)
  copy.stack = typeof stack === 'string' ? stack : `${copy.name}: ${copy.message}`
  // The Error's own plain fields (a `code`, a `statusCode`), as pino would show them.
  const keys = read(() => Object.keys(error))
  if (Array.isArray(keys)) {
    for (const key of keys.slice(0, MAX_FIELDS)) {
      if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue
      const value = read(() => (error as unknown as Record<string, unknown>)[key])
      if (isField(value)) Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
    }
  }
  const cause = read(() => error.cause)
  if (cause !== undefined && depth < MAX_CAUSES) copy.cause = safeError(cause, source, depth + 1)
  return copy
}

/** A plain Error, safe to log, for what `source` (e.g. "the handler") threw: each field read once, under try. */
export function safeError (value: unknown, source: string, depth = 0): Error {
  try {
    if (types.isProxy(value)) return new Error(`${source} threw a value that cannot be read (a Proxy)`)
    // instanceof too: @fastify/error's errors are made without Error's constructor.
    if (types.isNativeError(value) || value instanceof Error) return copyError(value, source, depth)
    return new Error(`${source} threw a non-Error value (${value === null ? 'null' : typeof value})`)
  } catch {
    return new Error(`${source} threw a value that cannot be read`)
  }
}

/** Whether `value[key] === true`, for a value that may be hostile: false when reading throws. */
export function hasTrueFlag (value: unknown, key: symbol): boolean {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false
  try {
    return (value as Record<symbol, unknown>)[key] === true
  } catch {
    return false
  }
}

const LIMITS = { name: 64, path: 120 } as const

/** Request text cut for messages and logs: on a route serving unsigned steps nobody signed it. */
export function cap (text: string, kind: keyof typeof LIMITS = 'name'): string {
  const max = LIMITS[kind]
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** A promise, or a hand-made thenable (read it with `Promise.resolve`: its `then` may misbehave). */
export function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
}

/** `run`'s outcome through `then` or `fail`, a promise only when `run`'s was: a store that answers at once costs no tick. */
export function whenSettled<T, R> (run: () => T | PromiseLike<T>, then: (value: T) => R, fail: (error: unknown) => never): R | Promise<R> {
  let result: T | PromiseLike<T>
  try {
    result = run()
  } catch (error) {
    return fail(error)
  }
  return isThenable(result) ? Promise.resolve(result as PromiseLike<T>).then(then, fail) : then(result as T)
}
