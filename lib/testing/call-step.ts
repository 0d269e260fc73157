import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { AnyStep, HaptikEnvelope, HaptikReply, Secret } from '../index.js'
import type { Message } from '../hsl/index.js'
import { parseMessages } from './messages.js'
import { buildRequest, type EntityValues, type RequestOverrides } from './request.js'
import { signedRequest } from './sign.js'

/** How `callStep` signs and addresses the call: `secret` unless `unsigned`; `url` instead of `prefix` and the step's path. */
export interface CallStepOptions {
  secret?: Secret | undefined
  unsigned?: boolean | undefined
  prefix?: string | undefined
  url?: string | undefined
  overrides?: RequestOverrides | undefined
  /** Send this body instead of the built request: an object (as JSON) or exact bytes. */
  body?: unknown | undefined
  headers?: Record<string, string> | undefined
}

export interface HaptikErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
}

/** What one call of a step answered: `reply` on a 200 `{ status, response }`, `error` when the plugin refused it. */
export interface StepCall {
  statusCode: number
  reply: HaptikReply | undefined
  /** The reply's messages: plain text as strings, HSL as objects (see `parseMessage`). */
  messages: Message[] | undefined
  /** The reply has no messages (what `handoff()` answers): Haptik hands over with Human Assistance on. */
  handsOver: boolean
  error: HaptikErrorBody | undefined
  request: unknown
  response: LightMyRequestResponse
}

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

export function isError (body: unknown): body is HaptikErrorBody {
  return typeof (body as Partial<HaptikErrorBody> | undefined)?.code === 'string'
}

/** Calls a step through `inject`, signed, with a request from plain entity values (an undeclared one: a TypeError). */
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
