import { Type, type Static } from '@sinclair/typebox'
import { QuickReplySchema, type QuickReply } from './actionable.js'
import { messageHeader, nonEmptyText, VoiceTextSchema, type NonEmpty, type VoiceOptions } from './common.js'

// TEXT: python-hsl hsl_builder/text.py; docs/hsl/text.md.

export const HslTextSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  type: Type.Literal('TEXT'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ quick_replies: Type.Array(QuickReplySchema, { description: 'Chips under the text; may be empty' }) })
}, { title: 'HslText' })
export type HslText = Static<typeof HslTextSchema>

export interface TextOptions extends VoiceOptions {
  quickReplies?: readonly QuickReply[] | undefined
}

/** A text message, as python-hsl's `Text(text)`; `quickReplies` (made with `hsl.quickReply`) become chips under it. */
export function text<T extends string> (message: NonEmpty<T>, { quickReplies = [], voiceText }: TextOptions = {}): HslText {
  return { ...messageHeader(nonEmptyText(message, 'hsl.text', 'the text'), 'TEXT', voiceText), data: { quick_replies: [...quickReplies] } }
}
