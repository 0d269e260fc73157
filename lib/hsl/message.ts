import { Type, type Static } from '@sinclair/typebox'
import { HslButtonSchema, type HslButton } from './button.js'
import { HslCarouselSchema, type HslCarousel } from './carousel.js'
import { HslFormSchema, type HslForm } from './form.js'
import { HslNativeActionSchema, type HslNativeAction } from './native-action.js'
import { HslSilentSchema, type HslSilent } from './silent.js'
import { HslSystemSchema, type HslSystem } from './system.js'
import { HslTextSchema, type HslText } from './text.js'
import { nonEmptyText } from './common.js'

/** The HSL types this module builds and checks, each with its own schema. */
export const HSL_TYPES = ['TEXT', 'BUTTON', 'CAROUSEL', 'FORM', 'SYSTEM', 'SILENT', 'NATIVE_ACTION'] as const
export type HslType = typeof HSL_TYPES[number]

/**
 * Any other HSL message (RECEIPT, TAB_LIST, … which the docs mention and no
 * builder makes), passed through as given. A message of one of the types
 * above must match that type's schema instead.
 */
export const HslOtherSchema = Type.Object({
  text: Type.String(),
  type: Type.Intersect([Type.String(), Type.Not(Type.Union(HSL_TYPES.map(type => Type.Literal(type))))], {
    description: 'A type other than ' + HSL_TYPES.join(', ')
  }),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { title: 'HslOther' })
export type HslOther = Static<typeof HslOtherSchema> & { [key: string]: unknown }

/** Every HSL message a step can send. */
export const HslMessageSchema = Type.Union([
  HslTextSchema, HslButtonSchema, HslCarouselSchema, HslFormSchema, HslSystemSchema, HslSilentSchema, HslNativeActionSchema, HslOtherSchema
], { title: 'HslMessage' })

/**
 * A rich message in Haptik Standard Language: `type` picks the widget and
 * `data` holds its content; `text` is what notifications show (a FORM has a
 * `title` instead).
 */
export type HslMessage = HslText | HslButton | HslCarousel | HslForm | HslSystem | HslSilent | HslNativeAction | HslOther

/** Each HSL type with a schema, and its message type. */
export interface HslMessageTypes {
  TEXT: HslText
  BUTTON: HslButton
  CAROUSEL: HslCarousel
  FORM: HslForm
  SYSTEM: HslSystem
  SILENT: HslSilent
  NATIVE_ACTION: HslNativeAction
}

/**
 * Whether a message is an HSL message of a type, typed as that type (the
 * union cannot be narrowed by `type` alone, as other types pass through).
 *
 * @example
 * ```ts
 * const form = messages.find(message => isHslType(message, 'FORM'))
 * form?.data.fields[0].key
 * ```
 */
export function isHslType<T extends HslType> (message: Message, type: T): message is HslMessageTypes[T] {
  return typeof message === 'object' && message.type === type
}

/** One message of a reply: plain text, or a rich (HSL) message. */
export type Message = string | HslMessage

/** HSL types no builder makes: pass them through with `hsl.message`. */
export type OtherHslType = 'RECEIPT' | 'TAB_LIST' | (string & {})

/** Any other documented HSL message (RECEIPT, TAB_LIST, …), passed through as given. */
export function message<T extends OtherHslType> (hslMessage: { type: T, text: string, data?: Record<string, unknown> }) {
  nonEmptyText(hslMessage?.type, 'hsl.message', 'the type')
  return hslMessage
}

/**
 * A message of a reply's `response` as the handler made it: rich messages
 * travel as JSON text, so text that is a JSON object with a string `type` is
 * that HSL message; anything else is the plain text it is.
 *
 * @example
 * ```ts
 * const message = messageFromWire(reply.response[0])
 * if (isHslType(message, 'BUTTON')) console.log(message.data.items.length)
 * ```
 */
export function messageFromWire (message: string): Message {
  if (!message.trimStart().startsWith('{')) return message
  try {
    const value: unknown = JSON.parse(message)
    // Text that starts with "{" and parses is a JSON object.
    return typeof (value as { type?: unknown }).type === 'string' ? value as HslMessage : message
  } catch {
    return message
  }
}

/** A message in a few words, for logs and error messages: its text, or a form's title. */
export function summaryOf (message: Message): string {
  if (typeof message === 'string') return message
  if ('text' in message && typeof message.text === 'string') return message.text
  return 'title' in message && typeof message.title === 'string' ? message.title : ''
}
