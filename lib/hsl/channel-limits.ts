// Each channel's rules as docs_haptik states them, file and line on each (see CONTRIBUTING's Architecture).
import { BUTTON_COUNT_LIMITS, BUTTON_LABEL_LIMITS, QUICK_REPLY_LABEL_LIMITS, type Channel } from './channels.js'
import { messageFromWire } from './message.js'
import { isJsonObject, objectsIn, type JsonObject } from '../json-values.js'

/** The channel of each documented `user.device_platform` (docs/bot-builder/integrations/integration-parameters.md:87-96; none for GBM). */
export const DEVICE_PLATFORMS: Readonly<Record<number, Channel>> = Object.freeze({
  2: 'android', 3: 'facebook', 4: 'jio', 5: 'web', 6: 'ios', 13: 'bot_api', 14: 'whatsapp', 15: 'jio_chat'
})

export function channelOf (devicePlatform: number | undefined): Channel | undefined {
  return devicePlatform === undefined ? undefined : DEVICE_PLATFORMS[devicePlatform]
}

export type ChannelElement =
  | 'text' | 'button label' | 'quick reply label' | 'buttons' | 'carousel cards' | 'button action' | 'message type'

/** One rule of a channel: no `max` when any such element breaks it; `source` is the docs_haptik file and line. */
export interface ChannelRule {
  readonly element: ChannelElement
  readonly max?: number
  /** `limit`: the channel breaks; `guideline`: a design tip of the docs. */
  readonly strength: 'limit' | 'guideline'
  readonly allows: string
  readonly source: string
}

const FACEBOOK: readonly ChannelRule[] = [
  { element: 'button label', max: BUTTON_LABEL_LIMITS.facebook, strength: 'limit', allows: 'button labels of at most 20 characters', source: 'docs/facebook/cs-fb.md:50' },
  { element: 'quick reply label', max: QUICK_REPLY_LABEL_LIMITS.facebook, strength: 'limit', allows: 'quick replies of at most 25 characters', source: 'docs/facebook/cs-fb.md:52' },
  // A design guide's example ("Facebook supports 500 characters in each answer"), not a documented rejection.
  { element: 'text', max: 500, strength: 'guideline', allows: 'answers of at most 500 characters', source: 'docs/bot-builder/basic/chat-middle.md:237' }
]

const GBM: readonly ChannelRule[] = [
  { element: 'buttons', max: BUTTON_COUNT_LIMITS.gbm, strength: 'limit', allows: 'at most 4 buttons', source: 'docs/gbm/on-cs.md:44' },
  { element: 'button label', max: BUTTON_LABEL_LIMITS.gbm, strength: 'limit', allows: 'button labels of at most 25 characters', source: 'docs/gbm/on-cs.md:45' },
  { element: 'button action', strength: 'limit', allows: 'only text buttons (shown as quick replies)', source: 'docs/gbm/on-cs.md:46-47' }
]

// WhatsApp's 20-character buttons are for notification templates (docs/whatsapp/sending-notifications.md:44-45, 70-71), not replies.
const WHATSAPP: readonly ChannelRule[] = [
  { element: 'message type', strength: 'limit', allows: 'only text and images (Raw Text/JSON and Image HSL)', source: 'docs/whatsapp/cs-wa.md:69-73' }
]

// Design tips for Haptik's own SDKs, the channels that render every HSL type.
const SDK: readonly ChannelRule[] = [
  { element: 'quick reply label', max: 27, strength: 'guideline', allows: 'quick replies of up to 27 characters', source: 'docs/bot-builder/basic/chat-middle.md:67' },
  { element: 'button label', max: 21, strength: 'guideline', allows: 'button labels of at most 21 characters "for maximum visibility"', source: 'docs/bot-builder/basic/chat-middle.md:84' },
  { element: 'carousel cards', max: 5, strength: 'guideline', allows: '"4-5" carousel cards "at the most"', source: 'docs/bot-builder/basic/chat-middle.md:96' }
]

