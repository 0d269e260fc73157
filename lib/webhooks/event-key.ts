import { createHash } from 'node:crypto'
import { idPart } from '../store/keys.js'
import { idText } from '../wire/number-text.js'

/** JSON text with every object's keys sorted (and those set to undefined left out): one text for one value. */
function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value !== 'object' || value === null) return JSON.stringify(value)
  const object = value as Record<string, unknown>
  return `{${Object.keys(object).filter(key => object[key] !== undefined).sort().map(key => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('base64url')

/** The hash of an event's body without its `timestamp`, whatever the order of its keys (its bytes, `raw`, when too deep to walk). */
function bodyHash (body: Record<string, unknown>, raw: Buffer): string {
  try {
    return sha256(canonicalJson({ ...body, timestamp: undefined }))
  } catch {
    return sha256(raw)
  }
}

/**
 * An event's identity across deliveries: its `message.id` (unique, webhook-payload.md:77-78), else the hash of the body
 * without `timestamp`, the request's time (:30), which the docs do not say a retry keeps.
 */
export function eventKey (eventName: string, body: Record<string, unknown>, raw: Buffer): string {
  const id = (body.message as { id?: unknown } | undefined)?.id
  const event = idPart(eventName)
  return typeof id === 'number' || (typeof id === 'string' && id !== '')
    ? `${event}:message:${idPart(idText(id, raw, ['message', 'id']))}`
    : `${event}:body:${bodyHash(body, raw)}`
}
