import { Type, type Static } from '@sinclair/typebox'

// Haptik Standard Language (HSL): the rich messages Haptik renders in its SDKs
// and converts for other channels. Each builder's output is described by a
// TypeBox schema below; the shapes follow Haptik's HSL docs (text, button,
// carousel, image, properties).

// ---- Messages in a reply -----------------------------------------------------

/**
 * A rich message in Haptik Standard Language: `text` is what notifications
 * show, `type` picks the widget and `data` holds its content.
 */
export interface HslMessage {
  type: string
  text: string
  data?: Record<string, unknown>
  [key: string]: unknown
}

/** One message of a reply: plain text, or a rich (HSL) message. */
export type Message = string | HslMessage

/**
 * A string the type system knows is not `''` (when it is a literal). An empty
 * one is refused with a type that says why, which the compiler's message quotes.
 */
export type NonEmpty<T extends string> = T extends '' ? 'a label or text that must not be empty' : T

// ---- Actionables ------------------------------------------------------------

/** What a tap on an actionable does, as Haptik's `uri`. */
export const UriSchema = Type.Union([
  Type.Literal(''), Type.Literal('LINK'), Type.Literal('CALL'), Type.Literal('CAROUSEL_DETAIL'),
  Type.Literal('CAROUSEL_DEFAULT'), Type.Literal('GALLERY_PICKER'), Type.Literal('SEND_LOCATION'),
  Type.Literal('SEND_MULTIPLE_LOCATIONS'), Type.Literal('SAVED_ADDRESSES'), Type.Literal('IMAGE_UPLOAD'),
  Type.Literal('DOCUMENT_PICKER'), Type.Literal('LAUNCH_CHANNEL'), Type.Literal('SELF_SERVE_WEB')
], { description: 'The screen interaction of a tap' })

/** A call to action: a button, a carousel action or a quick reply. */
export const ActionableSchema = Type.Object({
  actionable_text: Type.String({ minLength: 1, description: 'The text on the button' }),
  location_required: Type.Optional(Type.Boolean({ description: 'Deprecated; always false' })),
  is_default: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1: the action of a tap on the element itself' }),
  uri: Type.Optional(UriSchema),
  type: Type.String({ description: 'APP_ACTION, TEXT_ONLY, MESSAGE_BAR, …' }),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: 'What the action needs: url, message, gogo_message, …' }),
  emoji: Type.Optional(Type.String())
}, { title: 'HslActionable' })
export type Actionable = Static<typeof ActionableSchema>

/** A quick reply: a chip under a text message that sends a message when tapped. */
export const QuickReplySchema = Type.Object({
  actionable_text: Type.String({ minLength: 1 }),
  is_default: Type.Union([Type.Literal(0), Type.Literal(1)]),
  type: Type.Literal('TEXT_ONLY'),
  payload: Type.Object({
    message: Type.String({ description: 'Shown as the user\'s message' }),
    gogo_message: Type.String({ description: 'Sent to the bot instead; "" means the message' })
  })
}, { title: 'HslQuickReply' })
export type QuickReply = Static<typeof QuickReplySchema>

interface MessageOptions {
  /** Sent to the bot instead of the visible message (Haptik's `gogo_message`). Default: `''`, the message itself. */
  gogoMessage?: string
  /** The action of a tap on the whole element. Default: `false`. */
  isDefault?: boolean
}

function sendPayload (label: string, { message = label, gogoMessage = '' }: MessageOptions & { message?: string }) {
  return { message, gogo_message: gogoMessage }
}

/** A quick reply that sends `message` (default: the label) when tapped. */
function quickReply<L extends string> (label: NonEmpty<L>, options: MessageOptions & { message?: string } = {}): QuickReply {
  return { actionable_text: label, is_default: options.isDefault === true ? 1 : 0, type: 'TEXT_ONLY', payload: sendPayload(label, options) }
}

function actionable (label: string, uri: Static<typeof UriSchema>, type: string, payload: Record<string, unknown>, isDefault = false): Actionable {
  return { actionable_text: label, location_required: false, is_default: isDefault ? 1 : 0, uri, type, payload }
}

/** An action that opens a web page. */
function link<L extends string> (label: NonEmpty<L>, url: string, { isDefault }: Pick<MessageOptions, 'isDefault'> = {}): Actionable {
  return actionable(label, 'LINK', 'APP_ACTION', { url, gogo_message: '' }, isDefault)
}

/**
 * An action that calls a phone number. Haptik's docs say the number goes in
 * the payload without naming the key: it is sent as `phone_number` and as a
 * `tel:` `url`.
 */
function call<L extends string> (label: NonEmpty<L>, phoneNumber: string, { isDefault }: Pick<MessageOptions, 'isDefault'> = {}): Actionable {
  return actionable(label, 'CALL', 'APP_ACTION', { phone_number: phoneNumber, url: `tel:${phoneNumber}`, gogo_message: '' }, isDefault)
}

/** An action that sends a message as the user (default: the label). */
function sendMessage<L extends string> (label: NonEmpty<L>, options: MessageOptions & { message?: string } = {}): Actionable {
  return actionable(label, '', 'TEXT_ONLY', sendPayload(label, options), options.isDefault)
}

// ---- Messages ---------------------------------------------------------------

