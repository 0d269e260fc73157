import { storeCall, writeWithin } from '../store/store-call.js'
import type { StateStore, Version } from '../store/state-store.js'

// Haptik retries an event not answered 2xx within 5 s (6 times over 60 minutes, docs/webhooks/protocols.md:23-34) and
// leaves duplicates to the receiver (:36): a record per event makes its handler run once across retries and instances.

/** What a delivery of an event may do. */
type Claim =
  /** Run the handler: this delivery holds the event; `attempt` counts from 1. */
  | { readonly kind: 'run', readonly version: Version, readonly attempt: number, readonly replaced: boolean }
  /** Handled already (or given up): answer 200 without running. */
  | { readonly kind: 'done' }
  /** Another delivery is running it: answer a status Haptik retries. */
  | { readonly kind: 'running' }

interface RecordSettings {
  readonly store: StateStore
  readonly namespace: string
  readonly doneTtl: number
  /** How long a claim holds unless renewed, in ms (a crashed instance's claim lapses). */
  readonly claimTtl: number
}

interface EventRecord {
  readonly state: 'running' | 'free' | 'done'
  readonly attempts: number
}

const STATES = new Set(['running', 'free', 'done'])

/** A stored record, or undefined when it cannot be used (and is replaced). */
function recordOf (text: string): EventRecord | undefined {
  try {
    const { state, attempts = 0 } = JSON.parse(text) as Partial<EventRecord>
    return STATES.has(state as string) && Number.isSafeInteger(attempts) && attempts >= 0 ? { state: state as EventRecord['state'], attempts } : undefined
  } catch {
    return undefined
  }
}

/** The records of one registration's webhook events; every operation takes the milliseconds it may last. */
export class EventRecords {
  readonly #settings: RecordSettings
  constructor (settings: RecordSettings) {
    this.#settings = settings
  }

  #key (event: string): string {
    return `${this.#settings.namespace}:webhook:${event}`
  }

  async #write (event: string, record: EventRecord, version: Version | undefined, ttl: number, timeout: number): Promise<Version | undefined> {
    const { store } = this.#settings
    return await storeCall(() => store.set(this.#key(event), JSON.stringify(record), version, ttl, writeWithin(timeout, true)), timeout)
  }

  /** Claims an event for this delivery, or says why not; `replaced`: the record found could not be used. */
  async claim (event: string, timeout: number): Promise<Claim> {
    const { store, claimTtl } = this.#settings
    const started = Date.now()
    const current = await storeCall(() => store.get(this.#key(event)), timeout)
    const record = current === undefined ? undefined : recordOf(current.value)
    if (record?.state === 'done') return { kind: 'done' }
    if (record?.state === 'running') return { kind: 'running' }
    const attempt = (record?.attempts ?? 0) + 1
    const version = await this.#write(event, { state: 'running', attempts: attempt }, current?.version, claimTtl, Math.max(1, timeout - (Date.now() - started)))
    // Another delivery claimed it between the read and the write.
    return version === undefined ? { kind: 'running' } : { kind: 'run', version, attempt, replaced: current !== undefined && record === undefined }
  }

  /** Holds a claim for another `claimTtl`: its new version, or undefined when it is another delivery's. */
  async renew (event: string, version: Version, attempt: number, timeout: number): Promise<Version | undefined> {
    return await this.#write(event, { state: 'running', attempts: attempt }, version, this.#settings.claimTtl, timeout)
  }

  async done (event: string, version: Version, attempt: number, timeout: number): Promise<Version | undefined> {
    return await this.#write(event, { state: 'done', attempts: attempt }, version, this.#settings.doneTtl, timeout)
  }

  async release (event: string, version: Version, attempt: number, timeout: number): Promise<Version | undefined> {
    return await this.#write(event, { state: 'free', attempts: attempt }, version, this.#settings.doneTtl, timeout)
  }
}
