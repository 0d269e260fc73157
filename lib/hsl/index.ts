import {
  type Actionable, type ActionOptions, type CarouselDetailOptions, type LocationOptions, type MessageOptions, type QuickReply, type ShareOptions,
  actionable, call, carouselDetail, documentPicker, feedback, galleryPicker, imageUpload, launchChannel, link,
  quickReply, sendLocation, sendMessage, share, webview
} from './actionable.js'
import { button, type HslButton } from './button.js'
import type { ButtonLabel, Buttons, Channel, QuickReplyLabel } from './channels.js'
import type { NonEmpty, VoiceOptions } from './common.js'
import { carousel, image } from './carousel.js'
import { form } from './form.js'
import { message } from './message.js'
import { nativeAction } from './native-action.js'
import { silent, silentAction } from './silent.js'
import { system } from './system.js'
import { text } from './text.js'

// Haptik Standard Language (HSL): the rich messages Haptik renders in its SDKs
// and converts for other channels. Each message family has its module, with
// its builder and its TypeBox schema; this one gathers them. The modules
// import nothing from the plugin.

const builders = {
  // Messages
  text,
  button,
  carousel,
  image,
  form,
  system,
  silent,
  nativeAction,
  message,
  // Their parts
  quickReply,
  silentAction,
  // Actions of buttons and cards
  actionable,
  link,
  webview,
  call,
  sendMessage,
  launchChannel,
  carouselDetail,
  sendLocation,
  imageUpload,
  galleryPicker,
  documentPicker,
  feedback,
  share
} as const

/**
 * The builders, typed for the channels a bot serves: labels over a channel's
 * limit and too many buttons do not compile (for literal labels), with a
 * message saying why. The same functions as `hsl`: the plugin's `channels`
 * option checks every rule, these included, at run time.
 */
export type ChannelHsl<C extends Channel> = Omit<typeof builders, 'quickReply' | 'button' | 'actionable' | 'link' | 'webview' | 'call' | 'sendMessage' | 'launchChannel' | 'carouselDetail' | 'sendLocation' | 'imageUpload' | 'galleryPicker' | 'documentPicker' | 'feedback' | 'share'> & {
  readonly quickReply: <L extends string>(label: QuickReplyLabel<L, C>, options?: MessageOptions) => QuickReply
  readonly button: <T extends string, const N extends number>(message: NonEmpty<T>, actions: Buttons<C, N>, options?: VoiceOptions) => HslButton
  readonly actionable: <L extends string>(label: ButtonLabel<L, C>, options: Parameters<typeof actionable>[1]) => Actionable
  readonly link: <L extends string>(label: ButtonLabel<L, C>, url: string, options?: ActionOptions) => Actionable
  readonly webview: <L extends string>(label: ButtonLabel<L, C>, url: string, options?: ActionOptions) => Actionable
  readonly call: <L extends string>(label: ButtonLabel<L, C>, phoneNumber: string, options?: ActionOptions) => Actionable
  readonly sendMessage: <L extends string>(label: ButtonLabel<L, C>, options?: MessageOptions) => Actionable
  readonly launchChannel: <L extends string>(label: ButtonLabel<L, C>, options?: MessageOptions) => Actionable
  readonly carouselDetail: <L extends string>(label: ButtonLabel<L, C>, options: CarouselDetailOptions) => Actionable
  readonly sendLocation: <L extends string>(label: ButtonLabel<L, C>, options: LocationOptions) => Actionable
  readonly imageUpload: <L extends string>(label: ButtonLabel<L, C>, options?: ActionOptions) => Actionable
  readonly galleryPicker: <L extends string>(label: ButtonLabel<L, C>, options?: ActionOptions) => Actionable
  readonly documentPicker: <L extends string>(label: ButtonLabel<L, C>, options?: ActionOptions) => Actionable
  readonly feedback: <L extends string>(label: ButtonLabel<L, C>, options?: ActionOptions) => Actionable
  readonly share: <L extends string>(label: ButtonLabel<L, C>, options: ShareOptions) => Actionable
}

/**
 * The builders typed for some channels (see ChannelHsl).
 *
 * @example
 * ```ts
 * const fb = hsl.forChannels('facebook', 'web')
 * fb.button('Pick one', [fb.link('Open the order tracking page', url)]) // does not compile: over 20 characters
 * ```
 */
function forChannels<C extends Channel> (..._channels: C[]): ChannelHsl<C> {
  return builders as ChannelHsl<C>
}

/**
 * Builders of Haptik's rich messages, each emitting what Haptik's own builder
 * (hellohaptik/python-hsl) emits for the same input. Return them from a
 * handler, alone or in a list: they are sent as JSON strings inside `response`.
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
export const hsl = { ...builders, forChannels } as const

export { InvalidHslError } from './common.js'
export type { NonEmpty, NonEmptyList, VoiceOptions } from './common.js'
export { BUTTON_COUNT_LIMITS, BUTTON_LABEL_LIMITS, CHANNELS, QUICK_REPLY_LABEL_LIMITS } from './channels.js'
export type { ButtonLabel, Buttons, Channel, LimitedLabel, QuickReplyLabel } from './channels.js'
export { CHANNEL_RULES, channelFindings, channelOf, characters } from './channel-limits.js'
export type { ChannelElement, ChannelFinding, ChannelRule } from './channel-limits.js'
export {
  ACTIONABLE_TYPES, ActionableSchema, ActionableTypeSchema, QuickReplySchema, URIS, UriSchema
} from './actionable.js'
export type {
  Actionable, ActionableOptions, ActionablePayload, ActionableType, ActionOptions, CarouselDetailOptions, LocationOptions,
  MessageOptions, QuickReply, ShareOptions, Uri
} from './actionable.js'
export { HslTextSchema } from './text.js'
export type { HslText, TextOptions } from './text.js'
export { HslButtonSchema } from './button.js'
export type { HslButton } from './button.js'
export { CarouselItemSchema, CarouselWidthSchema, HslCarouselSchema } from './carousel.js'
export type { CardOptions, CarouselItem, CarouselOptions, CarouselWidth, HslCarousel, ImageOptions } from './carousel.js'
export { FORM_FIELD_TYPES, FORM_KEYBOARD_TYPES, FormFieldSchema, FormFieldTypeSchema, FormKeyboardTypeSchema, HslFormSchema } from './form.js'
export type { FormField, FormFieldOptions, FormFieldType, FormKeyboardType, FormOptions, HslForm, PickerFieldType } from './form.js'
export { HslSystemSchema, SystemEventSchema } from './system.js'
export type { ChatPinnedPayload, HslSystem, SystemEvent, SystemOptions } from './system.js'
export { HslSilentSchema, SilentActionSchema } from './silent.js'
export type { HslSilent, SilentAction } from './silent.js'
export { HslNativeActionSchema } from './native-action.js'
export type { HslNativeAction } from './native-action.js'
export { HSL_TYPES, HslMessageSchema, HslOtherSchema, isHslType, messageFromWire, summaryOf } from './message.js'
export type { HslMessage, HslMessageTypes, HslOther, HslType, Message, OtherHslType } from './message.js'
