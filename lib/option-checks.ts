import { InvalidOptionError } from './errors.js'

/** setTimeout's largest delay: a longer one fires at once. */
export const MAX_TIMEOUT = 2_147_483_647
/** Ten years, in seconds: the largest lifetime that is surely not a mistake. */
export const MAX_TTL = 10 * 365 * 24 * 60 * 60

export function checkPositiveInteger (value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  if (value > max) throw new InvalidOptionError(`${what} must be at most ${max}, got ${value}`)
  return value
}

export function checkMessage (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(`${what} must be a non-empty string`)
  }
  return value
}

export function checkPath (path: unknown, what: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidOptionError(`${what} must start with "/", got ${JSON.stringify(path)}`)
  return path
}

export function checkFunction (value: unknown, what: string): void {
  if (typeof value !== 'function') throw new InvalidOptionError(`${what} must be a function`)
}
