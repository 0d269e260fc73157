import { createHash } from 'node:crypto'

/** Printable ASCII, no space and no braces (Redis Cluster reads `{…}` in a key as its hash tag). */
const PLAIN = /^[\x21-\x7a\x7c\x7e]{1,64}$/

/** An id as a store key part: itself when short and plain, else a hash (JSON.stringify keeps a lone surrogate, which UTF-8 would turn into U+FFFD). */
export function idPart (id: string): string {
  return PLAIN.test(id) ? `=${id}` : `#${createHash('sha256').update(JSON.stringify(id)).digest('base64url')}`
}
