import { SIGNATURE_HEADER, sign, type Secret } from '../index.js'

export interface SignedRequest {
  payload: string | Buffer
  headers: Record<string, string>
}

/** A body's exact bytes (strings and Buffers as they are, else JSON) and Haptik's headers, signed given a secret. */
export function signedRequest (body: unknown, secret?: Secret): SignedRequest {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (secret !== undefined) headers[SIGNATURE_HEADER] = sign(payload, secret)
  return { payload, headers }
}
