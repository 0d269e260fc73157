import { Type, type Static } from '@sinclair/typebox'
import { QuickReplySchema, type QuickReply } from './actionable.js'
import { messageHeader, nonEmptyText, VoiceTextSchema, type NonEmpty, type VoiceOptions } from './common.js'

// TEXT: python-hsl hsl_builder/text.py; docs/hsl/text.md.

/** A text message, with optional quick replies. */
export const HslTextSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  type: Type.Literal('TEXT'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ quick_replies: Type.Array(QuickReplySchema, { description: 'Chips under the text; may be empty' }) })
}, { title: 'HslText' })
export type HslText = Static<typeof HslTextSchema>

/** Options of `hsl.text`. */
export interface TextOptions extends VoiceOptions {
  /** Chips under the text, made with `hsl.quickReply`. Default: none. */
  quickReplies?: readonly QuickReply[] | undefined
}

/** A text message; `quickReplies` become chips under it. As python-hsl's `Text(text)`. */
export function text<T extends string> (message: NonEmpty<T>, { quickReplies = [], voiceText }: TextOptions = {}): HslText {
  return { ...messageHeader(nonEmptyText(message, 'hsl.text', 'the text'), 'TEXT', voiceText), data: { quick_replies: [...quickReplies] } }
}
