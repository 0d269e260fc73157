import { summaryOf, type Message } from '../hsl/index.js'
import { isLocalized, type LocalizedText } from './languages.js'
import { hasTrueFlag } from '../untrusted.js'

const kStepFailure = Symbol.for('fastify-haptik.step-failure')

/**
 * Throw from a handler to answer on Haptik's failure path (`status: false`) with messages shown to the user:
 * one or several, plain or HSL, or a text per language (`{ default: 'No such order.', hi: '…' }`).
 */
export class StepFailure extends Error {
  readonly [kStepFailure] = true
  readonly userMessages: Message[] | LocalizedText

  constructor (userMessage: Message | readonly Message[] | LocalizedText, options?: { cause?: unknown }) {
    const messages = isLocalized(userMessage) ? userMessage : Array.isArray(userMessage) ? [...userMessage] : [userMessage as Message]
    super(isLocalized(messages) ? messages.default : messages.map(summaryOf).join(' '), options)
    this.name = 'StepFailure'
    this.userMessages = messages
  }
}

/** Whether a value is a `StepFailure`, made by any copy of the package (a handler's own dependency, say). */
export function isStepFailure (value: unknown): value is StepFailure {
  return hasTrueFlag(value, kStepFailure)
}
