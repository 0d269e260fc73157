import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { AnyStep, HaptikEnvelope, HaptikReply, Secret } from '../index.js'
import type { Message } from '../hsl/index.js'
import { parseMessages } from './messages.js'
import { buildRequest, type EntityValues, type RequestOverrides } from './request.js'
import { signedRequest } from './sign.js'

/** How `callStep` signs and addresses the call. */
export interface CallStepOptions {
  /** The secret the app was registered with. Required unless `unsigned`. */
  secret?: Secret | undefined
  /** Send no `X-Hub-Signature` (for steps served with `allowUnsigned`). */
  unsigned?: boolean | undefined
  /** The `prefix` fastify-haptik was registered with, e.g. `/haptik`. Default none. */
  prefix?: string | undefined
  /** The full route URL, instead of `prefix` and the step's path. */
  url?: string | undefined
  /** Fields of the built request to change (see `haptikRequest`). */
  overrides?: RequestOverrides | undefined
  /** Send this body instead of the built request: an object (as JSON) or exact bytes. */
  body?: unknown | undefined
  /** Extra or replacement request headers. */
  headers?: Record<string, string> | undefined
}

/** A fastify-haptik error body: `{ statusCode, code, error, message }`. */
export interface HaptikErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
}

/** What one call of a step answered. */
export interface StepCall {
  /** The HTTP status; Haptik shows a bot break for anything but 200. */
  statusCode: number
  /** The Haptik reply, when the answer is a 200 `{ status, response }`. */
  reply: HaptikReply | undefined
  /** The reply's messages, read: plain text as strings, HSL as objects (see `parseMessage`). */
  messages: Message[] | undefined
  /**
   * The reply has no messages: Haptik hands the chat to an agent when Human
   * Assistance is on, and shows its bot-break message when it is off (what
   * `handoff()` and `onFailure: 'handoff'` answer).
   */
  handsOver: boolean
  /** The error, when the plugin refused the call (`{ code, message, ... }`). */
  error: HaptikErrorBody | undefined
  /** The body sent (the built request, unless `body` was given). */
  request: unknown
  /** Fastify's inject response, for headers and the raw body. */
  response: LightMyRequestResponse
}

/** A response body as JSON, or undefined when it is not JSON. */
export function parseBody (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isReply (body: unknown): body is HaptikReply {
  const { status, response } = (body ?? {}) as Partial<HaptikReply>
  return typeof status === 'boolean' && Array.isArray(response)
}

/** Whether a response body is one of the plugin's coded errors. */
export function isError (body: unknown): body is HaptikErrorBody {
  return typeof (body as Partial<HaptikErrorBody> | undefined)?.code === 'string'
}

/**
 * Calls one step on a Fastify app through `inject`, signed as Haptik signs,
 * with a request built from plain entity values, and returns the parsed reply
 * with its HTTP status. Given the step itself, an entity it does not declare
 * (a misspelt name) rejects with a TypeError that names it, the declared one
 * it most likely meant and the required ones not given: the server would
 * ignore it and answer for the missing one.
 *
 * @example
 * ```ts
 * const { statusCode, reply } = await callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'test', prefix: '/haptik' })
 * ```
 */
export async function callStep<S extends AnyStep | string> (app: FastifyInstance, step: S, entities: EntityValues<S>, options: CallStepOptions): Promise<StepCall> {
  const { secret, unsigned = false, prefix = '', overrides, headers = {} } = options ?? {}
  if (secret === undefined && !unsigned) {
    throw new TypeError('callStep: pass `secret` (the secret the app was registered with) or `unsigned: true`')
  }
  const name = typeof step === 'string' ? step : step.name
  const url = options.url ?? prefix + (typeof step === 'string' ? `/${step}` : step.path)
  const request: HaptikEnvelope | unknown = 'body' in options ? options.body : buildRequest(step, entities as Record<string, unknown>, overrides)
  await app.ready()
  if (!app.hasRoute({ method: 'POST', url })) {
    throw new Error(`callStep: the app has no POST route at ${url} for step "${name}": pass \`prefix\` (the prefix fastify-haptik was registered with) or \`url\``)
  }
  const signed = signedRequest(request, unsigned ? undefined : secret)
  const response = await app.inject({ method: 'POST', url, payload: signed.payload, headers: { ...signed.headers, ...headers } })
  const body = parseBody(response.body)
  const reply = response.statusCode === 200 && isReply(body) ? body : undefined
  return {
    statusCode: response.statusCode,
    reply,
    messages: reply === undefined ? undefined : parseMessages(reply.response),
    handsOver: reply !== undefined && reply.response.length === 0,
    error: isError(body) ? body : undefined,
    request,
    response
  }
}
