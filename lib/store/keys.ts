import { createHash } from 'node:crypto'

// An id from a request (a user's, an event's) as a part of a store key: one
// id, one part, and no two ids share one; bounded, so that a 100 KB id costs
// a hash, not a 100 KB key. JSON.stringify keeps a lone surrogate as an
// escape, where UTF-8 (Redis's keys) would turn every one into U+FFFD.

/** Printable ASCII, no space and no braces (Redis Cluster reads `{…}` in a key as its hash tag). */
const PLAIN = /^[\x21-\x7a\x7c\x7e]{1,64}$/

/** The key part of an id as sent: the id itself when short and plain, else the SHA-256 of its text. */
export function idPart (id: string): string {
  return PLAIN.test(id) ? `=${id}` : `#${createHash('sha256').update(JSON.stringify(id)).digest('base64url')}`
}
