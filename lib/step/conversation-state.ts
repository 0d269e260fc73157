import type { FastifyRequest } from 'fastify'
import { InvalidReplyError, InvalidStoredStateError, StateConflictError, StateTooLargeError, StoreUnavailableError } from '../errors.js'
import { checkedData, checkedJson } from '../reply/details.js'
import { isThenable, whenSettled } from '../untrusted.js'
import { idPart } from '../store/keys.js'
import { storeCall, StoreTimeoutError, writeWithin } from '../store/store-call.js'
import type { StateStore, Version, Versioned } from '../store/state-store.js'
import { parseJsonText } from '../wire/json-body-parser.js'
import { idText } from '../wire/number-text.js'
import type { HaptikEnvelope } from '../wire/request-schema.js'
import { keywordsOf } from '../schema-reading.js'

/** How one registration of the plugin keeps state; times in milliseconds. */
export interface StateSettings {
  readonly store: StateStore
  readonly ttl: number
  /** undefined: until replaced. */
  readonly userTtl: number | undefined
  readonly limit: number
  /** Starts every key: registrations with the same namespace and store share state. */
  readonly namespace: string
  readonly timeout: number
}

export interface StateRules {
  readonly schema: object
  /** The schema's `default`, as JSON text (a fresh copy for every call). */
  readonly initial: string | undefined
}

export function stateRules (schema: object | undefined): StateRules | undefined {
  if (schema === undefined) return undefined
  // Ajv's strict mode refuses a `default` at a schema's root: it is the plugin's to apply.
  const { default: initial, ...checked } = keywordsOf(schema)
  return Object.freeze({ schema: checked, initial: initial === undefined ? undefined : JSON.stringify(initial) })
}

type Kind = 'state' | 'userState'

const WHAT: Record<Kind, string> = { state: "conversation's state", userState: "user's state" }

type StoreObserver = <T>(operation: 'get' | 'set', run: () => T | Promise<T>) => T | Promise<T>

interface Slot {
  readonly kind: Kind
  readonly rules: StateRules
  readonly key: string | undefined
  version: Version | undefined
  value: unknown
}

/** Both keys of one user share a hash tag (`{…}`), so that Redis Cluster can write them in one step. */
function keysOf (namespace: string, request: FastifyRequest): Record<Kind, string> | undefined {
  const { user, conversation_no: conversationNo } = request.body as HaptikEnvelope
  const userId = user?.user_id
  if (userId === undefined || userId === '') return undefined
  const tagged = `${namespace}:{${idPart(idText(userId, request.rawBody as Buffer, ['user', 'user_id']))}}`
  return { state: `${tagged}:conversation:${conversationNo ?? ''}`, userState: `${tagged}:user` }
}

export class CallState {
  readonly #slots: Slot[]
  readonly #settings: StateSettings
  readonly #step: string
  readonly #request: FastifyRequest
  readonly #observe: StoreObserver
  #reading = 0
  #writing = 0
  /** Some state of this call was saved: the call is not run again. */
  written = false

  constructor (step: string, rules: Readonly<Record<Kind, StateRules | undefined>>, settings: StateSettings, request: FastifyRequest, observe: StoreObserver) {
    const keys = keysOf(settings.namespace, request)
    this.#slots = (['state', 'userState'] as const)
      .filter(kind => rules[kind] !== undefined)
      .map(kind => ({ kind, rules: rules[kind] as StateRules, key: keys?.[kind], version: undefined, value: undefined }))
    this.#settings = settings
    this.#step = step
    this.#request = request
    this.#observe = observe
  }

  value (kind: Kind): unknown {
    return this.#slots.find(slot => slot.kind === kind)?.value
  }

  /** Undefined when the store answered at once (memoryStore): no promise, no tick. */
  load (): Promise<void> | undefined {
    let pending: Array<Promise<void>> | undefined
    try {
      for (const slot of this.#slots) {
        const loading = this.#load(slot)
        if (loading !== undefined) (pending ??= []).push(loading)
      }
    } catch (error) {
      // A store may answer one key later and throw at once for the other: the read under way must not reject unheard.
      for (const loading of pending ?? []) loading.catch(() => {})
      throw error
    }
    return pending === undefined ? undefined : Promise.all(pending).then(() => {})
  }

  #load (slot: Slot): Promise<void> | undefined {
    if (slot.key === undefined) return this.#loaded(slot, undefined)
    const key = slot.key
    const stored = this.#call('get', () => this.#settings.store.get(key))
    return isThenable(stored) ? stored.then(value => this.#loaded(slot, value)) : this.#loaded(slot, stored)
  }

