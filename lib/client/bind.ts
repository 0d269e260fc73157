import { Client, type BoundHaptikClient, type HaptikClient } from './client.js'
import type { BusinessId } from './methods/method.js'
import type { Observer } from './transport.js'
import { businessId, invalid, optionalSignal, optionalText } from './validate.js'
import { isObject } from './wire-case.js'

/** What a client is bound to: the call it runs in. */
export interface HaptikBinding {
  /** Joins every call's own signal: the calls end when it aborts (a step's deadline). */
  signal?: AbortSignal | undefined
  /** Fills in `authId` (users, messages, files, feedback) where a call does not give it: the request's `user.auth_id`. */
  authId?: string | undefined
  /** Fills in `userName` (hand-over, transcripts) where a call does not give it: the request's `user.user_name`. */
  userName?: string | undefined
  /** Fills in `businessId` before the client's own option: a webhook event's `business_id`. */
  businessId?: BusinessId | undefined
  /**
   * Called as each API call starts (`method` is the client method, e.g.
   * `'sendChatToAgent'`); what it returns is called as the call ends, with
   * the last status, the error and the number of requests sent. For spans
   * and metrics, without the client knowing of OpenTelemetry. An observer
   * that throws is logged (warn), never the call's failure.
   */
  observe?: Observer | undefined
}

/**
 * The client bound to one call it runs in: the same methods, where the
 * binding's user and business fill in what a call leaves out, its signal
 * ends every call, and its observer sees every call. Binding a bound client
 * binds it further (both signals apply, both observers see each call; the new
 * user and business replace the old). Internal: the plugin's
 * `context.haptik` (a step) and a webhook handler's `haptik` are made with it;
 * `fastify-haptik/client` does not export it.
 *
 * @example
 * ```ts
 * const haptik = bindClient(client, { signal: context.signal, userName: user.user_name, authId: user.auth_id })
 * await haptik.sendChatToAgent({ teamName: 'billing' })
 * ```
 */
export function bindClient (client: HaptikClient | BoundHaptikClient, binding: HaptikBinding): BoundHaptikClient {
  const call = 'bindClient'
  if (!isObject(binding)) throw invalid(call, 'binding', 'an object', binding)
  const { observe } = binding
  if (observe !== undefined && typeof observe !== 'function') throw invalid(call, 'observe', 'a function', observe)
  return Client.bind(client, {
    signal: optionalSignal(call, 'signal', binding.signal),
    authId: optionalText(call, 'authId', binding.authId),
    userName: optionalText(call, 'userName', binding.userName),
    businessId: binding.businessId === undefined ? undefined : businessId(call, binding.businessId),
    observers: observe === undefined ? [] : [observe as Observer]
  })
}

/** The binding of a Haptik user as a request or an event carries it: `auth_id` and `user_name`, where they are text. */
export function userBinding (user: { readonly auth_id?: unknown, readonly user_name?: unknown } | undefined): Pick<HaptikBinding, 'authId' | 'userName'> {
  const text = (value: unknown) => typeof value === 'string' && value !== '' ? value : undefined
  return { authId: text(user?.auth_id), userName: text(user?.user_name) }
}
