import type { HaptikFamily } from '../errors.js'
import { invalid } from '../validate.js'
import { isObject } from '../wire-case.js'
import type { Method } from './method.js'

/** A call the client has no method for (e.g. the synchronous message API, whose path the docs never give): nothing renamed. */
export interface HaptikRequest {
  family: HaptikFamily
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The path after the family's base URL, e.g. `/v1.0/user/`; the query goes in `query`. */
  path: string
  query?: Record<string, string | number | boolean | undefined> | undefined
  /** Sent as JSON; `form` as multipart/form-data instead. */
  body?: unknown
  form?: FormData | undefined
  /** Safe to send twice, so retried on a timeout, 408, 429 and 5xx. Default: true for GET and PUT, false otherwise. */
  idempotent?: boolean | undefined
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
const FAMILIES = new Set(['messaging', 'platform', 'whatsapp'])

export const request: Method<HaptikRequest, unknown> = {
  call: 'request',
  endpoint: ({ family, method, path, idempotent }) => {
    const call = 'request'
    if (!FAMILIES.has(family)) throw invalid(call, 'family', "'messaging', 'platform' or 'whatsapp'", family)
    if (!METHODS.has(method)) throw invalid(call, 'method', 'GET, POST, PUT, PATCH or DELETE', method)
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path)) throw invalid(call, 'path', "a path starting with '/', without a query or spaces (give the query as query)", path)
    if (idempotent !== undefined && typeof idempotent !== 'boolean') throw invalid(call, 'idempotent', 'true or false', idempotent)
    return { call, family, method, path, idempotent: idempotent ?? (method === 'GET' || method === 'PUT') }
  },
  prepare: ({ query, body, form }) => {
    if (query !== undefined && !isObject(query)) throw invalid('request', 'query', 'an object', query)
    if (form !== undefined && !(form instanceof FormData)) throw invalid('request', 'form', 'a FormData', form)
    if (form !== undefined && body !== undefined) throw invalid('request', 'body', 'left out when form is given', body)
    const entries = Object.entries(query ?? {}).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)])
    return { query: entries.length === 0 ? undefined : Object.fromEntries(entries), json: body, form, anyJson: true, read: answer => answer }
  }
}
