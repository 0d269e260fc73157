import { randomInt, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DEFAULT_INVALID_ENTITY_MESSAGE, type HaptikReply } from '../index.js'
import { DEFAULT_USER, haptikRequest, signedRequest, type RequestOverrides } from '../testing/index.js'
import { entityValues, parseJson, type Pair } from './args.js'
import { checkEntities } from './check.js'
import { CommandFailure, EXIT_OK, UsageError } from './errors.js'
import type { Io } from './io.js'
import { renderReply } from './render.js'

/** The `send` command's flags, as parsed. */
export interface SendOptions {
  step?: string
  entity?: ReadonlyArray<readonly [string, unknown]>
  userDetails?: readonly Pair[]
  user?: readonly Pair[]
  language?: string
  /** The request's `conversation_no` (a webhook_conversation_complete event's `data.conversation_no`). */
  conversationNo?: number
  /** A module exporting the steps, to check the entities against the step's schema. */
  steps?: string
  failOnHandoff?: boolean
  body?: string
  header?: readonly Pair[]
  secret?: string
  unsigned?: boolean
  timeout: number
  json?: boolean
  /** Send a webhook event of this name, with this `message` text, instead of a step call. */
  event?: string
  message?: string
}

function secretOf (options: SendOptions, io: Io): string | undefined {
  if (options.unsigned === true) return undefined
  const secret = options.secret ?? io.env.HAPTIK_SECRET
  if (secret === undefined || secret === '') {
    throw new UsageError('no secret to sign with: pass --secret <secret> or set HAPTIK_SECRET (the step\'s secret in the bot builder), or pass --unsigned')
  }
  return secret
}

/** The `user` fields Haptik sends as numbers (the request schema's HaptikUser), with what they hold. */
const NUMERIC_USER_FIELDS: Readonly<Record<string, string>> = {
  device_platform: '2 Android, 3 Facebook, 5 Web SDK, 6 iOS, 13 Bot API, 14 WhatsApp, …'
}

/** The request's `user` fields from `--user key=value` and `--language`: numbers where Haptik sends them. */
function userOf ({ user = [], language }: SendOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [key, text] of user) {
    const meaning = Object.hasOwn(NUMERIC_USER_FIELDS, key) ? NUMERIC_USER_FIELDS[key] : undefined
    if (meaning === undefined) {
      fields[key] = text
      continue
    }
    const number = Number(text)
    if (text.trim() === '' || !Number.isFinite(number)) {
      throw new UsageError(`--user ${key}=${text}: Haptik sends ${key} as a number (${meaning}), e.g. ${key}=5`)
    }
    fields[key] = number
  }
  if (language !== undefined) fields.language_code = language
  return fields
}

interface Built {
  body: string | Buffer
  what: string
  call?: { step: string, entities: Record<string, unknown>, overrides: RequestOverrides }
}

/**
 * A webhook event as docs/webhooks/webhook-payload.md shows one, never a retry of the last: the plugin tells a retry by
 * `message.id`, else by the body without the timestamp, so each has a fresh id or `data.conversation_identifier`.
 */
function webhookEvent (event: string, options: SendOptions): Record<string, unknown> {
  const user = { user_id: DEFAULT_USER.user_id, auth_id: DEFAULT_USER.auth_id, device_platform: DEFAULT_USER.device_platform, ...userOf(options) }
  const common = { version: '1.0', timestamp: new Date().toISOString(), user, business_id: 1, event_name: event, agent: { id: 1, name: 'gogo', is_automated: true, email: null } }
  if (event === 'webhook_conversation_complete') {
    const data = { conversation_no: options.conversationNo ?? 1, conversation_identifier: randomUUID(), completion_type: 'gogo', conversation_details: {}, user_details: Object.fromEntries(options.userDetails ?? []) }
    return { ...common, data }
  }
  // Numeric, as Haptik's: the time in microseconds, and a random part for events sent within one.
  const id = Date.now() * 1000 + randomInt(1000)
  return { ...common, message: { id, body: { text: options.message ?? 'Hi', type: 'TEXT', data: { quick_replies: [] } } } }
}

