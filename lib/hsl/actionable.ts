import { Type, type Static } from '@sinclair/typebox'
import { nonEmptyText, type NonEmpty } from './common.js'

// python-hsl hsl_builder/elements/actionable.py and docs/hsl/hsl-properties.md disagree: the unions take both.

export const UriSchema = Type.Union([
  Type.Literal(''), // python-hsl URI.NONE; the docs' samples use "" as well
  Type.Literal('LINK'), // both
  Type.Literal('CAROUSEL_DETAIL'), // both
  Type.Literal('GALLERY_PICKER'), // both
  Type.Literal('SEND_LOCATION'), // both
  Type.Literal('IMAGE_UPLOAD'), // python-hsl only
  Type.Literal('DOCUMENT_PICKER'), // python-hsl only
  Type.Literal('LAUNCH_CHANNEL'), // python-hsl; docs bot-builder/integrations/integration-parameters.md sample
  Type.Literal('SELF_SERVE_WEB'), // python-hsl; docs bot-builder/advanced/integrating-webviews-into-sdk.md
  Type.Literal('CALL'), // docs only
  Type.Literal('CAROUSEL_DEFAULT'), // docs only
  Type.Literal('SAVED_ADDRESSES'), // docs only
  Type.Literal('SEND_MULTIPLE_LOCATIONS') // docs only
], { description: 'What a tap opens: a link, a call, a picker, … ("" for nothing)' })
export type Uri = Static<typeof UriSchema>

export const ActionableTypeSchema = Type.Union([
  Type.Literal('APP_ACTION'), // both
  Type.Literal('MESSAGE_BAR'), // both
  Type.Literal('TEXT_ONLY'), // both
  Type.Literal('FORM_SHOW'), // both
  Type.Literal('SHARE_RECEIPT'), // both
  Type.Literal('APP_FEEDBACK'), // both
  Type.Literal('SHARE'), // python-hsl; docs/hsl/carousel.md mini_actionable sample
  Type.Literal('TEXT'), // docs only
  Type.Literal('TAB_LIST_TEXT_ONLY'), // docs only
  Type.Literal('SHARE_REFERRAL') // docs only
], { description: 'The kind of action: APP_ACTION with a uri, TEXT_ONLY to send a message, …' })
export type ActionableType = Static<typeof ActionableTypeSchema>

export const URIS: readonly Uri[] = UriSchema.anyOf.map(member => member.const)
export const ACTIONABLE_TYPES: readonly ActionableType[] = ActionableTypeSchema.anyOf.map(member => member.const)

/** An actionable's payload: python-hsl takes any dict; these are the keys of docs/hsl/hsl-properties.md and its samples. */
export interface ActionablePayload {
  message?: string
  /** Sent to the bot instead of `message`; `""` means `message`. */
  gogo_message?: string
  url?: string
  link?: string
  title?: string
  sub_title?: string
  description?: string
  images?: string[]
  lat_key?: string
  lng_key?: string
  callback_link?: string
  items?: unknown[]
  [key: string]: unknown
}

const PayloadSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: 'What the action needs: message, gogo_message, url, link, title, sub_title, description, images, lat_key, lng_key, callback_link, items, …'
})

const IsDefaultSchema = Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1: the action of a tap on the element itself' })

/** A button or card action, keys in python-hsl's order; `uri`, `location_required` and `emoji` are optional as in the docs' samples. */
export const ActionableSchema = Type.Object({
  actionable_text: Type.String({ minLength: 1, description: 'The text on the button' }),
  type: ActionableTypeSchema,
  uri: Type.Optional(UriSchema),
  is_default: IsDefaultSchema,
  location_required: Type.Optional(Type.Boolean({ description: 'Deprecated; false' })), // docs/hsl/index.md's one sample has "false"
  payload: PayloadSchema,
  emoji: Type.Optional(Type.String({ description: 'An emoji shown with the text (docs samples)' }))
}, { title: 'HslActionable' })
export type Actionable = Static<typeof ActionableSchema>

/** A chip under a text: TEXT_ONLY with `payload.message`, as docs/hsl/text.md requires (python-hsl takes any Actionable). */
export const QuickReplySchema = Type.Object({
  actionable_text: Type.String({ minLength: 1 }),
  type: Type.Literal('TEXT_ONLY'),
  uri: Type.Optional(UriSchema),
  is_default: IsDefaultSchema,
  location_required: Type.Optional(Type.Boolean()),
  payload: Type.Object({
    message: Type.String({ description: 'Shown as the user\'s message' }),
    gogo_message: Type.Optional(Type.String({ description: 'Sent to the bot instead; "" means the message' }))
  }),
  emoji: Type.Optional(Type.String())
}, { title: 'HslQuickReply' })
export type QuickReply = Static<typeof QuickReplySchema>

export interface ActionOptions {
  /** The action of a tap on the whole element (`is_default: 1`). Default: `false`. */
  isDefault?: boolean | undefined
  /** An `emoji` key, as in the docs' samples (python-hsl never writes one). */
  emoji?: string | undefined
}

export interface MessageOptions extends ActionOptions {
  /** The message sent as the user's. Default: the label. */
  message?: string | undefined
  /** Sent to the bot instead of the message (`gogo_message`). Default: `''`, the message itself. */
  gogoMessage?: string | undefined
}

/** python-hsl's `Actionable` attributes; defaults `uri: ''`, `payload: {}`, `locationRequired: false`. */
export interface ActionableOptions extends ActionOptions {
  type: ActionableType
  uri?: Uri | undefined
  payload?: ActionablePayload | undefined
  locationRequired?: boolean | undefined
}

