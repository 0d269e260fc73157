import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

// The answers of docs_haptik's examples and error strings; a message of our own starts with "haptikApi:".

/** The endpoints the stand-in serves, by the client method that calls each. */
export type HaptikEndpoint =
  | 'createUser' | 'updateUser' | 'logMessage' | 'logFile' | 'logFeedback' | 'enableWebhook'
  | 'sendChatToAgent' | 'getChatHistory' | 'sendWhatsAppTemplate'

export interface HaptikApiFile {
  readonly name: string
  readonly type: string
  readonly size: number
  readonly bytes: Uint8Array
}

/** A request received: `body` parsed (JSON, multipart fields, text), `answer` the status or the failure told. */
export interface HaptikApiCall {
  readonly endpoint: HaptikEndpoint | undefined
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: IncomingHttpHeaders
  readonly body: unknown
  readonly answer: number | 'hang' | 'reset'
}

export interface Reply {
  readonly status: number
  readonly json?: unknown
  readonly text?: string | undefined
  readonly headers?: Record<string, string> | undefined
}

/** A registered user; `userName` is Haptik's `user_name` (what steps and webhook events carry). */
export interface HaptikApiUser {
  readonly authId: string
  readonly userName: string
  readonly userId: number
}

export interface StandInState {
  readonly users: Map<string, HaptikApiUser & { messages: number, feedbackAt?: number }>
  readonly token: string | undefined
  readonly clientId: string | undefined
  readonly teams: readonly string[] | undefined
  nextMessageId: number
}

const ROUTES: Record<string, HaptikEndpoint> = {
  'POST /v1.0/user/': 'createUser',
  'PUT /v1.0/user/': 'updateUser',
  'POST /v1.0/log_message_from_user/': 'logMessage',
  'POST /v1.0/log_file_from_user/': 'logFile',
  'POST /v1.0/log_feedback_from_user/': 'logFeedback',
  'POST /v1.0/webhook/': 'enableWebhook',
  'POST /integration/external/v1.0/send_chat_to_agent/': 'sendChatToAgent',
  'POST /integration/external/v2.0/send_chat_to_agent/': 'sendChatToAgent',
  'GET /integration/external/v2.0/get_chat_history/': 'getChatHistory',
  'POST /whatsapp/notification/v2/': 'sendWhatsAppTemplate'
}

export function route (method: string, path: string): HaptikEndpoint | undefined {
  return ROUTES[`${method} ${path}`]
}

const error = (status: number, message: string): Reply => ({ status, json: { error_message: message } })
const FEEDBACK_WINDOW = 3_600_000

// A user name like the docs' `ab112468917fgghdebc`.
export function newUser (authId: string, index: number): HaptikApiUser {
  return { authId, userName: createHash('sha1').update(authId).digest('hex').slice(0, 19), userId: 5_120_931 + index }
}

/** Authorization (api-security-rules.md:5-16): the /v1.0 pages' message, or the platform table's (additional-apis.md:73-81). */
function refused (endpoint: HaptikEndpoint, headers: IncomingHttpHeaders, state: StandInState): Reply | undefined {
  const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1]
  const clientId = headers['client-id']
  const platform = endpoint === 'sendChatToAgent' || endpoint === 'getChatHistory'
  const problem = authProblem(token, clientId, state)
  if (problem === undefined) return undefined
  return error(401, platform ? problem : 'invalid authorization details')
}

function authProblem (token: string | undefined, clientId: string | string[] | undefined, state: StandInState): string | undefined {
  if (token === undefined) return 'token missing in headers'
  if (state.token !== undefined && token !== state.token) return 'invalid token provided'
  if (clientId === undefined || clientId === '') return 'client_id missing in headers'
  if (state.clientId !== undefined && clientId !== state.clientId) return 'invalid client_id in headers'
  return undefined
}

type Fields = Record<string, unknown>

