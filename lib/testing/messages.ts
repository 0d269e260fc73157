import { messageFromWire, type Message } from '../hsl/index.js'

/**
 * A message of a reply's `response` as the handler made it: an HSL message
 * (a JSON object with a string `type`, as the plugin sends rich messages) as
 * that object, anything else as the plain text it is.
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

/** Every message of a reply's `response`, read by `parseMessage`. */
export function parseMessages (response: readonly unknown[]): Message[] {
  return response.map(message => typeof message === 'string' ? parseMessage(message) : message as Message)
}
