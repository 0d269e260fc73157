import type { HaptikFamily } from './errors.js'
import { getChatHistory, sendChatToAgent, type ChatHistory, type ChatHistoryInput, type ChatTranscript, type HandedOver, type SendChatToAgentInput } from './methods/agents.js'
import { logFeedback, type LogFeedbackInput, type LoggedFeedback } from './methods/feedback.js'
import { logFile, logMessage, type LogFileInput, type LoggedFile, type LoggedMessage, type LogMessageInput } from './methods/messages.js'
import type { BusinessId, Defaults, Method, Unchecked } from './methods/method.js'
import { request, type HaptikRequest } from './methods/request.js'
import { createUser, updateUser, type HaptikUserInput, type HaptikUserRecord } from './methods/users.js'
import { enableWebhook, type EnableWebhookInput, type WebhookState } from './methods/webhook.js'
import { sendWhatsAppTemplate, type SendWhatsAppTemplateInput, type WhatsAppSent } from './methods/whatsapp.js'
import { Transport, type CallSettings, type HaptikFetch, type HaptikLogger, type Observer } from './transport.js'
import { businessId, integer, invalid, optionalSignal } from './validate.js'
import { isObject } from './wire-case.js'

/** Haptik's hosts, per family: given by Haptik per region and deployment (no defaults). A path in one is kept. */
export interface HaptikBaseUrls {
  /** The Bot API: users, messages, files, feedback, the webhook (e.g. `https://staging-messenger.haptikapi.com`). */
  messaging?: string | undefined
  /** Conversation Studio's APIs: hand-over, transcripts. */
  platform?: string | undefined
  /** WhatsApp notifications. */
  whatsapp?: string | undefined
}

export interface HaptikClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token: string
  /** Sent as the `client-id` header. */
  clientId: string
  /** One base URL for every family, or one per family. */
  baseUrl: string | HaptikBaseUrls
  /** The `business_id` of calls that do not give one. */
  businessId?: BusinessId | undefined
  /** Milliseconds each attempt may take. Default 10 000. */
  timeout?: number | undefined
  /** Retries of a call that is safe to repeat, or that failed before it was sent. Default 2. */
  maxRetries?: number | undefined
  /** Where the client logs, pino-style (e.g. `app.log`): method, family, path, status, attempt and duration, never a header or a body. */
  logger?: HaptikLogger | undefined
  /** The `fetch` to send with (e.g. one with an undici dispatcher). Default: Node's. */
  fetch?: HaptikFetch | undefined
}

/** Options of one call, last argument of every method. */
export interface HaptikCallOptions {
  /** Ends the call, at once, when it aborts: during a request or a backoff. */
  signal?: AbortSignal | undefined
  /** Milliseconds each attempt may take, instead of the client's. */
  timeout?: number | undefined
  maxRetries?: number | undefined
}

type Flat<T> = { [K in keyof T]: T[K] } & {}
/** `T`, with the fields `K` optional (none when `K` is never). */
export type Fill<T, K extends PropertyKey> = [K] extends [never]
  ? T
  : T extends unknown ? Flat<Omit<T, K> & { [P in K & keyof T]?: T[P] | undefined }> : never

/** What a binding may fill in. */
export type Fillable = 'authId' | 'userName'

/** The client's methods; the inputs may leave out the `Filled` fields, which a bound client's binding fills in. */
export interface HaptikClientMethods<Filled extends Fillable> {
  /** Registers a user of your channel: POST /v1.0/user/. Retried. */
  createUser: (input: Fill<HaptikUserInput, Filled & 'authId'>, options?: HaptikCallOptions) => Promise<HaptikUserRecord>
  /** Updates a user: PUT /v1.0/user/. Retried. */
  updateUser: (input: Fill<HaptikUserInput, Filled & 'authId'>, options?: HaptikCallOptions) => Promise<HaptikUserRecord>
  /** A user's message for the bot, which answers on the webhook: POST /v1.0/log_message_from_user/. Sent once (a repeat would give the bot the message twice). */
  logMessage: (input: Fill<LogMessageInput, Filled & 'authId'>, options?: HaptikCallOptions) => Promise<LoggedMessage>
  /** A user's file, multipart: POST /v1.0/log_file_from_user/. Sent once, as a message. */
  logFile: (input: Fill<LogFileInput, Filled & 'authId'>, options?: HaptikCallOptions) => Promise<LoggedFile>
  /** A user's feedback: POST /v1.0/log_feedback_from_user/. Retried; a duplicate answering a retry is success. */
  logFeedback: (input: Fill<LogFeedbackInput, Filled & 'authId'>, options?: HaptikCallOptions) => Promise<LoggedFeedback>
  /** Turns the webhook back on after Haptik disabled it (six failed deliveries, docs/webhooks/protocols.md:31-34): POST /v1.0/webhook/. Retried. */
  enableWebhook: (input?: EnableWebhookInput, options?: HaptikCallOptions) => Promise<WebhookState>
  /** Moves the chat to a team of agents: POST /integration/external/v1.0/send_chat_to_agent/ (v2.0 as an option). Sent once (a repeat may hand the chat over twice). */
  sendChatToAgent: (input: Fill<SendChatToAgentInput, Filled & 'userName'>, options?: HaptikCallOptions) => Promise<HandedOver>
  /** A chat's transcript: GET /integration/external/v2.0/get_chat_history/. Retried. */
  getChatHistory: {
    (input: Fill<ChatHistoryInput, Filled & 'userName'> & { responseType?: 'json' | undefined }, options?: HaptikCallOptions): Promise<ChatHistory>
    (input: Fill<ChatHistoryInput, Filled & 'userName'> & { responseType: 'text' }, options?: HaptikCallOptions): Promise<ChatTranscript>
  }
  /** A WhatsApp template message, the only way to reach a user after WhatsApp's 24-hour window: POST /whatsapp/notification/v2/ with `type: "template"`. Sent once (a repeat sends the user a second template, and templates are billed). */
  sendWhatsAppTemplate: (input: SendWhatsAppTemplateInput, options?: HaptikCallOptions) => Promise<WhatsAppSent>
  /** Any other endpoint, with the same headers, deadlines, errors and retry rules; the answer's JSON as it is. */
  request: <T = unknown>(request: HaptikRequest, options?: HaptikCallOptions) => Promise<T>
}

