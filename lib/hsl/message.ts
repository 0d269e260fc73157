import { Type, type Static } from '@sinclair/typebox'
import { HslButtonSchema, type HslButton } from './button.js'
import { HslCarouselSchema, type HslCarousel } from './carousel.js'
import { HslFormSchema, type HslForm } from './form.js'
import { HslNativeActionSchema, type HslNativeAction } from './native-action.js'
import { HslSilentSchema, type HslSilent } from './silent.js'
import { HslSystemSchema, type HslSystem } from './system.js'
import { HslTextSchema, type HslText } from './text.js'
import { nonEmptyText } from './common.js'

export const HSL_TYPES = ['TEXT', 'BUTTON', 'CAROUSEL', 'FORM', 'SYSTEM', 'SILENT', 'NATIVE_ACTION'] as const
export type HslType = typeof HSL_TYPES[number]

export const HslOtherSchema = Type.Object({
  text: Type.String(),
  type: Type.Intersect([Type.String(), Type.Not(Type.Union(HSL_TYPES.map(type => Type.Literal(type))))], {
    description: 'A type other than ' + HSL_TYPES.join(', ')
  }),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { title: 'HslOther' })
export type HslOther = Static<typeof HslOtherSchema> & { [key: string]: unknown }

export const HslMessageSchema = Type.Union([
  HslTextSchema, HslButtonSchema, HslCarouselSchema, HslFormSchema, HslSystemSchema, HslSilentSchema, HslNativeActionSchema, HslOtherSchema
], { title: 'HslMessage' })

/** A rich message in Haptik Standard Language: `type` picks the widget, `data` holds its content. */
export type HslMessage = HslText | HslButton | HslCarousel | HslForm | HslSystem | HslSilent | HslNativeAction | HslOther

export interface HslMessageTypes {
  TEXT: HslText
  BUTTON: HslButton
  CAROUSEL: HslCarousel
  FORM: HslForm
  SYSTEM: HslSystem
  SILENT: HslSilent
  NATIVE_ACTION: HslNativeAction
}

/** Whether a message is of an HSL type, narrowed to it (`type` alone cannot narrow: other types pass through). */
export function isHslType<T extends HslType> (message: Message, type: T): message is HslMessageTypes[T] {
  return typeof message === 'object' && message.type === type
}

/** One message of a reply: plain text, or a rich (HSL) message. */
export type Message = string | HslMessage

export type OtherHslType = 'RECEIPT' | 'TAB_LIST' | (string & {})

/** Any other documented HSL message (RECEIPT, TAB_LIST, …), passed through as given. */
export function message<T extends OtherHslType> (hslMessage: { type: T, text: string, data?: Record<string, unknown> }) {
  nonEmptyText(hslMessage?.type, 'hsl.message', 'the type')
  return hslMessage
}

/** A message of a reply's `response` as the handler made it: a JSON object with a string `type` is HSL, else text. */
export function messageFromWire (message: string): Message {
  if (!message.trimStart().startsWith('{')) return message
  try {
    const value: unknown = JSON.parse(message)
    return typeof (value as { type?: unknown }).type === 'string' ? value as HslMessage : message
  } catch {
    return message
  }
}

/** A message in a few words, for logs: its text, or a form's title. */
export function summaryOf (message: Message): string {
  if (typeof message === 'string') return message
  if ('text' in message && typeof message.text === 'string') return message.text
  return 'title' in message && typeof message.title === 'string' ? message.title : ''
}
