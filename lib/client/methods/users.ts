import type { Endpoint } from '../transport.js'
import { flatObject, optionalText } from '../validate.js'
import { camelKeys, wireFields } from '../wire-case.js'
import { authIdOf, method, type Method, type Unchecked } from './method.js'

/** A user of your channel, as Haptik registers it. */
export interface HaptikUserInput {
  /** Your own identifier of the user ("alphanumeric User identifier from your System"). */
  authId: string
  mobileNo?: string | undefined
  email?: string | undefined
  name?: string | undefined
  /** ISO 639-1, e.g. `'en'`, `'hi'`. */
  languageCode?: string | undefined
  /** A flat object: strings, numbers, booleans or null, no nested object (sent with your keys as they are). */
  customData?: Record<string, string | number | boolean | null> | undefined
}

/** The user as Haptik answers it (create-haptik-user.md:97-105); keys the docs do not name are kept, in camelCase. */
export interface HaptikUserRecord {
  authId: string
  mobileNo?: string
  email?: string
  name?: string
  [key: string]: unknown
}

const FIELDS = ['authId', 'mobileNo', 'email', 'name', 'languageCode', 'customData'] as const

function userMethod (endpoint: Endpoint): Method<Unchecked<HaptikUserInput>, HaptikUserRecord> {
  return method(endpoint, (input, defaults, call) => {
    const user = { ...input, authId: authIdOf(call, input, defaults) }
    for (const field of ['mobileNo', 'email', 'name', 'languageCode'] as const) optionalText(call, field, user[field])
    flatObject(call, 'customData', user.customData)
    return { json: wireFields(user, FIELDS), read: body => camelKeys(body) as HaptikUserRecord }
  })
}

// POST registers, PUT updates (docs/webhooks/create-haptik-user.md:19), keyed by auth_id: a repeat does no harm, so retried.
export const createUser = userMethod({ call: 'createUser', family: 'messaging', method: 'POST', path: '/v1.0/user/', idempotent: true })
export const updateUser = userMethod({ call: 'updateUser', family: 'messaging', method: 'PUT', path: '/v1.0/user/', idempotent: true })
