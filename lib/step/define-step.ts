import { Type } from '@sinclair/typebox'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { BoundHaptikClient } from '../client/client.js'
import { InvalidOptionError } from '../errors.js'
import { type HaptikEnvelope, type HaptikUser } from '../wire/request-schema.js'
import { checkExamples, type StepExample } from './step-examples.js'
import type { StepResult } from '../reply/normalize-reply.js'
import type { ReplyOptions } from '../reply/failure-policy.js'
import type { JsonSchema, ObjectSchema, StaticOf } from '../schema-reading.js'
import type { SecretOption } from '../wire/secrets.js'
import type { UserText } from '../reply/languages.js'
import { DetailsSchema, StringDetailsSchema } from '../reply/reply-schema.js'
import type { StateOf } from './state-schema.js'

/** Entities that do not match: the failure path with `invalidEntityMessage` (`'failure'`), or a 400 (`'reject'`). */
export type InvalidEntities = 'failure' | 'reject'

/** What a step handler receives for one call; `State` and `UserState` are `StateOf<typeof Schema>`. */
export interface StepContext<Entities extends ObjectSchema = ObjectSchema, State = unknown, UserState = unknown> {
  /** The declared entities, flattened to their values and typed from the schema. */
  readonly entities: StaticOf<Entities>
  /** What a step of this registration last returned as `state` in this conversation, else the schema's `default`. */
  readonly state: State
  /** The user's state, kept across conversations: as `state`, for `userState`. */
  readonly userState: UserState
  readonly step: string
  /** The registration's `environment` label (e.g. `'test'`, `'production'`), if any. */
  readonly environment: string | undefined
  /** The user chatting with the bot (`{}` when Haptik sent none). */
  readonly user: HaptikUser
  /** The user's language code (`user.language_code`, e.g. `'hi'`), if Haptik sent it. */
  readonly language: string | undefined
  /** A text for the user's language (`{ default, hi }`): the exact code, else without its region, else `default`. */
  localize: (text: UserText) => string
  /** The request's `event` (Haptik's docs show `API_INTEGRATION`), if sent. */
  readonly event: string | undefined
  /** The user's conversation number, when Haptik sent it. */
  readonly conversationNo: number | undefined
  /** Conversation-scoped context Haptik holds (`{}` when empty). */
  readonly conversationDetails: Record<string, unknown>
  /** User-scoped data Haptik holds (`{}` when empty). */
  readonly userDetails: Record<string, unknown>
  /** The bot's variables for the environment that made the call. */
  readonly env: Record<string, string>
  /** The whole request body as Haptik sent it. */
  readonly envelope: HaptikEnvelope
  /** Aborts when the step's deadline passes: hand it to `fetch` and friends. */
  readonly signal: AbortSignal
  /** The plugin's `client`, bound to this call: ends at the deadline, fills in `userName` and `authId` (docs/client.md). */
  readonly haptik: BoundHaptikClient
  /** The request logger, bound to this step. */
  readonly log: FastifyBaseLogger
  readonly request: FastifyRequest
  readonly reply: FastifyReply
}

/** Haptik keeps user_details values as strings: a schema with other values does not compile. */
type StringValued<T extends JsonSchema> = StaticOf<T> extends Record<string, string | undefined>
  ? unknown
  : { 'user_details values must be strings': never }

export type StepHandler<
  Entities extends ObjectSchema = ObjectSchema,
  ConversationDetails extends JsonSchema = JsonSchema,
  UserDetails extends JsonSchema = JsonSchema,
  State extends JsonSchema | undefined = undefined,
  UserState extends JsonSchema | undefined = undefined
> = (context: StepContext<Entities, StateOf<State>, StateOf<UserState>>) =>
StepResult<StaticOf<ConversationDetails>, StaticOf<UserDetails>, StateOf<State>, StateOf<UserState>> |
Promise<StepResult<StaticOf<ConversationDetails>, StaticOf<UserDetails>, StateOf<State>, StateOf<UserState>>>

/** Everything `defineStep` takes; `channels`, `channelLimits` and `onFailure` (ReplyOptions) override the plugin's. */
export interface StepDefinition<
  Entities extends ObjectSchema = ObjectSchema,
  ConversationDetails extends JsonSchema = JsonSchema,
  UserDetails extends JsonSchema = JsonSchema,
  State extends JsonSchema | undefined = undefined,
  UserState extends JsonSchema | undefined = undefined
