import type { StepRuntime } from '../step/context.js'
import type { BodyDeadlines } from '../wire/body-deadline.js'
import type { RequestValidation } from '../wire/request-validation.js'
import type { SecretLookup } from '../wire/secret-lookup.js'

/** What the routes of one registration of the plugin share at run time. */
export interface Registration extends StepRuntime {
  readonly lookup: SecretLookup
  readonly deadlines: BodyDeadlines
  readonly validation: RequestValidation
  closing: boolean
}
