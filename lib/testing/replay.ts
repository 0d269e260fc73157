import type { FastifyInstance } from 'fastify'
import type { AnyStep } from '../index.js'
import { callStep, type CallStepOptions, type StepCall } from './call-step.js'
import { DEFAULT_USER } from './request.js'

/** What pino writes in place of a redacted value (its default `censor`). */
export const REDACTED = '[Redacted]'

/** How to call the app: `step` when its path is not `/<name>`; `entities` for redacted `entity_value`s, by name. */
export interface ReplayOptions extends Omit<CallStepOptions, 'body' | 'overrides'> {
  step?: AnyStep | undefined
  entities?: Record<string, unknown> | undefined
}

type Body = Record<string, unknown>

const isRedacted = (value: unknown) => value === REDACTED

function restored (captured: Body, entities: Record<string, unknown>): Body {
  const body: Body = structuredClone(captured)
  const user = body.user as Record<string, unknown> | undefined
  if (user !== undefined) {
    for (const [field, value] of Object.entries(user)) {
      if (isRedacted(value)) user[field] = (DEFAULT_USER as Record<string, unknown>)[field] ?? ''
    }
  }
  for (const field of ['conversation_details', 'user_details', 'env_variables']) {
    if (isRedacted(body[field])) body[field] = {}
  }
  for (const [name, detections] of Object.entries((body.entities ?? {}) as Record<string, Body[]>)) {
    for (const detection of detections) {
      if (isRedacted(detection.entity_value)) {
        if (!Object.hasOwn(entities, name)) {
          throw new TypeError(`replay: the captured entity "${name}" was redacted: give its value as entities.${name}`)
        }
        detection.entity_value = entities[name]
      }
      if (isRedacted(detection.original_text)) detection.original_text = typeof detection.entity_value === 'string' ? detection.entity_value : ''
    }
  }
  return body
}

/**
 * Replays a request captured in production (the body, or a log line with it as `haptikRequest`), with what
 * `HAPTIK_REDACT_PATHS` blanked filled in, signed afresh and sent to the step it names.
 *
 * @example
 * ```ts
 * const line = { haptikRequest: { step: 'product_price', user: { auth_code: '[Redacted]' }, entities: { product_name: [{ entity_value: '[Redacted]' }] } } }
 * const call = await replay(app, line, { secret: 'test', prefix: '/haptik', entities: { product_name: 'speaker' } })
 * ```
 */
export async function replay (app: FastifyInstance, captured: unknown, options: ReplayOptions): Promise<StepCall> {
  const { step, entities = {}, ...call } = options
  const logged = captured as { haptikRequest?: unknown } | null
  const request = (typeof logged === 'object' && logged !== null && 'haptikRequest' in logged ? logged.haptikRequest : captured) as Body | null
  if (typeof request !== 'object' || request === null) throw new TypeError('replay: expected a captured Haptik request (an object), or a log line with it under haptikRequest')
  const name = step?.name ?? request.step ?? request.node
  if (typeof name !== 'string') throw new TypeError('replay: the captured request names no step ("step" or "node"): pass `step`')
  return await callStep(app, step ?? name, {}, { ...call, body: restored(request, entities) })
}
