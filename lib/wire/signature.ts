import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'

/** A step secret as configured in Haptik's bot builder. */
export type Secret = string | Buffer

/** The header Haptik signs with, lower-cased as Node.js presents it. */
export const SIGNATURE_HEADER = 'x-hub-signature'

// Haptik signs with HMAC-SHA1 and nothing else; the algorithm is never read from the header.
const ALGORITHM = 'sha1'
const PREFIX = 'sha1='

export type SignatureProblem = 'missing' | 'repeated' | 'wrong-prefix' | 'wrong-length' | 'not-hex'

/** Key objects made once, so requests never re-encode the secrets. */
export function toKeys (secrets: Secret | readonly Secret[]): KeyObject[] {
  const list = Array.isArray(secrets) ? secrets : [secrets]
  return list.map((secret: unknown, index) => {
    if (typeof secret !== 'string' && !Buffer.isBuffer(secret)) {
      throw new TypeError(`secret ${list.length > 1 ? `#${index} ` : ''}must be a string or a Buffer, got ${typeof secret}`)
    }
    if (secret.length === 0) {
      throw new TypeError(`secret ${list.length > 1 ? `#${index} ` : ''}is empty`)
    }
    return createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
  })
}

/**
 * The `X-Hub-Signature` Haptik sends for `body`: `sha1=` and the hex HMAC-SHA1 of the exact bytes.
 * @example
 * ```ts
 * sign('{"step":"product_price"}', 'test') // 'sha1=…'
 * ```
 */
export function sign (body: string | Buffer, secret: Secret | KeyObject): string {
  return PREFIX + createHmac(ALGORITHM, secret).update(body).digest('hex')
}

/** An `X-Hub-Signature` header's 20 digest bytes, or what is wrong with it. Never throws. */
export function parseSignature (header: unknown): Buffer | SignatureProblem {
  if (header === undefined || header === '') return 'missing'
  if (typeof header !== 'string') return 'repeated'
  if (!header.startsWith(PREFIX)) return header.includes(',') ? 'repeated' : 'wrong-prefix'
  const hex = header.slice(PREFIX.length)
  if (hex.length !== 40) return header.includes(',') ? 'repeated' : 'wrong-length'
  // Decoding stops at the first character that is not hex: 20 bytes means all 40 were.
  const digest = Buffer.from(hex, 'hex')
  return digest.length === 20 ? digest : 'not-hex'
}

const NONE: readonly number[] = Object.freeze([])
const FIRST: readonly number[] = Object.freeze([0])

/** One HMAC of the whole body per key: measured, as fast as hashing while the body streams in, with no state per chunk. */
function matchingKeys (expected: Buffer, keys: readonly KeyObject[], body: Buffer): readonly number[] {
  if (keys.length === 1) return signs(expected, keys[0], body) ? FIRST : NONE
  const matched: number[] = []
  keys.forEach((key, index) => { if (signs(expected, key, body)) matched.push(index) })
  return matched
}

export function signs (expected: Buffer, key: KeyObject, body: Buffer): boolean {
  // timingSafeEqual: the time taken must not tell an attacker how many bytes matched.
  return timingSafeEqual(createHmac(ALGORITHM, key).update(body).digest(), expected)
}

/**
 * Checks `X-Hub-Signature` against a body outside the plugin's routes; any listed secret passes; never throws on a bad header.
 * @example
 * ```ts
 * verify(rawBody, request.headers['x-hub-signature'], [newSecret, oldSecret])
 * ```
 */
export function verify (body: string | Buffer, header: unknown, secrets: Secret | readonly Secret[]): boolean {
  const expected = parseSignature(header)
  if (typeof expected === 'string') return false
  return matchingKeys(expected, toKeys(secrets), typeof body === 'string' ? Buffer.from(body) : body).length > 0
}
