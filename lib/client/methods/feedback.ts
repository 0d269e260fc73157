import { integer, invalid, optionalText } from '../validate.js'
import { authIdOf, businessIdOf, method, type BusinessId, type Unchecked } from './method.js'

/** The user's feedback (docs/webhooks/send-feedback-to-haptik.md:37-41). */
export interface LogFeedbackInput {
  authId: string
  businessId?: BusinessId | undefined
  resolved: boolean
  /** From 1 to 5 (`query_rating`). */
  rating: number
  feedback?: string | undefined
}

/** Feedback logged: answered 201 `{"success": true}` (:45-51). */
export interface LoggedFeedback {
  success: true
  /** A retry was answered `duplicate feedback` (one per hour, :55-61): an earlier attempt landed, though its answer was lost. */
  alreadySubmitted: boolean
}

export const logFeedback = method<Unchecked<LogFeedbackInput>, LoggedFeedback>({ call: 'logFeedback', family: 'messaging', method: 'POST', path: '/v1.0/log_feedback_from_user/', idempotent: true }, (input, defaults, call) => {
  const authId = authIdOf(call, input, defaults)
  const business = businessIdOf(call, input, defaults)
  if (typeof input.resolved !== 'boolean') throw invalid(call, 'resolved', 'true or false', input.resolved)
  const rating = integer(call, 'rating', input.rating, 1, 5)
  const feedback = optionalText(call, 'feedback', input.feedback)
  const json = { auth_id: authId, business_id: business, query_resolved: input.resolved, query_rating: rating, ...(feedback === undefined ? {} : { feedback }) }
  return {
    json,
    read: () => ({ success: true, alreadySubmitted: false }),
    recover: error => error.code === 'duplicate_feedback' ? { success: true, alreadySubmitted: true } : undefined
  }
})
