import type { Endpoint, Operation } from '../transport.js'
import { businessId, text } from '../validate.js'

/** What fills in an input's user and business when the call does not: the binding's, then the client's `businessId`. */
export interface Defaults {
  readonly authId?: string | undefined
  readonly userName?: string | undefined
  readonly businessId?: number | string | undefined
}

/** An input as it may come (from JavaScript, past a cast): every field possibly missing, each checked before use. */
export type Unchecked<T> = T extends unknown ? { [K in keyof T]?: T[K] | undefined } : never

export interface Method<I, O> {
  readonly call: string
  readonly endpoint: Endpoint | ((input: I) => Endpoint)
  /** Validates the input (throwing HaptikValidationError) and says what to send. */
  readonly prepare: (input: I, defaults: Defaults) => Operation<O>
}

/** A business id: a number or digits. Haptik's docs write it both ways (haptik-rest-api.md §4.1). */
export type BusinessId = number | string

export function method<I, O> (endpoint: Endpoint, prepare: (input: I, defaults: Defaults, call: string) => Operation<O>): Method<I, O> {
  return { call: endpoint.call, endpoint, prepare: (input, defaults) => prepare(input, defaults, endpoint.call) }
}

export function authIdOf (call: string, input: { authId?: string | undefined }, defaults: Defaults): string {
  return text(call, 'authId', input.authId ?? defaults.authId)
}

export function userNameOf (call: string, input: { userName?: string | undefined }, defaults: Defaults): string {
  return text(call, 'userName', input.userName ?? defaults.userName)
}

export function businessIdOf (call: string, input: { businessId?: BusinessId | undefined }, defaults: Defaults): number {
  return businessId(call, input.businessId ?? defaults.businessId)
}