/** A client of Haptik's REST APIs, made by `createHaptikClient`. */
export interface HaptikClient extends HaptikClientMethods<never> {}

/** A client bound to a call: its signal, and its user and business, which the methods fill in where not given. */
export interface BoundHaptikClient extends HaptikClientMethods<Fillable> {}

interface ResolvedBinding extends Defaults {
  readonly signal: AbortSignal | undefined
  readonly observers: readonly Observer[]
}

interface Core {
  readonly transport: Transport
  readonly baseUrls: Readonly<HaptikBaseUrls>
  readonly businessId: BusinessId | undefined
  readonly timeout: number
  readonly maxRetries: number
}

const FAMILIES: readonly HaptikFamily[] = ['messaging', 'platform', 'whatsapp']
const MAX_TIMEOUT = 2_147_483_647

function joinSignals (first: AbortSignal | undefined, second: AbortSignal | undefined): AbortSignal | undefined {
  return first === undefined ? second : second === undefined ? first : AbortSignal.any([first, second])
}

export class Client implements BoundHaptikClient {
  readonly #core: Core
  readonly #binding: ResolvedBinding

  constructor (core: Core, binding: ResolvedBinding) {
    this.#core = core
    this.#binding = binding
  }

  static bind (client: unknown, binding: ResolvedBinding): Client {
    if (!(client instanceof Client)) throw invalid('bindClient', 'client', 'a client made by createHaptikClient', client)
    const previous = client.#binding
    return new Client(client.#core, {
      signal: joinSignals(previous.signal, binding.signal),
      authId: binding.authId ?? previous.authId,
      userName: binding.userName ?? previous.userName,
      businessId: binding.businessId ?? previous.businessId,
      observers: [...previous.observers, ...binding.observers]
    })
  }

  async createUser (input: Unchecked<HaptikUserInput>, options?: HaptikCallOptions): Promise<HaptikUserRecord> {
    return await this.#call(createUser, input, options)
  }

  async updateUser (input: Unchecked<HaptikUserInput>, options?: HaptikCallOptions): Promise<HaptikUserRecord> {
    return await this.#call(updateUser, input, options)
  }

  async logMessage (input: Unchecked<LogMessageInput>, options?: HaptikCallOptions): Promise<LoggedMessage> {
    return await this.#call(logMessage, input, options)
  }

  async logFile (input: Unchecked<LogFileInput>, options?: HaptikCallOptions): Promise<LoggedFile> {
    return await this.#call(logFile, input, options)
  }

  async logFeedback (input: Unchecked<LogFeedbackInput>, options?: HaptikCallOptions): Promise<LoggedFeedback> {
    return await this.#call(logFeedback, input, options)
  }

  async enableWebhook (input: EnableWebhookInput = {}, options?: HaptikCallOptions): Promise<WebhookState> {
    return await this.#call(enableWebhook, input, options)
  }

  async sendChatToAgent (input: Unchecked<SendChatToAgentInput>, options?: HaptikCallOptions): Promise<HandedOver> {
    return await this.#call(sendChatToAgent, input, options)
  }

  async getChatHistory (input: Unchecked<ChatHistoryInput>, options?: HaptikCallOptions): Promise<any> {
    return await this.#call(getChatHistory, input, options)
  }

  async sendWhatsAppTemplate (input: Unchecked<SendWhatsAppTemplateInput>, options?: HaptikCallOptions): Promise<WhatsAppSent> {
    return await this.#call(sendWhatsAppTemplate, input, options)
  }

  async request<T = unknown> (input: HaptikRequest, options?: HaptikCallOptions): Promise<T> {
    return await this.#call(request, input, options) as T
  }

  async #call<I, O> (method: Method<I, O>, input: I, options: HaptikCallOptions | undefined): Promise<O> {
    const core = this.#core
    const binding = this.#binding
    const { call } = method
    if (!isObject(input)) throw invalid(call, 'input', 'an object', input)
    if (options !== undefined && !isObject(options)) throw invalid(call, 'options', 'an object', options)
    const endpoint = typeof method.endpoint === 'function' ? method.endpoint(input) : method.endpoint
    const settings: CallSettings = {
      signal: joinSignals(binding.signal, optionalSignal(call, 'options.signal', options?.signal)),
      timeout: options?.timeout === undefined ? core.timeout : integer(call, 'options.timeout', options.timeout, 1, MAX_TIMEOUT),
      maxRetries: options?.maxRetries === undefined ? core.maxRetries : integer(call, 'options.maxRetries', options.maxRetries, 0, 10),
      observers: binding.observers
    }
    const defaults: Defaults = { authId: binding.authId, userName: binding.userName, businessId: binding.businessId ?? core.businessId }
    return await core.transport.call(endpoint, () => {
      if (core.baseUrls[endpoint.family] === undefined) {
        throw invalid(call, `baseUrl.${endpoint.family}`, `the base URL of Haptik's ${endpoint.family} host (createHaptikClient's baseUrl)`, undefined, 'none')
      }
      return method.prepare(input, defaults)
    }, settings)
  }

  /** The settings, and the names (never the values) of what the client is bound to: never the token or the client id. */
  #shown (): Record<string, unknown> {
    const { baseUrls, businessId, timeout, maxRetries } = this.#core
    const { observers, ...binding } = this.#binding
    const bound = Object.keys(binding).filter(key => binding[key as keyof typeof binding] !== undefined)
    if (observers.length > 0) bound.push('observe')
    return { baseUrl: baseUrls, businessId, timeout, maxRetries, ...(bound.length === 0 ? {} : { bound }) }
  }

  [Symbol.for('nodejs.util.inspect.custom')] (depth: number, options: unknown, inspect: (value: unknown, options: unknown) => string): string {
    return `HaptikClient ${inspect(this.#shown(), options)}`
  }

  toJSON (): Record<string, unknown> {
    return this.#shown()
  }
}