async function bodyOf (url: URL, options: SendOptions, io: Io): Promise<Built> {
  if (options.body === undefined && options.event !== undefined) {
    return { body: JSON.stringify(webhookEvent(options.event, options)), what: `webhook event "${options.event}"` }
  }
  if (options.body !== undefined) {
    try {
      const bytes = await readFile(resolve(io.cwd, options.body))
      return { body: bytes, what: `body of ${options.body} (${bytes.length} bytes)` }
    } catch (error) {
      throw new UsageError(`--body: cannot read ${options.body} (${(error as NodeJS.ErrnoException).code})`)
    }
  }
  const step = options.step ?? url.pathname.split('/').findLast(segment => segment !== '')
  if (step === undefined) {
    throw new UsageError('--step is required: the URL has no path to take the step name from')
  }
  const entities = entityValues(options.entity ?? [])
  const overrides: RequestOverrides = { user: userOf(options), user_details: Object.fromEntries(options.userDetails ?? []) }
  if (options.conversationNo !== undefined) overrides.conversation_no = options.conversationNo
  const request = haptikRequest(step, entities, overrides)
  return { body: JSON.stringify(request), what: `step "${step}"`, call: { step, entities, overrides } }
}

async function entityCheck (options: SendOptions, call: Built['call'], io: Io): Promise<string> {
  if (options.steps === undefined || call === undefined) return ''
  const { undeclared, invalid } = await checkEntities(options.steps, call.step, call.entities, call.overrides, io)
  if (undeclared === undefined && invalid === undefined) return `entities checked against ${options.steps}: they match step "${call.step}"\n`
  const lines = [`entities checked against ${options.steps}:`]
  if (undeclared !== undefined) lines.push(`  ${undeclared}. The server ignores an entity the step does not declare.`)
  if (invalid !== undefined) {
    lines.push(`  ${invalid}. The step will not run: the server answers with its invalid-entity message on the failure path (or 400 with invalidEntities 'reject') and logs a warning, FST_HAPTIK_INVALID_ENTITY.`)
  }
  return lines.join('\n') + '\n'
}

interface Answer { status: number, statusText: string, text: string, ms: number }

async function post (url: URL, payload: string | Buffer, headers: Record<string, string>, timeout: number, late: string): Promise<Answer> {
  const started = performance.now()
  try {
    const response = await fetch(url, { method: 'POST', body: payload, headers, redirect: 'manual', signal: AbortSignal.timeout(timeout) })
    const text = await response.text()
    return { status: response.status, statusText: response.statusText, text, ms: Math.round(performance.now() - started) }
  } catch (error) {
    const { name, message, cause } = error as Error & { cause?: { code?: string } }
    if (name === 'TimeoutError') throw new CommandFailure(`${late}: no reply within ${timeout} ms`)
    throw new CommandFailure(`could not reach ${url.href}: ${cause?.code ?? message}`)
  }
}

/** Why Haptik would not accept a 200 body as a reply, or undefined when it would. */
function replyProblem (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object'
  const { status, response } = body as Partial<HaptikReply>
  if (typeof status !== 'boolean') return '"status" must be true or false'
  if (!Array.isArray(response)) return '"response" must be a list of messages'
  const bad = response.findIndex(message => typeof message !== 'string')
  if (bad >= 0) return `response[${bad}] must be a string (HSL messages go in as JSON strings)`
  return undefined
}

function httpProblem (status: number, body: unknown): string {
  const { code, message } = (body ?? {}) as { code?: unknown, message?: unknown }
  const detail = typeof code === 'string' ? ` (${code}: ${String(message)})` : ''
  const hint = status === 401 ? '\nCheck that --secret (or HAPTIK_SECRET) is the secret of this step in the bot builder and of the server.' : ''
  return `bot break: HTTP ${status}${detail}; Haptik shows the bot-break message for anything but 200${hint}`
}