function build (builder: string, label: string, type: ActionableType, uri: Uri, payload: ActionablePayload, { isDefault, emoji }: ActionOptions, locationRequired = false): Actionable {
  const built: Actionable = { actionable_text: nonEmptyText(label, `hsl.${builder}`, 'the label'), type, uri, is_default: isDefault === true ? 1 : 0, location_required: locationRequired, payload }
  if (emoji !== undefined) built.emoji = emoji
  return built
}

function sendPayload (label: string, { message = label, gogoMessage = '' }: MessageOptions): { message: string, gogo_message: string } {
  return { message, gogo_message: gogoMessage }
}

/** Any actionable, as python-hsl's `Actionable(text, type, uri)`: for kinds no helper covers (FORM_SHOW, …). */
export function actionable<L extends string> (label: NonEmpty<L>, { type, uri = '', payload = {}, locationRequired = false, ...options }: ActionableOptions): Actionable {
  return build('actionable', label, type, uri, payload, options, locationRequired)
}

/** A quick reply that sends `message` (default: the label) when tapped. */
export function quickReply<L extends string> (label: NonEmpty<L>, options: MessageOptions = {}): QuickReply {
  return build('quickReply', label, 'TEXT_ONLY', '', sendPayload(label, options), options) as QuickReply
}

/** An action that sends a message as the user (default: the label). */
export function sendMessage<L extends string> (label: NonEmpty<L>, options: MessageOptions = {}): Actionable {
  return build('sendMessage', label, 'TEXT_ONLY', '', sendPayload(label, options), options)
}

export function link<L extends string> (label: NonEmpty<L>, url: string, options: ActionOptions = {}): Actionable {
  return build('link', label, 'APP_ACTION', 'LINK', { url, gogo_message: '' }, options)
}

/** An action that opens a page in the SDK's own web view (payload as in docs/bot-builder/advanced/integrating-webviews-into-sdk.md). */
export function webview<L extends string> (label: NonEmpty<L>, url: string, options: ActionOptions = {}): Actionable {
  return build('webview', label, 'APP_ACTION', 'SELF_SERVE_WEB', { url, link: '', gogo_message: '' }, options)
}

/** An action that calls a number; the docs name no payload key, so it goes as `phone_number` and a `tel:` `url`. */
export function call<L extends string> (label: NonEmpty<L>, phoneNumber: string, options: ActionOptions = {}): Actionable {
  return build('call', label, 'APP_ACTION', 'CALL', { phone_number: phoneNumber, url: `tel:${phoneNumber}`, gogo_message: '' }, options)
}

/** An action that opens another channel and sends a message (docs/bot-builder/integrations/integration-parameters.md sample). */
export function launchChannel<L extends string> (label: NonEmpty<L>, options: MessageOptions = {}): Actionable {
  const { message, gogo_message: gogoMessage } = sendPayload(label, options)
  return build('launchChannel', label, 'TEXT_ONLY', 'LAUNCH_CHANNEL', { gogo_message: gogoMessage, message }, options)
}

export interface CarouselDetailOptions extends ActionOptions {
  title?: string | undefined
  subTitle?: string | undefined
  description?: string | undefined
  images: readonly string[]
}

/** An action that opens a detail screen of images (payload as in docs/hsl/carousel.md). */
export function carouselDetail<L extends string> (label: NonEmpty<L>, { title = '', subTitle = '', description = '', images, ...options }: CarouselDetailOptions): Actionable {
  return build('carouselDetail', label, 'APP_ACTION', 'CAROUSEL_DETAIL', { title, sub_title: subTitle, description, images: [...images], gogo_message: '', link: '' }, options)
}

export interface LocationOptions extends ActionOptions {
  latKey: string
  lngKey: string
}

/** An action that opens a place picker and sends the chosen location (payload keys of docs/hsl/hsl-properties.md). */
export function sendLocation<L extends string> (label: NonEmpty<L>, { latKey, lngKey, ...options }: LocationOptions): Actionable {
  return build('sendLocation', label, 'APP_ACTION', 'SEND_LOCATION', { lat_key: latKey, lng_key: lngKey, gogo_message: '' }, options)
}

/** An action that opens the camera to upload a photo (python-hsl URI.IMAGE_UPLOAD). */
export function imageUpload<L extends string> (label: NonEmpty<L>, options: ActionOptions = {}): Actionable {
  return build('imageUpload', label, 'APP_ACTION', 'IMAGE_UPLOAD', {}, options)
}

export function galleryPicker<L extends string> (label: NonEmpty<L>, options: ActionOptions = {}): Actionable {
  return build('galleryPicker', label, 'APP_ACTION', 'GALLERY_PICKER', {}, options)
}

export function documentPicker<L extends string> (label: NonEmpty<L>, options: ActionOptions = {}): Actionable {
  return build('documentPicker', label, 'APP_ACTION', 'DOCUMENT_PICKER', {}, options)
}

export function feedback<L extends string> (label: NonEmpty<L>, options: ActionOptions = {}): Actionable {
  return build('feedback', label, 'APP_FEEDBACK', '', {}, options)
}

/** What a SHARE action shares: a message, and an image; `showShareOption` defaults to `true`. */
export interface ShareOptions extends ActionOptions {
  message: string
  image?: string | undefined
  showShareOption?: boolean | undefined
}

/** An action that shares a message (and an image), as the mini_actionable of docs/hsl/carousel.md. */
export function share<L extends string> (label: NonEmpty<L>, { message, image, showShareOption = true, ...options }: ShareOptions): Actionable {
  const payload = { show_share_option: showShareOption, ...(image === undefined ? {} : { image }), gogo_message: '', message }
  return build('share', label, 'SHARE', '', payload, options)
}