function baseUrlOf (family: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  const field = `baseUrl${family === '' ? '' : `.${family}`}`
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw invalid('createHaptikClient', field, 'an http(s) URL without credentials, query or fragment', value, 'something else')
  }
  return url.href.replace(/\/+$/, '')
}

// Printable ASCII only: fetch refuses other header values with a message that quotes them.
function credential (field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) throw invalid('createHaptikClient', field, 'a non-empty string of printable ASCII without spaces', undefined, 'something else')
  return value
}

/** Whether a value is a client made by `createHaptikClient` (for the plugin's `client` option). */
export function isHaptikClient (value: unknown): value is HaptikClient {
  return value instanceof Client
}

/** A client of Haptik's REST APIs: the Bot API (users, messages, files, feedback, the webhook), hand-over and transcripts, WhatsApp templates. */
export function createHaptikClient (options: HaptikClientOptions): HaptikClient {
  const call = 'createHaptikClient'
  if (!isObject(options)) throw invalid(call, 'options', 'an object', options)
  const { logger, fetch = globalThis.fetch } = options
  const single = typeof options.baseUrl === 'string'
  const given = single ? Object.fromEntries(FAMILIES.map(family => [family, options.baseUrl])) : options.baseUrl
  if (!isObject(given)) throw invalid(call, 'baseUrl', "a URL, or { messaging, platform, whatsapp }: Haptik's hosts have no default", given)
  const baseUrls = Object.fromEntries(FAMILIES.map(family => [family, baseUrlOf(single ? '' : family, given[family])]))
  if (FAMILIES.every(family => baseUrls[family] === undefined)) throw invalid(call, 'baseUrl', 'at least one of messaging, platform and whatsapp', given)
  if (logger !== undefined && (!isObject(logger) || !['trace', 'debug', 'info', 'warn'].every(level => typeof logger[level as keyof HaptikLogger] === 'function'))) {
    throw invalid(call, 'logger', 'a logger with trace, debug, info and warn (pino, or app.log)', logger)
  }
  if (typeof fetch !== 'function') throw invalid(call, 'fetch', 'a function', fetch)
  const transport = new Transport({ token: credential('token', options.token), clientId: credential('clientId', options.clientId), baseUrls: baseUrls as Record<HaptikFamily, string>, logger, fetch })
  const core: Core = {
    transport,
    baseUrls,
    businessId: options.businessId === undefined ? undefined : businessId(call, options.businessId),
    timeout: options.timeout === undefined ? 10_000 : integer(call, 'timeout', options.timeout, 1, MAX_TIMEOUT),
    maxRetries: options.maxRetries === undefined ? 2 : integer(call, 'maxRetries', options.maxRetries, 0, 10)
  }
  return new Client(core, { signal: undefined, observers: [] })
}
