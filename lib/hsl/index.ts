import {
  actionable, call, carouselDetail, documentPicker, feedback, galleryPicker, imageUpload, launchChannel, link,
  quickReply, sendLocation, sendMessage, share, webview
} from './actionable.js'
import { button } from './button.js'
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
export const hsl = {
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

export type { NonEmpty, VoiceOptions } from './common.js'
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
export { HSL_TYPES, HslMessageSchema, HslOtherSchema, isHslType, summaryOf } from './message.js'
export type { HslMessage, HslMessageTypes, HslOther, HslType, Message, OtherHslType } from './message.js'
