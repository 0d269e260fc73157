import { InvalidOptionError } from '../errors.js'
import { normalizeReply, type StepResult } from '../reply/normalize-reply.js'

/** One example call of a step, shown in the OpenAPI docs: the entity values sent and the reply. */
export interface StepExample<EntityValues = Record<string, unknown>, Reply = StepResult> {
  /** Names the example in the docs' lists of request and reply examples. */
  summary?: string | undefined
  /** The entity values of the call, as the handler sees them. Default: values built from the schemas. */
  entities?: EntityValues | undefined
  /** What the step answers: anything a handler may return, e.g. a string or `{ response, user_details }`. */
  reply: Reply
}

export function checkExamples (step: string, examples: unknown): void {
  if (examples === undefined) return
  if (!Array.isArray(examples)) {
    throw new InvalidOptionError(`step "${step}": examples must be a list of { summary?, entities?, reply }`)
  }
  examples.forEach((example: unknown, index) => {
    const where = `step "${step}": examples[${index}]`
    if (typeof example !== 'object' || example === null || !('reply' in example)) {
      throw new InvalidOptionError(`${where} must be an object with a reply`)
    }
    const { summary, entities, reply } = example as StepExample<unknown, unknown>
    if (summary !== undefined && typeof summary !== 'string') throw new InvalidOptionError(`${where}.summary must be a string`)
    if (entities !== undefined && (typeof entities !== 'object' || entities === null || Array.isArray(entities))) {
      throw new InvalidOptionError(`${where}.entities must be an object of entity values`)
    }
    try {
      normalizeReply(reply, step)
    } catch (error) {
      throw new InvalidOptionError(`${where}.reply is not a reply: ${(error as Error).message}`)
    }
  })
}