export function answer (endpoint: HaptikEndpoint, call: HaptikApiCall, state: StandInState): Reply {
  const denied = refused(endpoint, call.headers, state)
  if (denied !== undefined) return denied
  const body = (typeof call.body === 'object' && call.body !== null ? call.body : {}) as Fields
  return ANSWERS[endpoint](body, call, state)
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== ''
const needs = (field: string, source: string) => error(400, `haptikApi: ${field} is required (${source})`)

const ANSWERS: Record<HaptikEndpoint, (body: Fields, call: HaptikApiCall, state: StandInState) => Reply> = {
  // create-haptik-user.md:97-105: the user's fields, as registered.
  createUser: registerUser,
  updateUser: registerUser,
  // send-message-to-haptik.md:45-69.
  logMessage: (body, _, state) => {
    const authId = (body.user as Fields | undefined)?.auth_id
    const user = typeof authId === 'string' ? state.users.get(authId) : undefined
    if (user === undefined) return error(403, 'user is not registered')
    if (!isText(body.message_body) || typeof body.business_id !== 'number' || typeof body.message_type !== 'number') {
      return needs('message_body (a string), business_id and message_type (numbers)', 'send-message-to-haptik.md:38-41')
    }
    user.messages++
    return { status: 200, json: { message_id: state.nextMessageId++, message_body: body.message_body, created_at: new Date().toISOString(), message_type: body.message_type } }
  },
  // send-file-to-haptik.md:37-83.
  logFile: (body, _, state) => {
    const user = typeof body.auth_id === 'string' ? state.users.get(body.auth_id) : undefined
    if (user === undefined) return error(403, 'user is not registered')
    const file = body.file as HaptikApiFile | undefined
    if (typeof file?.name !== 'string' || !/^\d+$/.test(String(body.business_id)) || !['1', '52'].includes(String(body.message_type))) {
      return needs('a file, business_id and message_type (1 or 52)', 'send-file-to-haptik.md:37-45')
    }
    user.messages++
    const id = state.nextMessageId++
    const extension = file.name.split('.').pop() as string
    return {
      status: 200,
      json: { message_id: id, message_body: body.message_body ?? '', created_at: new Date().toISOString(), message_type: Number(body.message_type), file_url: `https://assets.haptikapi.com/content/${createHash('sha1').update(String(id)).digest('hex').slice(0, 20)}.${extension}` }
    }
  },
  // send-feedback-to-haptik.md:45-86: 201; once per user per hour; only in a conversation.
  logFeedback: feedback,
  // re-enable-webhook.md:32-47.
  enableWebhook: body => body.enabled === true ? { status: 200, json: { enabled: true } } : needs('enabled: true', 're-enable-webhook.md:37'),
  // additional-apis.md:47-89; the status of these errors is not documented.
  sendChatToAgent: (body, call, state) => {
    for (const field of ['user_name', 'business_id', 'team_name']) {
      if (body[field] === undefined || body[field] === '') return error(400, `${field} missing in the request`)
    }
    if (state.teams !== undefined && !state.teams.includes(String(body.team_name))) return error(400, 'invalid team_name provided')
    if (call.path.includes('/v2.0/') && !isText(body.receiver)) return needs('receiver', 'the v2.0 page')
    return { status: 200, json: { success: true } }
  },
  // additional-apis.md:259-347: group 1 or group 2, then the docs' transcript.
  getChatHistory: (_, call) => {
    const { business_id: business, user_name: userName, pxut, conversation_no: conversationNo, response_type: responseType } = call.query
    if (conversationNo === undefined || ((business === undefined || userName === undefined) && pxut === undefined)) {
      return error(400, 'Argument group validation: no valid group.')
    }
    if (business !== undefined && !/^\d+$/.test(business)) return error(400, 'Invalid business_id')
    if (responseType === 'text') return { status: 200, json: { chat_text: 'user: Search places to visit{task}\nbot: TEXT\n' } }
    return {
      status: 200,
      json: {
        chat_json: [
          { text: 'Search places to visit{task}', sender: 'user', message_id: 1742, timestamp: '06/22/20 07:24:25 AM UTC' },
          { text: 'TEXT', sender: 'bot', message_id: 1743, timestamp: '06/22/20 07:24:26 AM UTC' }
        ]
      }
    }
  },
  // sending-notifications.md:142-155: WhatsApp's answer, with a message id of its own.
  sendWhatsAppTemplate: (body, _, state) => {
    if (typeof body.business_id !== 'number' || !isText(body.to) || body.type !== 'template' || typeof body.template !== 'object') {
      return needs('business_id (a number), to, type "template" and template', 'sending-notifications.md:202-241')
    }
    return { status: 200, json: { meta: { api_status: 'stable', version: '2.25.1' }, messages: [{ id: `gBEGkZWCBgc2AgmGMsdscnOKLeyVg-${state.nextMessageId++}` }] } }
  }
}

function registerUser (body: Fields, call: HaptikApiCall, state: StandInState): Reply {
  if (!isText(body.auth_id)) return needs('auth_id', 'create-haptik-user.md:52-62')
  if (!state.users.has(body.auth_id)) state.users.set(body.auth_id, { ...newUser(body.auth_id, state.users.size), messages: 0 })
  const { auth_id: authId, mobile_no: mobileNo, email, name } = body
  return { status: 200, json: { auth_id: authId, mobile_no: mobileNo, email, name } }
}

function feedback (body: Fields, _call: HaptikApiCall, state: StandInState): Reply {
  const user = typeof body.auth_id === 'string' ? state.users.get(body.auth_id) : undefined
  if (user === undefined) return error(403, 'Invalid_User')
  if (user.messages === 0) return error(404, 'Failed to submit feedback, please make sure there is an active conversation with the agent')
  if (typeof body.query_resolved !== 'boolean' || typeof body.query_rating !== 'number' || typeof body.business_id !== 'number') {
    return needs('business_id, query_resolved and query_rating', 'send-feedback-to-haptik.md:37-41')
  }
  const now = Date.now()
  if (user.feedbackAt !== undefined && now - user.feedbackAt < FEEDBACK_WINDOW) return error(400, 'duplicate feedback')
  user.feedbackAt = now
  return { status: 201, json: { success: true } }
}
