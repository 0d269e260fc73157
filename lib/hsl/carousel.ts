import { Type, type Static } from '@sinclair/typebox'
import { ActionableSchema, type Actionable } from './actionable.js'
import { InvalidHslError, messageHeader, nonEmptyList, VoiceTextSchema, type NonEmptyList, type VoiceOptions } from './common.js'

// CAROUSEL: python-hsl hsl_builder/carousel.py, elements/carousel_item.py; docs/hsl/carousel.md, docs/hsl/image.md.

export const CarouselWidthSchema = Type.Union([Type.Literal('THIN'), Type.Literal('MEDIUM'), Type.Literal('FAT'), Type.Literal('BIG')])
export type CarouselWidth = Static<typeof CarouselWidthSchema>

/** A card: python-hsl writes every key, even empty; the docs' samples need only `actionables` and `thumbnail`. */
export const CarouselItemSchema = Type.Object({
  title: Type.Optional(Type.String()),
  sub_title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  actionables: Type.Array(ActionableSchema),
  meta: Type.Optional(Type.String({ description: 'A string python-hsl carries with the card' })),
  thumbnail: Type.Object({ image: Type.String(), type: Type.Optional(Type.Literal('LANDSCAPE', { description: 'Deprecated' })) }),
  mini_actionable: Type.Optional(ActionableSchema)
}, { title: 'HslCarouselItem' })
export type CarouselItem = Static<typeof CarouselItemSchema>

export const HslCarouselSchema = Type.Object({
  text: Type.String({ description: 'The notification text; may be empty' }),
  type: Type.Literal('CAROUSEL'),
  voice_text: VoiceTextSchema,
  data: Type.Object({
    image_aspect_ratio: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Card height; "1000.1" for cards without images' })), // python-hsl: a number; docs: strings too
    width: CarouselWidthSchema,
    items: Type.Array(CarouselItemSchema, { minItems: 1 })
  }),
  isNew: Type.Optional(Type.Boolean({ description: 'In the docs\' samples (docs/hsl/carousel.md); python-hsl has none' }))
}, { title: 'HslCarousel' })
export type HslCarousel = Static<typeof HslCarouselSchema>

/** One card (python-hsl's CarouselItem): `image` is `thumbnail.image`, `actions` its `actionables`; strings default to `''`. */
export interface CardOptions {
  image?: string | undefined
  title?: string | undefined
  subTitle?: string | undefined
  description?: string | undefined
  meta?: string | undefined
  actions?: readonly Actionable[] | undefined
  /** `mini_actionable` (docs/hsl/carousel.md), e.g. `hsl.share(...)`. */
  miniAction?: Actionable | undefined
}

/** Defaults as in python-hsl: `text: ''`, `width: 'THIN'`, `imageAspectRatio: 1` (`'1000.1'` without images); `isNew` not sent. */
export interface CarouselOptions extends VoiceOptions {
  text?: string | undefined
  width?: CarouselWidth | undefined
  imageAspectRatio?: number | string | undefined
  isNew?: boolean | undefined
}

function card (options: CardOptions, index: number): CarouselItem {
  if (typeof options !== 'object' || options === null) throw new InvalidHslError(`hsl.carousel: card ${index} must be an object like { title, image, actions }`)
  const { image = '', title = '', subTitle = '', description = '', meta = '', actions = [], miniAction } = options
  const item: CarouselItem = { title, sub_title: subTitle, description, actionables: [...actions], meta, thumbnail: { image } }
  if (miniAction !== undefined) item.mini_actionable = miniAction
  return item
}

/** A carousel of one or more cards, as python-hsl's `Carousel(text)`; e.g. `hsl.carousel(products.map(p => ({ title: p.name })))`. */
export function carousel<const N extends number> (cards: NonEmptyList<CardOptions, N, 'a carousel needs at least one card'>, { text = '', width = 'THIN', imageAspectRatio = 1, voiceText, isNew }: CarouselOptions = {}): HslCarousel {
  const message: HslCarousel = {
    ...messageHeader(text, 'CAROUSEL', voiceText),
    data: { image_aspect_ratio: imageAspectRatio, width, items: nonEmptyList(cards, 'hsl.carousel', 'the cards').map(card) }
  }
  if (isNew !== undefined) message.isNew = isNew
  return message
}

/** Defaults of docs/hsl/image.md: `text: ''`, `width: 'FAT'`, `aspectRatio: 1.77`. */
export interface ImageOptions extends VoiceOptions {
  text?: string | undefined
  width?: CarouselWidth | undefined
  aspectRatio?: number | string | undefined
}

/** A single image (docs/hsl/image.md): a one-card carousel, the card python-hsl's `CarouselItem('', '')` with it as thumbnail. */
export function image (url: string, { text = '', width = 'FAT', aspectRatio = 1.77, voiceText }: ImageOptions = {}): HslCarousel {
  return carousel([{ image: url }], { text, width, imageAspectRatio: aspectRatio, voiceText })
}
