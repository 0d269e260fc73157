import type { FastifyRequest } from 'fastify'
import type { KeyObject } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'
import { toKeys, type Secret } from './signature.js'

/**
 * Picks the secret(s) for one request, e.g. per tenant. Nothing returned
 * means "no secret": 401. `signal` aborts when the lookup passes
 * `secretTimeout` or the server closes: pass it on to a vault's client.
 */
export type SecretResolver = (request: FastifyRequest, lookup: { readonly signal: AbortSignal }) =>
  Secret | readonly Secret[] | undefined | Promise<Secret | readonly Secret[] | undefined>

/**
 * A step secret: one value, a list (any listed secret passes, for rotation)
 * or a function of the request.
 */
export type SecretOption = Secret | readonly Secret[] | SecretResolver

/** How a step's requests are authenticated, worked out at registration. */
export type StepAuth =
  | { readonly kind: 'keys', readonly keys: readonly KeyObject[] }
  | { readonly kind: 'resolver', readonly resolve: SecretResolver }
  | { readonly kind: 'unsigned' }

/** The authentication of steps served unsigned (`allowUnsigned`). */
export const UNSIGNED_AUTH: StepAuth = Object.freeze({ kind: 'unsigned' })

/**
 * A configured secret as the request path uses it: keys made once, or the
 * function to call per request. `where` prefixes the messages: `step "x": `
 * for a step's own secret, nothing for the plugin's.
 */
export function resolveAuth (secret: SecretOption, where: string): StepAuth {
  if (typeof secret === 'function') return { kind: 'resolver', resolve: secret }
  if (Array.isArray(secret) && secret.length === 0) throw new InvalidOptionError(`${where}the secret list is empty`)
  try {
    return { kind: 'keys', keys: toKeys(secret) }
  } catch (error) {
    throw new InvalidOptionError(where + (error as Error).message)
  }
}
