import { createHash } from 'node:crypto'
import type { StateStore } from '../store/state-store.js'

// Haptik retries a webhook event that was not answered with a 2xx within 5 s
// (6 times over 60 minutes, docs/webhooks/protocols.md:23-34), and says
// duplicates within a short time are the receiver's to handle (:36). Each
// event gets a record in the registration's store, so that its handler runs
// once, across retries, concurrent deliveries and instances sharing a store:
// claimed ("running") before the handler runs, "done" once it has, and
// released when it failed, so the next delivery runs it again.

/** What a delivery of an event may do. */
export type Claim =
  /** Run the handler: this delivery holds the event. */
  | { readonly kind: 'run', readonly version: number }
  /** Handled already: answer 200 without running. */
  | { readonly kind: 'done' }
  /** Another delivery is running it: answer a status Haptik retries. */
  | { readonly kind: 'running' }

export interface RecordSettings {
  readonly store: StateStore
  readonly namespace: string
  /** How long a handled event is remembered, in ms: longer than Haptik's 60-minute retry window. */
  readonly doneTtl: number
  /** How long a claim holds while its handler runs, in ms (a crashed instance's claim lapses). */
  readonly claimTtl: number
}

const RUNNING = '{"state":"running"}'
const DONE = '{"state":"done"}'

/**
 * What identifies an event across deliveries: its `message.id` (unique,
 * webhook-payload.md:77-78), else, for events without one
 * (`webhook_conversation_complete`), the SHA-256 of the body without its
 * `timestamp`: it says when the request was created (webhook-payload.md:30),
 * and Haptik's docs do not say whether a retry keeps it, so it is left out
 * in case one does not.
 */
export function eventKey (eventName: string, body: { message?: { id?: unknown }, timestamp?: unknown }): string {
  const id = body.message?.id
  return typeof id === 'number' || typeof id === 'string'
    ? `${eventName}:message:${String(id)}`
    : `${eventName}:body:${createHash('sha256').update(JSON.stringify({ ...body, timestamp: undefined })).digest('hex')}`
}

/** The records of one registration's webhook events. */
export class EventRecords {
  readonly #settings: RecordSettings
  constructor (settings: RecordSettings) {
    this.#settings = settings
  }

  #key (event: string): string {
    return `${this.#settings.namespace}:webhook:${event}`
  }

  /** Claims an event for this delivery, or says why not. */
  async claim (event: string): Promise<Claim> {
    const { store, claimTtl } = this.#settings
    const key = this.#key(event)
    const current = await store.get(key)
    if (current !== undefined) return current.value === DONE ? { kind: 'done' } : { kind: 'running' }
    const version = await store.set(key, RUNNING, undefined, claimTtl)
    // Another delivery claimed it between the read and the write.
    return version === undefined ? { kind: 'running' } : { kind: 'run', version }
  }

  /** The handler ran: later deliveries answer 200 without running it. */
  async done (event: string, version: number): Promise<void> {
    await this.#settings.store.set(this.#key(event), DONE, version, this.#settings.doneTtl)
  }

  /** The handler failed: the next delivery runs it again. */
  async release (event: string, version: number): Promise<void> {
    await this.#settings.store.delete(this.#key(event), version)
  }
}
