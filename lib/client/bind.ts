import { Client, type BoundHaptikClient, type HaptikClient } from './client.js'
import type { BusinessId } from './methods/method.js'
import type { Observer } from './transport.js'
import { businessId, invalid, optionalSignal, optionalText } from './validate.js'
import { isObject } from './wire-case.js'

/** What a client is bound to: the call it runs in (a step's or a webhook handler's). */
interface HaptikBinding {
  signal?: AbortSignal | undefined
  authId?: string | undefined
  userName?: string | undefined
  businessId?: BusinessId | undefined
  /** Sees every API call, for spans and metrics, without the client knowing of OpenTelemetry. */
  observe?: Observer | undefined
}

/**
 * The client bound to a call (`context.haptik`): the binding fills in what a call leaves out, its signal ends every call.
 * Binding a bound client binds it further: both signals and both observers apply; the new user and business win.
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

/** The binding of a Haptik user as a request or an event carries it. */
export function userBinding (user: { readonly auth_id?: unknown, readonly user_name?: unknown } | undefined): Pick<HaptikBinding, 'authId' | 'userName'> {
  const text = (value: unknown) => typeof value === 'string' && value !== '' ? value : undefined
  return { authId: text(user?.auth_id), userName: text(user?.user_name) }
}
