import type { TSchema } from '@sinclair/typebox'
import type { JsonSchema } from '../schema-reading.js'
import type { DetailsLimits, DetailsRules } from '../reply/details.js'
import type { ReplyPolicy } from '../reply/failure-policy.js'
import type { UserText } from '../reply/languages.js'
import { ReplySchema } from '../reply/reply-schema.js'
import { bodyParts, type BodyPart, type SchemaPool } from '../wire/request-validation.js'
import type { StepAuth } from '../wire/secrets.js'
import { stepKey } from '../wire/step-names.js'
import type { AnyStep, InvalidEntities, StepHandler } from './define-step.js'
import { digitsEntities, entityReaders, type EntityReader } from './entities.js'
import { stateRules, type StateRules } from './conversation-state.js'
import { catalogEntry } from './catalog-entry.js'

/** A step's settings: its own options, else the plugin's, resolved and checked by options.ts. */
interface StepSettings {
  readonly auth: StepAuth
  readonly timeout: number
  readonly fallbackMessage: UserText
  readonly invalidEntities: InvalidEntities
  readonly invalidEntityMessage: UserText
  readonly environment: string | undefined
  readonly detailsLimit: DetailsLimits | null
  readonly replies: ReplyPolicy
}

/** One step as served, made once at registration: its route, the dispatch route, the error handler and the docs read it. */
export interface ServedStep extends Omit<StepSettings, 'detailsLimit'> {
  readonly definition: AnyStep
  readonly name: string
  readonly key: string
  readonly label: string
  readonly handler: StepHandler
  readonly readers: readonly EntityReader[]
  /** The entities declared as `Entities.Digits`, refused when sent as numbers. */
  readonly digits: readonly string[]
  readonly details: DetailsRules
  /** Haptik's request with this step's entities, in the parts it is validated by (request-validation.ts). */
  readonly bodyParts: readonly BodyPart[]
  readonly replySchema: TSchema
  readonly stateRules: Readonly<{ state: StateRules | undefined, userState: StateRules | undefined }>
  readonly stateful: boolean
  readonly repeatable: boolean
}

/** The catalog's entities are compiled when the server starts: few, and declared by many steps. */
const isCatalogEntry = (value: JsonSchema) => catalogEntry(value) !== undefined

export function serveStep (definition: AnyStep, { detailsLimit, ...settings }: StepSettings, schemas: SchemaPool): ServedStep {
  const { name, entities, conversationDetails, userDetails } = definition
  const stateRulesOf = Object.freeze({ state: stateRules(definition.state), userState: stateRules(definition.userState) })
  return Object.freeze({
    ...settings,
    definition,
    name,
    key: stepKey(name),
    label: `Step "${name}"`,
    handler: definition.handler as StepHandler,
    readers: entityReaders(entities),
    digits: digitsEntities(entities),
    details: Object.freeze({ conversationDetails, userDetails, detailsLimit }),
    bodyParts: bodyParts(entities, schemas, isCatalogEntry),
    replySchema: ReplySchema(conversationDetails, userDetails),
    stateRules: stateRulesOf,
    stateful: stateRulesOf.state !== undefined || stateRulesOf.userState !== undefined,
    repeatable: definition.repeatable === true
  })
}