> extends ReplyOptions {
  /** The step's system name in Haptik's bot builder; also the default route path. */
  name: string
  /** Route path under the plugin's prefix. Default: `/<name>`. */
  path?: string | undefined
  /** The entities as a TypeBox object over entity *values*. Default: none. */
  entities?: Entities | undefined
  /** Schema of the `conversation_details` the handler returns. Default: any object. */
  conversationDetails?: ConversationDetails | undefined
  /** Schema of the `user_details` the handler returns; Haptik keeps strings. Default: string values. */
  userDetails?: UserDetails & StringValued<UserDetails> | undefined
  handler: StepHandler<Entities, ConversationDetails, UserDetails, State, UserState>
  /** Conversation state's schema: read `context.state`, return `{ response, state }`; `withDefault` types its default. */
  state?: State
  /** Schema of the user's state, kept across conversations: `context.userState`, returned as `userState`. */
  userState?: UserState
  /** Safe to run twice: on a state conflict it runs again on the new state, not the failure path. Default: `false`. */
  repeatable?: boolean | undefined
  /** Overrides the plugin's `secret` for this step. */
  secret?: SecretOption | undefined
  /** Overrides the plugin's `timeout` (ms) for this step. */
  timeout?: number | undefined
  /** Overrides the plugin's `fallbackMessage` for this step. */
  fallbackMessage?: UserText | undefined
  /** Overrides the plugin's `invalidEntities` for this step. */
  invalidEntities?: InvalidEntities | undefined
  /** Overrides the plugin's `invalidEntityMessage` for this step. */
  invalidEntityMessage?: UserText | undefined
  /** OpenAPI summary of the route. */
  summary?: string | undefined
  /** OpenAPI description of the route. */
  description?: string | undefined
  /** OpenAPI tags of the route. */
  tags?: string[] | undefined
  /** The step returns `handoff()`: without `examples`, its documented reply is the hand-over. Default: `false`. */
  handsOver?: boolean | undefined
  /** Example calls for the OpenAPI docs: entity values and the reply they get. */
  examples?: ReadonlyArray<StepExample<StaticOf<Entities>, StepResult<StaticOf<ConversationDetails>, StaticOf<UserDetails>, StateOf<State>, StateOf<UserState>>>> | undefined
}

const kStep = Symbol.for('fastify-haptik.step')

/** A step made by `defineStep`, ready to pass to the plugin's `steps`. */
export interface HaptikStep<
  Entities extends ObjectSchema = ObjectSchema,
  ConversationDetails extends JsonSchema = JsonSchema,
  UserDetails extends JsonSchema = JsonSchema,
  State extends JsonSchema | undefined = undefined,
  UserState extends JsonSchema | undefined = undefined
> extends Readonly<Omit<StepDefinition<Entities, ConversationDetails, UserDetails, State, UserState>, 'path' | 'entities' | 'conversationDetails' | 'userDetails'>> {
  readonly path: string
  readonly entities: Entities
  readonly conversationDetails: ConversationDetails
  readonly userDetails: UserDetails
  readonly [kStep]: true
}

/** Any step, whatever its schemas; the element type of the `steps` option. */
export type AnyStep = HaptikStep<any, any, any, any, any>

const STEP_NAME = /^[A-Za-z0-9_.-]+$/

const NoEntities = Type.Object({})

/** Whether a value is a step made by `defineStep`. */
export function isStep (value: unknown): value is AnyStep {
  return typeof value === 'object' && value !== null && (value as AnyStep)[kStep] === true
}

/**
 * Declares a Haptik step: the handler's `entities` are typed from the schema, its reply checked against the details.
 * @example
 * ```ts
 * const productPrice = defineStep({
 *   name: 'product_price',
 *   entities: Type.Object({ product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) }),
 *   handler: async ({ entities }) => `You asked about the ${entities.product_name}`
 * })
 * ```
 */
export function defineStep<
  Entities extends ObjectSchema = typeof NoEntities,
  ConversationDetails extends JsonSchema = typeof DetailsSchema,
  UserDetails extends JsonSchema = typeof StringDetailsSchema,
  State extends JsonSchema | undefined = undefined,
  UserState extends JsonSchema | undefined = undefined
> (definition: StepDefinition<Entities, ConversationDetails, UserDetails, State, UserState>): HaptikStep<Entities, ConversationDetails, UserDetails, State, UserState> {
  if (typeof definition !== 'object' || definition === null) {
    throw new InvalidOptionError('defineStep expects an object with name, entities and handler')
  }
  const { name, path = `/${name}`, handler } = definition
  if (typeof name !== 'string' || !STEP_NAME.test(name)) {
    throw new InvalidOptionError(`step name must be a non-empty string of letters, digits, "_", "-" or ".", got ${JSON.stringify(name)}`)
  }
  if (typeof handler !== 'function') {
    throw new InvalidOptionError(`step "${name}": handler must be a function`)
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new InvalidOptionError(`step "${name}": path must start with "/", got ${JSON.stringify(path)}`)
  }
  const entities = definition.entities ?? NoEntities
  if (entities.type !== 'object' || typeof entities.properties !== 'object' || entities.properties === null) {
    throw new InvalidOptionError(`step "${name}": entities must be a TypeBox object schema (Type.Object({...}))`)
  }
  for (const flag of ['handsOver', 'repeatable'] as const) {
    if (definition[flag] !== undefined && typeof definition[flag] !== 'boolean') throw new InvalidOptionError(`step "${name}": ${flag} must be a boolean`)
  }
  for (const schema of ['state', 'userState'] as const) {
    const declared = definition[schema] as unknown
    if (declared !== undefined && (typeof declared !== 'object' || declared === null)) {
      throw new InvalidOptionError(`step "${name}": ${schema} must be a TypeBox schema (e.g. Type.Object({...}))`)
    }
  }
  checkExamples(name, definition.examples)
  return Object.freeze({
    ...definition,
    path,
    entities: entities as Entities,
    conversationDetails: (definition.conversationDetails ?? DetailsSchema) as ConversationDetails,
    userDetails: (definition.userDetails ?? StringDetailsSchema) as UserDetails,
    [kStep]: true as const
  })
}
