import { SIGNATURE_HEADER, sign, type Secret } from '../index.js'

/** A body ready to send: its exact bytes and the headers Haptik sends with it. */
export interface SignedRequest {
  payload: string | Buffer
  headers: Record<string, string>
}

/**
 * The exact bytes of a request body and Haptik's headers for it:
 * `content-type: application/json` and, given a secret, `x-hub-signature`.
 * Strings and Buffers are sent as they are; anything else as its JSON.
 *
 * @example
 * ```ts
 * const { payload, headers } = signedRequest(haptikRequest('product_price', { product_name: 'speaker' }), 'test')
 * await fetch(url, { method: 'POST', body: payload, headers })
 * ```
 */
export function signedRequest (body: unknown, secret?: Secret): SignedRequest {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (secret !== undefined) headers[SIGNATURE_HEADER] = sign(payload, secret)
  return { payload, headers }
}
