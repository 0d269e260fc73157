import { summaryOf, type Message } from '../hsl/index.js'
import { isLocalized, type LocalizedText } from './languages.js'
import { hasTrueFlag } from '../untrusted.js'

const kStepFailure = Symbol.for('fastify-haptik.step-failure')

/**
 * Throw from a step handler to answer the user with your own message on
 * Haptik's failure path (`status: false`). The message is shown to the user,
 * so write it for them: one message or several, plain or rich (HSL), or a text
 * per language, picked by the user's `language_code`.
 *
 * @example
 * ```ts
 * if (!order) throw new StepFailure('I could not find that order. Could you check the number?')
 * throw new StepFailure({ default: 'No such order.', hi: 'ऐसा कोई ऑर्डर नहीं है।' })
 * ```
 */
export class StepFailure extends Error {
  readonly [kStepFailure] = true
  /** What the user sees: one message or several, or a text per language. */
  readonly userMessages: Message[] | LocalizedText

  constructor (userMessage: Message | readonly Message[] | LocalizedText, options?: { cause?: unknown }) {
    const messages = isLocalized(userMessage) ? userMessage : Array.isArray(userMessage) ? [...userMessage] : [userMessage as Message]
    super(logMessageOf(messages), options)
    this.name = 'StepFailure'
    this.userMessages = messages
  }
}

/** The Error's message (for logs): the default text, or the messages summarized. */
function logMessageOf (messages: Message[] | LocalizedText): string {
  if (isLocalized(messages)) return messages.default
  return messages.map(summaryOf).join(' ')
}

/** Whether a value is a `StepFailure`, made by this or another copy of the package (a handler's own dependency, say). */
export function isStepFailure (value: unknown): value is StepFailure {
  return hasTrueFlag(value, kStepFailure)
}