  #loaded (slot: Slot, stored: Versioned | undefined): undefined {
    slot.version = stored?.version
    slot.value = stored === undefined ? this.#initial(slot) : this.#usable(slot, stored.value)
    return undefined
  }

  #initial (slot: Slot): unknown {
    return slot.rules.initial === undefined ? undefined : JSON.parse(slot.rules.initial)
  }

  /** Checked as a request is (after a deploy it may not fit): if unusable, the default, its version kept. */
  #usable (slot: Slot, text: string): unknown {
    try {
      if (text.length > this.#settings.limit) throw new Error(`it is ${text.length} characters, over the stateLimit of ${this.#settings.limit}`)
      const data = parseJsonText(text)
      return checkedJson(this.#request, slot.rules.schema, text, slot.kind, reason => new Error(`it no longer fits the step's schema: ${reason}`), 'state is read as it was stored', data).value
    } catch (error) {
      const unusable = new InvalidStoredStateError(this.#step, WHAT[slot.kind], (error as Error).message)
      this.#request.log.warn({ step: this.#step, err: unusable }, unusable.message)
      return this.#initial(slot)
    }
  }

  /** Compare-and-set against the versions read, both at once when the store can: false when another call won. */
  save (returned: { state?: unknown, userState?: unknown }): boolean | Promise<boolean> {
    const writes = this.#slots.filter(slot => returned[slot.kind] !== undefined).map(slot => ({ slot, text: this.#checked(slot, returned[slot.kind]) }))
    const { store } = this.#settings
    if (writes.length < 2 || store.setAll === undefined) return this.#writeEach(writes, 0)
    const setAll = store.setAll.bind(store)
    const entries = writes.map(({ slot, text }) => ({ key: slot.key as string, value: text, version: slot.version, ttl: this.#ttl(slot) }))
    const versions = this.#call('set', () => setAll(entries, writeWithin(this.#settings.timeout)))
    const saved = (written: readonly Version[] | undefined) => written !== undefined && writes.every(({ slot }, index) => this.#saved(slot, written[index]))
    return isThenable(versions) ? versions.then(saved) : saved(versions)
  }

  #ttl (slot: Slot): number | undefined {
    return slot.kind === 'state' ? this.#settings.ttl : this.#settings.userTtl
  }

  #writeEach (writes: ReadonlyArray<{ slot: Slot, text: string }>, from: number): boolean | Promise<boolean> {
    for (let index = from; index < writes.length; index++) {
      const { slot, text } = writes[index]
      const { store, timeout } = this.#settings
      const version = this.#call('set', () => store.set(slot.key as string, text, slot.version, this.#ttl(slot), writeWithin(timeout)))
      if (isThenable(version)) return version.then(written => this.#saved(slot, written) && this.#writeEach(writes, index + 1))
      if (!this.#saved(slot, version)) return false
    }
    return true
  }

  #saved (slot: Slot, version: Version | undefined): boolean {
    if (version === undefined) return false
    slot.version = version
    this.written = true
    return true
  }

  #checked (slot: Slot, value: unknown): string {
    if (slot.key === undefined) throw new InvalidReplyError(this.#step, `${slot.kind} cannot be kept: the request has no user.user_id`)
    const { text } = checkedData(this.#request, slot.rules.schema, value, slot.kind, this.#step, 'state is kept as the handler returns it')
    if (text.length > this.#settings.limit) throw new StateTooLargeError(this.#step, slot.kind, text.length, this.#settings.limit)
    return text
  }

  conflict (): Error {
    return new StateConflictError(this.#step, this.#slots.map(slot => WHAT[slot.kind]).join(' or '))
  }

  /** A write is under way: its outcome, which comes within storeTimeout, decides the answer. */
  get writing (): boolean {
    return this.#writing > 0
  }

  /** The error for a deadline that passed while the store was still being read. */
  slowStore (timeout: number): Error | undefined {
    return this.#reading === 0 ? undefined : new StoreUnavailableError(this.#step, this.#settings.store.kind, `did not answer within the step's timeout of ${timeout} ms`)
  }

  #call<T> (operation: 'get' | 'set', run: () => T | PromiseLike<T>): T | Promise<T> {
    const reading = operation === 'get'
    if (reading) this.#reading++
    else this.#writing++
    const done = () => {
      if (reading) this.#reading--
      else this.#writing--
    }
    return whenSettled(() => this.#observe(operation, () => storeCall(run, this.#settings.timeout)), value => {
      done()
      return value
    }, error => {
      done()
      throw this.#unavailable(reading ? 'read' : 'write', error)
    })
  }

  #unavailable (verb: string, cause: unknown): Error {
    const failure = new StoreUnavailableError(this.#step, this.#settings.store.kind, cause instanceof StoreTimeoutError ? cause.message : `could not ${verb} the state`)
    failure.cause = cause
    return failure
  }
}
