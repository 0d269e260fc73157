import { messageFromWire, type Message } from '../hsl/index.js'

/**
 * A message of a reply's `response` as the handler made it: HSL as its object, anything else as text.
 *
 * @example
 * ```ts
 * const form = parseMessage(reply.response[1])
 * if (isHslType(form, 'FORM')) t.equal(form.data.fields.length, 2)
 * ```
 */
export function parseMessage (message: string): Message {
  return messageFromWire(message)
}

export function parseMessages (response: readonly unknown[]): Message[] {
  return response.map(message => typeof message === 'string' ? parseMessage(message) : message as Message)
}
