// What each channel a Haptik bot serves can show, as Haptik's own docs
// (hellohaptik/docs_haptik) state it, with the file and line of each rule.
// Pure data and a checker over a reply's wire messages: no Fastify here.
//
// Where the docs and the wording one may expect differ:
// - "button text at most 20 characters on WhatsApp" is the rule of WhatsApp
//   *notification templates* (docs/whatsapp/sending-notifications.md:44-45,
//   70-71: at most 3 quick-reply buttons or 2 call-to-action buttons, 20
//   characters each), which a step reply never is. For replies in a bot, the
//   docs say WhatsApp renders only Raw Text/JSON and Image HSL
//   (docs/whatsapp/cs-wa.md:69-73): that is what is checked.
// - Google Business Messages: at most 4 buttons of at most 25 characters,
//   text buttons only (docs/gbm/on-cs.md:44-46). No quick-reply limit is given.
// - The Haptik SDKs (web, android, ios) have design tips, not limits
//   (docs/bot-builder/basic/chat-middle.md): they are guidelines, logged at
//   info level and never a failure.
// - No doc gives a carousel card count, a card title length or a buttons-per-
//   message count for Facebook: none is invented here.

import { BUTTON_COUNT_LIMITS, BUTTON_LABEL_LIMITS, QUICK_REPLY_LABEL_LIMITS, type Channel } from './channels.js'
import { messageFromWire } from './message.js'
import { isJsonObject, objectsIn, type JsonObject } from '../json-values.js'

/**
 * The channel of each `user.device_platform` code Haptik documents
 * (docs/bot-builder/integrations/integration-parameters.md:87-96). Google
 * Business Messages has no documented code.
 */
export const DEVICE_PLATFORMS: Readonly<Record<number, Channel>> = Object.freeze({
  2: 'android', 3: 'facebook', 4: 'jio', 5: 'web', 6: 'ios', 13: 'bot_api', 14: 'whatsapp', 15: 'jio_chat'
})

/** The channel of a request's `user.device_platform`, when Haptik documents the code. */
export function channelOf (devicePlatform: number | undefined): Channel | undefined {
  return devicePlatform === undefined ? undefined : DEVICE_PLATFORMS[devicePlatform]
}

/** What part of a reply a rule measures. */
export type ChannelElement =
  | 'text' | 'button label' | 'quick reply label' | 'buttons' | 'carousel cards' | 'button action' | 'message type'

/** One rule of a channel. */
export interface ChannelRule {
  readonly element: ChannelElement
  /** The largest size (characters or a count); none when any such element breaks the rule. */
  readonly max?: number
  /** `limit`: the channel breaks; `guideline`: a design tip of the docs. */
  readonly strength: 'limit' | 'guideline'
  /** What the docs allow, in a few words. */
  readonly allows: string
  /** The docs_haptik file and line that says so. */
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

const WHATSAPP: readonly ChannelRule[] = [
  { element: 'message type', strength: 'limit', allows: 'only text and images (Raw Text/JSON and Image HSL)', source: 'docs/whatsapp/cs-wa.md:69-73' }
]

// Design tips for Haptik's own SDKs, the channels that render every HSL type.
const SDK: readonly ChannelRule[] = [
  { element: 'quick reply label', max: 27, strength: 'guideline', allows: 'quick replies of up to 27 characters', source: 'docs/bot-builder/basic/chat-middle.md:67' },
  { element: 'button label', max: 21, strength: 'guideline', allows: 'button labels of at most 21 characters "for maximum visibility"', source: 'docs/bot-builder/basic/chat-middle.md:84' },
  { element: 'carousel cards', max: 5, strength: 'guideline', allows: '"4-5" carousel cards "at the most"', source: 'docs/bot-builder/basic/chat-middle.md:96' }
]

/** Every channel's rules, as Haptik's docs give them. */
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

/** A part of a message a rule measures: where it is and its size. */
interface Part {
  readonly path: string
  readonly size: number
}

/**
 * Characters as the limits count them: Unicode code points, spaces included,
 * not UTF-16 units (an emoji is one). No doc says how Haptik or the channels
 * count a skin tone, a flag or a Devanagari vowel sign: each of their code
 * points counts, so a label is never passed that a stricter count would refuse.
 */
export function characters (text: string): number {
  return Array.from(text).length
}

function labels (items: JsonObject[], path: string): Part[] {
  return items.map((item, index) => ({ path: `${path}[${index}].actionable_text`, size: characters(String(item.actionable_text ?? '')) }))
}

/** Whether a BUTTON item is a text button: it sends a message and opens nothing. */
function isTextButton (item: JsonObject): boolean {
  return item.type === 'TEXT_ONLY' && (item.uri === undefined || item.uri === '')
}

/** An image, as docs/hsl/image.md makes it: a one-card carousel without actions. */
function isImage (data: JsonObject): boolean {
  const items = objectsIn(data.items)
  return items.length === 1 && objectsIn(items[0].actionables).length === 0 && items[0].mini_actionable === undefined
}

/** What WhatsApp will not render of a message: nothing, or where it is. */
function unsupportedOnWhatsapp (type: unknown, data: JsonObject): Part[] {
  if (type === 'TEXT') return objectsIn(data.quick_replies).length === 0 ? [] : [{ path: 'data.quick_replies', size: 0 }]
  if (type === 'CAROUSEL' && isImage(data)) return []
  return [{ path: 'type', size: 0 }]
}

/** The parts of one message an element rule measures. */
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

/** A part of a reply that breaks a channel's rule. */
export interface ChannelFinding {
  readonly channel: Channel
  readonly rule: ChannelRule
  /** Index of the message in `response`. */
  readonly message: number
  /** The HSL type of the message, or `text` for plain text. */
  readonly type: string
  /** Where in the message, e.g. `data.items[0].actionable_text` (`''`: the plain text itself). */
  readonly element: string
  /** Its size: characters or a count (0 for an element the channel does not render). */
  readonly size: number
  /** A sentence for the log: what, where, how much, the limit and its source. */
  readonly description: string
}

function findingSentence (channel: Channel, rule: ChannelRule, index: number, type: string, part: Part): string {
  const where = `response[${index}]` + (part.path === '' ? '' : ` (${type}) ${part.path}`)
  const unit = rule.element === 'buttons' || rule.element === 'carousel cards' ? rule.element : 'characters'
  const what = rule.max === undefined ? 'is not rendered' : `has ${part.size} ${unit}`
  return `${where} ${what}: ${channel} takes ${rule.allows} (${rule.source})`
}

/** Every place a reply's messages break a rule of the given channels, in message order. */
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