export const CHANNEL_RULES: Readonly<Record<Channel, readonly ChannelRule[]>> = Object.freeze({
  web: SDK,
  android: SDK,
  ios: SDK,
  facebook: FACEBOOK,
  whatsapp: WHATSAPP,
  gbm: GBM,
  bot_api: [],
  jio: [],
  jio_chat: []
})

interface Part {
  readonly path: string
  readonly size: number
}

/** Code points, not UTF-16 units: no doc says how a flag or a vowel sign counts, so the stricter count is taken. */
export function characters (text: string): number {
  return Array.from(text).length
}

function labels (items: JsonObject[], path: string): Part[] {
  return items.map((item, index) => ({ path: `${path}[${index}].actionable_text`, size: characters(String(item.actionable_text ?? '')) }))
}

function isTextButton (item: JsonObject): boolean {
  return item.type === 'TEXT_ONLY' && (item.uri === undefined || item.uri === '')
}

/** An image, as docs/hsl/image.md makes it: a one-card carousel without actions. */
function isImage (data: JsonObject): boolean {
  const items = objectsIn(data.items)
  return items.length === 1 && objectsIn(items[0].actionables).length === 0 && items[0].mini_actionable === undefined
}

function unsupportedOnWhatsapp (type: unknown, data: JsonObject): Part[] {
  if (type === 'TEXT') return objectsIn(data.quick_replies).length === 0 ? [] : [{ path: 'data.quick_replies', size: 0 }]
  if (type === 'CAROUSEL' && isImage(data)) return []
  return [{ path: 'type', size: 0 }]
}

function partsOf (element: ChannelElement, message: string | JsonObject): Part[] {
  if (typeof message === 'string') return element === 'text' ? [{ path: '', size: characters(message) }] : []
  const data = isJsonObject(message.data) ? message.data : {}
  const items = objectsIn(data.items)
  switch (element) {
    case 'text': return typeof message.text === 'string' ? [{ path: 'text', size: characters(message.text) }] : []
    case 'quick reply label': return message.type === 'TEXT' ? labels(objectsIn(data.quick_replies), 'data.quick_replies') : []
    case 'button label': return message.type === 'BUTTON' ? labels(items, 'data.items') : []
    case 'buttons': return message.type === 'BUTTON' ? [{ path: 'data.items', size: items.length }] : []
    case 'carousel cards': return message.type === 'CAROUSEL' ? [{ path: 'data.items', size: items.length }] : []
    case 'button action':
      return message.type === 'BUTTON' ? items.flatMap((item, index) => isTextButton(item) ? [] : [{ path: `data.items[${index}]`, size: 0 }]) : []
    case 'message type': return unsupportedOnWhatsapp(message.type, data)
  }
}

/** A part of `response[message]` that breaks a rule: `element` is its path (`''` for plain text), `size` 0 if not rendered. */
export interface ChannelFinding {
  readonly channel: Channel
  readonly rule: ChannelRule
  readonly message: number
  readonly type: string
  readonly element: string
  readonly size: number
  readonly description: string
}

function findingSentence (channel: Channel, rule: ChannelRule, index: number, type: string, part: Part): string {
  const where = `response[${index}]` + (part.path === '' ? '' : ` (${type}) ${part.path}`)
  const unit = rule.element === 'buttons' || rule.element === 'carousel cards' ? rule.element : 'characters'
  const what = rule.max === undefined ? 'is not rendered' : `has ${part.size} ${unit}`
  return `${where} ${what}: ${channel} takes ${rule.allows} (${rule.source})`
}

export function channelFindings (channels: readonly Channel[], messages: readonly string[]): ChannelFinding[] {
  const findings: ChannelFinding[] = []
  messages.forEach((wire, index) => {
    const message = messageFromWire(wire) as string | JsonObject
    const type = typeof message === 'string' ? 'text' : message.type as string
    for (const channel of channels) {
      for (const rule of CHANNEL_RULES[channel]) {
        for (const part of partsOf(rule.element, message)) {
          if (rule.max !== undefined && part.size <= rule.max) continue
          findings.push({ channel, rule, message: index, type, element: part.path, size: part.size, description: findingSentence(channel, rule, index, type, part) })
        }
      }
    }
  })
  return findings
}