/** A text message, with optional quick replies. */
export const HslTextSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  type: Type.Literal('TEXT'),
  data: Type.Object({ quick_replies: Type.Array(QuickReplySchema) })
}, { title: 'HslText' })
export type HslText = Static<typeof HslTextSchema>

/** A text with buttons under it. */
export const HslButtonSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  type: Type.Literal('BUTTON'),
  data: Type.Object({ items: Type.Array(ActionableSchema, { minItems: 1 }) })
}, { title: 'HslButton' })
export type HslButton = Static<typeof HslButtonSchema>

/** How much room each carousel card takes. */
export const CarouselWidthSchema = Type.Union([Type.Literal('THIN'), Type.Literal('MEDIUM'), Type.Literal('FAT'), Type.Literal('BIG')])
export type CarouselWidth = Static<typeof CarouselWidthSchema>

/** One card of a carousel. */
export const CarouselItemSchema = Type.Object({
  thumbnail: Type.Object({ image: Type.String(), type: Type.Optional(Type.Literal('LANDSCAPE')) }),
  title: Type.Optional(Type.String()),
  sub_title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  actionables: Type.Array(ActionableSchema),
  mini_actionable: Type.Optional(ActionableSchema)
}, { title: 'HslCarouselItem' })
export type CarouselItem = Static<typeof CarouselItemSchema>

/** A row of cards; also how a single image is sent. */
export const HslCarouselSchema = Type.Object({
  text: Type.String({ description: 'The notification text; may be empty' }),
  type: Type.Literal('CAROUSEL'),
  data: Type.Object({
    image_aspect_ratio: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Card height; "1000.1" for cards without images' })),
    width: CarouselWidthSchema,
    items: Type.Array(CarouselItemSchema, { minItems: 1 })
  })
}, { title: 'HslCarousel' })
export type HslCarousel = Static<typeof HslCarouselSchema>

/** HSL types this module has no builder for: pass them through with `hsl.message`. */
export type OtherHslType = 'FORM' | 'SYSTEM' | 'SILENT' | 'NATIVE_ACTION' | (string & {})

/** Any other documented HSL message. */
export const HslOtherSchema = Type.Object({
  text: Type.String(),
  type: Type.String(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { title: 'HslOther' })

export type HslOther = Static<typeof HslOtherSchema>

/** Every HSL message a step can send. */
export const HslMessageSchema = Type.Union([HslTextSchema, HslButtonSchema, HslCarouselSchema, HslOtherSchema], { title: 'HslMessage' })

/** A text message; `quickReplies` become chips under it. */
function text<T extends string> (message: NonEmpty<T>, { quickReplies = [] }: { quickReplies?: QuickReply[] } = {}): HslText {
  return { text: message, type: 'TEXT', data: { quick_replies: quickReplies } }
}

/** A text with at least one button. */
function button<T extends string> (message: NonEmpty<T>, actions: [Actionable, ...Actionable[]]): HslButton {
  return { text: message, type: 'BUTTON', data: { items: actions } }
}

/** One carousel card, as the builder takes it. */
export interface CardOptions {
  image: string
  title?: string
  subTitle?: string
  description?: string
  actions?: Actionable[]
}

interface CarouselOptions {
  /** The notification text. Default: `''`. */
  text?: string
  /** Default: `MEDIUM`. */
  width?: CarouselWidth
  /** Card height as width/height. Default: `1.69`; use `'1000.1'` for cards without images. */
  imageAspectRatio?: number | string
}

/** A carousel of one or more cards. */
function carousel (cards: [CardOptions, ...CardOptions[]], { text = '', width = 'MEDIUM', imageAspectRatio = 1.69 }: CarouselOptions = {}): HslCarousel {
  return {
    text,
    type: 'CAROUSEL',
    data: {
      image_aspect_ratio: imageAspectRatio,
      width,
      items: cards.map(({ image, title, subTitle, description, actions = [] }) => ({
        thumbnail: { image },
        ...(title === undefined ? {} : { title }),
        ...(subTitle === undefined ? {} : { sub_title: subTitle }),
        ...(description === undefined ? {} : { description }),
        actionables: actions
      }))
    }
  }
}

/** A single image: a one-card carousel without actions. */
function image (url: string, { text = '', width = 'FAT', aspectRatio = 1.77 }: { text?: string, width?: CarouselWidth, aspectRatio?: number | string } = {}): HslCarousel {
  return { text, type: 'CAROUSEL', data: { image_aspect_ratio: aspectRatio, width, items: [{ thumbnail: { image: url }, actionables: [] }] } }
}

/** Any other documented HSL message (FORM, SYSTEM, SILENT, NATIVE_ACTION, …), passed through as given. */
function message<T extends OtherHslType> (hslMessage: { type: T, text: string, data?: Record<string, unknown> }) {
  return hslMessage
}

/**
 * Builders of Haptik's rich messages. Return them from a handler, alone or in
 * a list: they are sent as JSON strings inside `response`.
 *
 * @example
 * ```ts
 * return [
 *   'Here are your flights',
 *   hsl.carousel([{ image: 'https://…/6E-204.png', title: '6E 204', actions: [hsl.link('Book', 'https://…')] }]),
 *   hsl.text('Anything else?', { quickReplies: [hsl.quickReply('Yes'), hsl.quickReply('No')] })
 * ]
 * ```
 */
export const hsl = { text, quickReply, button, link, call, sendMessage, carousel, image, message } as const
