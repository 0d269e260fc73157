import { Type, type Static } from '@sinclair/typebox'
import { ActionableSchema, type Actionable } from './actionable.js'
import { InvalidHslError, messageHeader, nonEmptyList, VoiceTextSchema, type NonEmptyList, type VoiceOptions } from './common.js'

// CAROUSEL: python-hsl hsl_builder/carousel.py and elements/carousel_item.py;
// docs/hsl/carousel.md and docs/hsl/image.md.

/** How much room each carousel card takes (python-hsl CarouselWidth; docs/hsl/carousel.md). */
export const CarouselWidthSchema = Type.Union([Type.Literal('THIN'), Type.Literal('MEDIUM'), Type.Literal('FAT'), Type.Literal('BIG')])
export type CarouselWidth = Static<typeof CarouselWidthSchema>

/**
 * One card of a carousel. python-hsl writes every key, in this order, even
 * empty (`hsl.carousel` and `hsl.image` do too); the docs' samples leave out
 * title, sub_title, description and meta (docs/hsl/image.md's card has none),
 * so only `actionables` and `thumbnail` are required. `thumbnail.type`
 * (deprecated, docs/hsl/image.md) and `mini_actionable` (docs/hsl/carousel.md)
 * are docs-only.
 */
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

/** A row of cards; also how a single image is sent. */
export const HslCarouselSchema = Type.Object({
  text: Type.String({ description: 'The notification text; may be empty' }),
  type: Type.Literal('CAROUSEL'),
  voice_text: VoiceTextSchema,
  data: Type.Object({
    // python-hsl writes a number; the docs' samples also show strings ("1.67", "1000.1").
    image_aspect_ratio: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Card height; "1000.1" for cards without images' })),
    width: CarouselWidthSchema,
    items: Type.Array(CarouselItemSchema, { minItems: 1 })
  }),
  isNew: Type.Optional(Type.Boolean({ description: 'In the docs\' samples (docs/hsl/carousel.md); python-hsl has none' }))
}, { title: 'HslCarousel' })
export type HslCarousel = Static<typeof HslCarouselSchema>

/** One carousel card, as the builder takes it (python-hsl's CarouselItem). */
export interface CardOptions {
  /** The card's picture (`thumbnail.image`). Default: `''`. */
  image?: string | undefined
  /** Default: `''`. */
  title?: string | undefined
  /** `sub_title`. Default: `''`. */
  subTitle?: string | undefined
  /** Default: `''`. */
  description?: string | undefined
  /** python-hsl's `meta` string. Default: `''`. */
  meta?: string | undefined
  /** The card's buttons (`actionables`). Default: none. */
  actions?: readonly Actionable[] | undefined
  /** A small action on the card (`mini_actionable`, docs/hsl/carousel.md), e.g. `hsl.share(...)`. Default: none. */
  miniAction?: Actionable | undefined
}

/** Options of `hsl.carousel`. */
export interface CarouselOptions extends VoiceOptions {
  /** The notification text. Default: `''`. */
  text?: string | undefined
  /** Default: `THIN`, as in python-hsl. */
  width?: CarouselWidth | undefined
  /** Card height as width/height (`image_aspect_ratio`). Default: `1`, as in python-hsl; `'1000.1'` for cards without images (docs). */
  imageAspectRatio?: number | string | undefined
  /** The docs' `isNew` flag. Default: not sent. */
  isNew?: boolean | undefined
}

/** python-hsl's CarouselItem.to_hsl(), key for key; `mini_actionable` after it when given. */
function card (options: CardOptions, index: number): CarouselItem {
  if (typeof options !== 'object' || options === null) throw new InvalidHslError(`hsl.carousel: card ${index} must be an object like { title, image, actions }`)
  const { image = '', title = '', subTitle = '', description = '', meta = '', actions = [], miniAction } = options
  const item: CarouselItem = { title, sub_title: subTitle, description, actionables: [...actions], meta, thumbnail: { image } }
  if (miniAction !== undefined) item.mini_actionable = miniAction
  return item
}

/**
 * A carousel of one or more cards. As python-hsl's `Carousel(text)` with its
 * items. Cards built from data are a list: `hsl.carousel(products.map(product => ({ title: product.name })))`.
 */
export function carousel<const N extends number> (cards: NonEmptyList<CardOptions, N, 'a carousel needs at least one card'>, { text = '', width = 'THIN', imageAspectRatio = 1, voiceText, isNew }: CarouselOptions = {}): HslCarousel {
  const message: HslCarousel = {
    ...messageHeader(text, 'CAROUSEL', voiceText),
    data: { image_aspect_ratio: imageAspectRatio, width, items: nonEmptyList(cards, 'hsl.carousel', 'the cards').map(card) }
  }
  if (isNew !== undefined) message.isNew = isNew
  return message
}

/** Options of `hsl.image`. */
export interface ImageOptions extends VoiceOptions {
  /** The notification text. Default: `''`. */
  text?: string | undefined
  /** Default: `FAT` (docs/hsl/image.md). */
  width?: CarouselWidth | undefined
  /** Default: `1.77` (docs/hsl/image.md). */
  aspectRatio?: number | string | undefined
}

/**
 * A single image: a one-card carousel without actions, `FAT` and 1.77 as in
 * docs/hsl/image.md. python-hsl has no image builder; its card is the same as
 * any other card, key for key: python-hsl's `Carousel(text)` with one
 * `CarouselItem('', '')` whose thumbnail is the image (empty title,
 * sub_title, description and meta), so a client reads it as it reads every
 * card. The docs' sample card, with only `thumbnail` and `actionables`, is
 * what the same card is without its empty keys. The deprecated
 * `thumbnail.type: "LANDSCAPE"` is left out, as python-hsl's thumbnails never
 * carry it.
 */
export function image (url: string, { text = '', width = 'FAT', aspectRatio = 1.77, voiceText }: ImageOptions = {}): HslCarousel {
  return carousel([{ image: url }], { text, width, imageAspectRatio: aspectRatio, voiceText })
}
