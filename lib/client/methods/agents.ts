import { invalid, integer, text } from '../validate.js'
import { camelKeys, isObject } from '../wire-case.js'
import { businessIdOf, method, userNameOf, type BusinessId, type Method, type Unchecked } from './method.js'

/** Moving the chat to a team of agents (docs/bot-builder/integrations/additional-apis.md:39-50). */
export interface SendChatToAgentInput {
  /** Haptik's user name ("provided by Haptik when invoking the Integration API"). */
  userName: string
  /** The team's name on the Teams page of the Agent Chat Tool. */
  teamName: string
  businessId?: BusinessId | undefined
  /** Seconds before the chat moves, 5 to 10; Haptik's default is 10. */
  countdown?: number | undefined
  /** `'v1'` (the default: the documented one) or `'v2'` (2023, with a `receiver`; its answer is not documented). */
  version?: 'v1' | 'v2' | undefined
  /** v2 only: who takes the chat; `'athena'` (Smart Agent Chat) by default. v2 is not in hellohaptik/docs_haptik, only on docs.haptik.ai (2023). */
  receiver?: 'athena' | (string & {}) | undefined
}

/** Haptik's answer, `{"success": true}` (additional-apis.md:54-61); anything else is an error. */
export interface HandedOver {
  success: true
  [key: string]: unknown
}

const handOverEndpoint = (version: string) => ({ call: 'sendChatToAgent', family: 'platform', method: 'POST', path: `/integration/external/${version}/send_chat_to_agent/`, idempotent: false } as const)
const V1 = handOverEndpoint('v1.0')
const V2 = handOverEndpoint('v2.0')

export const sendChatToAgent: Method<Unchecked<SendChatToAgentInput>, HandedOver> = {
  call: 'sendChatToAgent',
  endpoint: input => input.version === 'v2' ? V2 : V1,
  prepare: (input, defaults) => {
    const call = 'sendChatToAgent'
    const { version = 'v1', countdown, receiver } = input
    if (version !== 'v1' && version !== 'v2') throw invalid(call, 'version', "'v1' or 'v2'", version)
    if (receiver !== undefined && version === 'v1') throw invalid(call, 'receiver', "given with version 'v2' only", receiver, "it with version 'v1'")
    // The docs' order (additional-apis.md:39-44), with numbers where their table says number (:47-50).
    const json: Record<string, unknown> = {
      team_name: text(call, 'teamName', input.teamName),
      user_name: userNameOf(call, input, defaults),
      business_id: businessIdOf(call, input, defaults)
    }
    if (countdown !== undefined) json.countdown = integer(call, 'countdown', countdown, 5, 10)
    if (version === 'v2') json.receiver = text(call, 'receiver', receiver ?? 'athena')
    return { json, read: body => body.success === true ? camelKeys(body) as HandedOver : undefined }
  }
}

interface ChatHistoryCommon {
  /** The conversation's number (a step request's `conversation_no`). */
  conversationNo: number
  limit?: number | undefined
  /** `'json'` (the default): the messages; `'text'`: the transcript as one text. */
  responseType?: 'json' | 'text' | undefined
}

/** Which chat (additional-apis.md:259-296): Haptik's user name and business (group 1), or a TRACT `pxut` (group 2). */
export type ChatHistoryInput = ChatHistoryCommon & (
  | { userName: string, businessId?: BusinessId | undefined, pxut?: undefined }
  | { pxut: string, userName?: undefined, businessId?: undefined }
)

/** One message of a transcript (additional-apis.md:304-337). */
export interface ChatMessage {
  text: string
  /** `'user'`, `'bot'`, or the agent: `agent(<name>)` in v1's docs, the bare name in v2's. */
  sender: 'user' | 'bot' | (string & {})
  messageId: number
  /** As Haptik writes it: `06/22/20 07:24:25 AM UTC` (not ISO 8601). */
  timestamp: string
  /** `timestamp` read, when it has that form. */
  sentAt: Date | undefined
  isAgent: boolean
  [key: string]: unknown
}

export interface ChatHistory { messages: ChatMessage[] }
export interface ChatTranscript { text: string }

function transcriptTime (value: unknown): Date | undefined {
  const parts = typeof value === 'string' ? /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (AM|PM) UTC$/.exec(value) : null
  if (parts === null) return undefined
  const [month, day, year, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  return new Date(Date.UTC(2000 + year, month - 1, day, (hour % 12) + (parts[7] === 'PM' ? 12 : 0), minute, second))
}

function chatMessage (entry: Record<string, unknown>): ChatMessage {
  const { sender } = entry
  return { ...camelKeys(entry) as ChatMessage, sentAt: transcriptTime(entry.timestamp), isAgent: sender !== 'user' && sender !== 'bot' }
}

export const getChatHistory = method<Unchecked<ChatHistoryInput>, ChatHistory | ChatTranscript>({ call: 'getChatHistory', family: 'platform', method: 'GET', path: '/integration/external/v2.0/get_chat_history/', idempotent: true }, (input, defaults, call) => {
  const { pxut, limit, responseType } = input
  const conversationNo = integer(call, 'conversationNo', input.conversationNo, 0, Number.MAX_SAFE_INTEGER)
  // "If both groups' arguments are provided, first will be preferred" (:296): a pxut alone picks group 2.
  const query: Record<string, string> = pxut !== undefined && input.userName === undefined
    ? { pxut: text(call, 'pxut', pxut), conversation_no: String(conversationNo) }
    : { business_id: String(businessIdOf(call, input, defaults)), user_name: userNameOf(call, input, defaults), conversation_no: String(conversationNo) }
  if (limit !== undefined) query.limit = String(integer(call, 'limit', limit, 1, Number.MAX_SAFE_INTEGER))
  if (responseType !== undefined && responseType !== 'json' && responseType !== 'text') throw invalid(call, 'responseType', "'json' or 'text'", responseType)
  if (responseType !== undefined) query.response_type = responseType
  return {
    query,
    read: body => {
      if (responseType === 'text') return typeof body.chat_text === 'string' ? { text: body.chat_text } : undefined
      const entries: unknown = body.chat_json
      return Array.isArray(entries) && entries.every(isObject) ? { messages: entries.map(chatMessage) } : undefined
    }
  }
})
