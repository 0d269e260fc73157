import type { Actionable } from './actionable.js'
import type { NonEmptyList } from './common.js'

// The channel limits TypeScript can check in `hsl.forChannels`; channel-limits.ts checks them all at run time.

export type Channel = 'web' | 'android' | 'ios' | 'facebook' | 'whatsapp' | 'gbm' | 'bot_api' | 'jio' | 'jio_chat'

export const CHANNELS: readonly Channel[] = ['web', 'android', 'ios', 'facebook', 'whatsapp', 'gbm', 'bot_api', 'jio', 'jio_chat']

/** Longest button label per channel (docs/facebook/cs-fb.md:50, docs/gbm/on-cs.md:45). */
export const BUTTON_LABEL_LIMITS = Object.freeze({ facebook: 20, gbm: 25 } as const)
/** Longest quick-reply label per channel (docs/facebook/cs-fb.md:52). */
export const QUICK_REPLY_LABEL_LIMITS = Object.freeze({ facebook: 25 } as const)
/** Most buttons in a BUTTON message per channel (docs/gbm/on-cs.md:44). */
export const BUTTON_COUNT_LIMITS = Object.freeze({ gbm: 4 } as const)

type LimitsOf<Table, C extends Channel> = Table[C & keyof Table]

type Smallest<N, Count extends unknown[] = []> = [N] extends [never]
  ? undefined
  : Count['length'] extends N ? Count['length'] : Smallest<N, [...Count, unknown]>

/** Whether a string literal has more than N UTF-16 units (an emoji counts twice); a plain `string` is not. */
type Longer<S extends string, N extends number, Count extends unknown[] = []> =
  S extends `${string}${infer Rest}`
    ? Count['length'] extends N ? true : Longer<Rest, N, [...Count, unknown]>
    : false

/** A label, refused with a readable message when empty or over a limit. */
export type LimitedLabel<L extends string, Max, What extends string> = L extends ''
  ? never
  : Max extends number ? (Longer<L, Max> extends true ? `${What} have at most ${Max} characters on this bot's channels` : L) : L

export type ButtonLabel<L extends string, C extends Channel> = LimitedLabel<L, Smallest<LimitsOf<typeof BUTTON_LABEL_LIMITS, C>>, 'Button labels'>
export type QuickReplyLabel<L extends string, C extends Channel> = LimitedLabel<L, Smallest<LimitsOf<typeof QUICK_REPLY_LABEL_LIMITS, C>>, 'Quick replies'>

type UpTo<T, N extends number, Items extends readonly T[] = readonly [T]> = Items['length'] extends N
  ? Items
  : Items | UpTo<T, N, readonly [...Items, T]>

/** A BUTTON message's buttons for these channels: a literal list of one to their limit, else any non-empty list. */
export type Buttons<C extends Channel, N extends number = number> = Smallest<LimitsOf<typeof BUTTON_COUNT_LIMITS, C>> extends infer Max extends number
  ? UpTo<Actionable, Max>
  : NonEmptyList<Actionable, N, 'a button message needs at least one button'>