/** `fastify-haptik send`: signs and POSTs a request as Haptik; a `CommandFailure` for anything that is a bot break. */
export async function send (url: URL, options: SendOptions, io: Io): Promise<number> {
  const secret = secretOf(options, io)
  const { body, what, call } = await bodyOf(url, options, io)
  const checked = await entityCheck(options, call, io)
  const signed = signedRequest(body, secret)
  const headers = { ...signed.headers, ...Object.fromEntries(options.header ?? []) }
  io.stdout(`POST ${url.href}: ${what}, ${secret === undefined ? 'unsigned' : 'signed'}\n`)
  io.stdout(checked)

  const answer = options.event === undefined
    ? await post(url, signed.payload, headers, options.timeout, 'bot break (Haptik gives up after 30 s and shows the bot-break message)')
    : await post(url, signed.payload, headers, Math.min(options.timeout, WEBHOOK_DEADLINE_MS), `not delivered (Haptik waits ${WEBHOOK_DEADLINE_MS} ms, then sends the event again)`)
  io.stdout(`${answer.status} ${answer.statusText} in ${answer.ms} ms\n`)
  if (options.event !== undefined) return webhookAnswer(answer, io)
  const json = parseJson(answer.text)
  if (answer.status !== 200) {
    if (answer.text !== '') io.stdout(answer.text.slice(0, 2000) + '\n')
    throw new CommandFailure(httpProblem(answer.status, json))
  }
  const problem = json === undefined ? 'the body is not JSON' : replyProblem(json)
  if (problem !== undefined) {
    io.stdout(answer.text.slice(0, 2000) + '\n')
    throw new CommandFailure(`bot break: malformed reply: ${problem}`)
  }
  const reply = json as HaptikReply
  io.stdout(options.json === true ? JSON.stringify(reply, null, 2) + '\n' : renderReply(reply))
  if (options.steps === undefined && isInvalidEntityReply(reply)) io.stdout(INVALID_ENTITY_NOTE)
  if (reply.response.length > 0) return EXIT_OK
  // A hand-over is status false with no messages (reply/handoff.ts); true with none is a bot break.
  if (reply.status) {
    throw new CommandFailure('bot break: the reply has status true and no messages (with Human Assistance on, Haptik hands the chat to an agent instead); to hand over on purpose, return handoff(), which answers status false')
  }
  if (options.failOnHandoff === true) {
    throw new CommandFailure('hand-over: the reply has no messages (--fail-on-handoff): Haptik hands the chat to an agent when Human Assistance is on, and shows its bot-break message when it is off')
  }
  return EXIT_OK
}

/** A webhook's answer as Haptik reads it: a 2xx within 5 s is delivered; anything else is sent again. */
function webhookAnswer (answer: Answer, io: Io): number {
  if (answer.text !== '') io.stdout(answer.text.slice(0, 2000) + '\n')
  if (answer.status < 200 || answer.status > 299) {
    throw new CommandFailure(`not delivered: HTTP ${answer.status}; Haptik sends the event again (6 times over 60 minutes), then disables the webhook`)
  }
  io.stdout('delivered: Haptik does not send it again\n')
  return EXIT_OK
}

/** How long Haptik waits for a webhook's answer (docs/webhooks/protocols.md:13). */
const WEBHOOK_DEADLINE_MS = 5000

function isInvalidEntityReply ({ status, response }: HaptikReply): boolean {
  return !status && response.length === 1 && response[0] === DEFAULT_INVALID_ENTITY_MESSAGE
}

const INVALID_ENTITY_NOTE = 'note: this is the plugin\'s default invalid-entity message: an entity did not match the step\'s schema, so the step did not run. ' +
  'The server logs which one (a warning with code FST_HAPTIK_INVALID_ENTITY); add --steps <module> to check the entities here.\n'
