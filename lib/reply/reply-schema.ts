import { Type, type TSchema } from '@sinclair/typebox'

export const DetailsSchema = Type.Record(Type.String(), Type.Unknown())
/** `user_details` as Haptik stores them: string values. */
export const StringDetailsSchema = Type.Record(Type.String(), Type.String())

export function ReplySchema (conversationDetails: TSchema, userDetails: TSchema) {
  return Type.Object({
    status: Type.Boolean({ description: 'true: success path; false: failure path' }),
    response: Type.Array(Type.String(), { description: 'Messages shown to the user, in order; rich (HSL) messages as JSON strings' }),
    conversation_details: Type.Optional(conversationDetails),
    user_details: Type.Optional(userDetails)
  }, { title: 'HaptikReply' })
}
