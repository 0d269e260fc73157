import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { HaptikEnvelope, HaptikUser } from '../wire/request-schema.js'
import { pickText, type UserText } from '../reply/languages.js'
import type { StepContext } from './define-step.js'
import type { Call, Telemetry } from '../telemetry.js'
import type { StateSettings } from './conversation-state.js'
import { bindClient, userBinding } from '../client/bind.js'
import type { BoundHaptikClient, HaptikClient } from '../client/client.js'
import { NoClientError } from '../errors.js'

/** What the steps of one registration share at run time. */
export interface StepRuntime {
  readonly telemetry: Telemetry
  readonly state: StateSettings
  readonly client: HaptikClient | undefined
  readonly closing: boolean
}

const NO_USER: HaptikUser = Object.freeze({})

/** What a handler receives: the call, with costly parts made on first use. */
export class Context implements StepContext {
  /** Set before the handler runs, for steps that declare `state` or `userState`. */
  state: unknown = undefined
  userState: unknown = undefined
  #log: FastifyBaseLogger | undefined
  #controller: AbortController | undefined
  #haptik: BoundHaptikClient | undefined

  constructor (
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    readonly step: string,
    readonly environment: string | undefined,
    readonly envelope: HaptikEnvelope,
    readonly entities: Record<string, unknown>,
    readonly call: Call,
    readonly runtime: StepRuntime
  ) {}

  get user (): HaptikUser { return this.envelope.user ?? NO_USER }
  get language (): string | undefined { return this.envelope.user?.language_code }
  get event (): string | undefined { return this.envelope.event }
  get conversationNo (): number | undefined { return this.envelope.conversation_no }
  get conversationDetails (): Record<string, unknown> { return this.envelope.conversation_details ?? {} }
  get userDetails (): Record<string, unknown> { return this.envelope.user_details ?? {} }
  get env (): Record<string, string> { return this.envelope.env_variables ?? {} }

  // Created on first use: most handlers never touch them, and both cost per request.
  get log (): FastifyBaseLogger {
    this.#log ??= this.request.log.child({ step: this.step })
    return this.#log
  }

  get signal (): AbortSignal {
    this.#controller ??= new AbortController()
    return this.#controller.signal
  }

  get haptik (): BoundHaptikClient {
    if (this.#haptik === undefined) {
      const { client, telemetry } = this.runtime
      if (client === undefined) throw new NoClientError()
      this.#haptik = bindClient(client, { ...userBinding(this.user), signal: this.signal, observe: telemetry.apiObserver(this.call.span) })
    }
    return this.#haptik
  }

  // A function, not a method: handlers destructure the context.
  get localize (): (text: UserText) => string {
    return text => pickText(text, this.language)
  }

  abort (reason: Error): void {
    this.#controller?.abort(reason)
  }
}
