import type { HaptikReply } from '../index.js'
import { messageFromWire } from '../hsl/index.js'

type JsonObject = Record<string, unknown>

// A Haptik reply as the user would see it in the chat window.

const INDENT = '     '

function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function list (value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

function text (value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** A button or quick reply: `[label]`, with where it leads when it is a link or a call. */
function actionable (action: JsonObject): string {
  const payload = isObject(action.payload) ? action.payload : {}
  const target = text(payload.url) || text(payload.link) || text(payload.phone_number)
  return `[${text(action.actionable_text)}${target === '' ? '' : ` -> ${target}`}]`
}

function card (item: JsonObject, index: number): string[] {
  const title = [text(item.title), text(item.sub_title)].filter(part => part !== '').join(' - ')
  const lines = [`${index + 1}. ${title === '' ? '(no title)' : title}`]
  if (text(item.description) !== '') lines.push(`   ${text(item.description)}`)
  const image = isObject(item.thumbnail) ? text(item.thumbnail.image) : ''
  if (image !== '') lines.push(`   image: ${image}`)
  const actions = list(item.actionables).map(actionable)
  if (isObject(item.mini_actionable)) actions.push(`(mini) ${actionable(item.mini_actionable)}`)
  if (actions.length > 0) lines.push(`   ${actions.join(' ')}`)
  return lines
}

/** A form field: its key and hint, its kind, and what a picker offers. */
function field (item: JsonObject): string {
  const kind = [text(item.type) || 'text']
  if (text(item.keyboard_type) !== '' && item.keyboard_type !== 'normal') kind.push(`${text(item.keyboard_type)} keyboard`)
  const options = Array.isArray(item.options) ? item.options.map(String) : []
  const offered = options.length > 0 ? `: ${options.join(' | ')}` : ''
  const hint = text(item.hint) === '' ? '' : ` "${text(item.hint)}"`
  return `field ${text(item.key)}${hint} (${kind.join(', ')}${offered})`
}

/** What a FORM, SYSTEM, SILENT or NATIVE_ACTION message shows, or does. */
function special (hsl: JsonObject, data: JsonObject): string[] {
  switch (hsl.type) {
    case 'FORM': return [text(hsl.subtitle), ...list(data.fields).map(field)].filter(line => line !== '')
    case 'SYSTEM': return [`(system event: ${text(data.event_name) || 'none'})`]
    case 'SILENT': return [`(silent actions: ${list(data.silent_actions).map(action => text(action.type)).join(', ') || 'none'})`]
    case 'NATIVE_ACTION': return [`(native action: ${text(data.method) || 'none'})`]
    default: return [`(${hsl.type as string} message)`]
  }
}

const SHOWN = new Set(['TEXT', 'BUTTON', 'CAROUSEL'])

/** The lines one HSL message shows: its text, quick replies, buttons, cards or fields, and a differing voice text. */
function renderHsl (hsl: JsonObject): string[] {
  const data = isObject(hsl.data) ? hsl.data : {}
  const heading = hsl.type === 'FORM' ? text(hsl.title) || text(hsl.text) : text(hsl.text)
  const lines = heading === '' ? [] : [heading]
  const quickReplies = list(data.quick_replies).map(actionable)
  if (quickReplies.length > 0) lines.push(quickReplies.join(' '))
  const items = list(data.items)
  if (hsl.type === 'CAROUSEL') {
    items.forEach((item, index) => lines.push(...card(item, index)))
  } else {
    for (const item of items) lines.push(actionable(item))
  }
  if (!SHOWN.has(hsl.type as string)) lines.push(...special(hsl, data))
  const voice = text(hsl.voice_text)
  if (voice !== '' && voice !== heading) lines.push(`(voice: ${voice})`)
  return lines.length > 0 ? lines : [`(empty ${hsl.type as string} message)`]
}

/** One message of `response` as chat lines: `bot> ` and the text, continued under it. */
export function renderMessage (message: string): string {
  const read = messageFromWire(message)
  const lines = typeof read === 'string' ? message.split('\n') : renderHsl(read as JsonObject)
  return lines.map((line, index) => (index === 0 ? 'bot> ' : INDENT) + line).join('\n')
}

/** What a reply with status false and no messages does, as `handoff()` answers (see its docs). */
const HANDOFF_LINE = 'status false, no messages: a hand-over to a human agent (Haptik moves the chat to Pending for an agent when Human Assistance is on, and shows its bot-break message when it is off)'

function heading ({ status, response }: HaptikReply): string {
  if (!status && response.length === 0) return HANDOFF_LINE
  const count = `${response.length} message${response.length === 1 ? '' : 's'}`
  return status
    ? `status true (success path), ${count}:`
    : `status false (failure path: Haptik files these as the step's failure response), ${count}:`
}

/** A whole reply: the path Haptik files it under (or the hand-over), the messages, and the details it sets. */
export function renderReply (reply: HaptikReply): string {
  const lines = [heading(reply)]
  lines.push(...reply.response.map(renderMessage))
  if (reply.conversation_details !== undefined) lines.push(`conversation_details: ${JSON.stringify(reply.conversation_details)}`)
  if (reply.user_details !== undefined) lines.push(`user_details: ${JSON.stringify(reply.user_details)}`)
  return lines.join('\n') + '\n'
}
