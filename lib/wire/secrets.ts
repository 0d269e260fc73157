import type { FastifyRequest } from 'fastify'
import type { KeyObject } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'
import { toKeys, type Secret } from './signature.js'

/** The secret(s) for one request (e.g. per tenant); none: 401. `signal` aborts at `secretTimeout` or on close. */
export type SecretResolver = (request: FastifyRequest, lookup: { readonly signal: AbortSignal }) =>
  Secret | readonly Secret[] | undefined | Promise<Secret | readonly Secret[] | undefined>

/** A step secret: one, a list (any passes, for rotation), or a function of the request. */
export type SecretOption = Secret | readonly Secret[] | SecretResolver

/** How a step's requests are authenticated, worked out at registration. */
export type StepAuth =
  | { readonly kind: 'keys', readonly keys: readonly KeyObject[] }
  | { readonly kind: 'resolver', readonly resolve: SecretResolver }
  | { readonly kind: 'unsigned' }

export const UNSIGNED_AUTH: StepAuth = Object.freeze({ kind: 'unsigned' })

/** `where` prefixes the messages: `step "x": ` for a step's own secret, nothing for the plugin's. */
export function resolveAuth (secret: SecretOption, where: string): StepAuth {
  if (typeof secret === 'function') return { kind: 'resolver', resolve: secret }
  if (Array.isArray(secret) && secret.length === 0) throw new InvalidOptionError(`${where}the secret list is empty`)
  try {
    return { kind: 'keys', keys: toKeys(secret) }
  } catch (error) {
    throw new InvalidOptionError(where + (error as Error).message)
  }
}
