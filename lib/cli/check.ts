import Fastify from 'fastify'
import fastifyHaptik, { defineStep, type AnyStep } from '../index.js'
import { haptikRequest, signedRequest, undeclaredEntities, type RequestOverrides } from '../testing/index.js'
import { UsageError } from './errors.js'
import type { Io } from './io.js'
import { loadModule, stepsOf } from './modules.js'

// `send --steps`: a reply cannot tell an invalid entity from any StepFailure, so a throwaway app checks it (CONTRIBUTING).

/** The module's step for a request's step name: the same name, else the same ignoring case, as the plugin matches. */
function findStep (steps: readonly AnyStep[], name: string): AnyStep | undefined {
  return steps.find(step => step.name === name) ?? steps.find(step => step.name.toLowerCase() === name.toLowerCase())
}

/** The plugin's message for entities that do not match the step's schema: a copy that runs nothing rejects them. */
async function validationProblem (step: AnyStep, entities: Record<string, unknown>, overrides: RequestOverrides): Promise<string | undefined> {
  const copy = defineStep({ ...step, handler: () => '', secret: undefined, invalidEntities: 'reject', examples: undefined })
  const app = Fastify({ logger: false })
  try {
    await app.register(fastifyHaptik, { steps: [copy], allowUnsigned: true })
    const { payload, headers } = signedRequest(haptikRequest(step.name, entities, overrides))
    const response = await app.inject({ method: 'POST', url: copy.path, payload, headers })
    const { code, message } = response.json() as { code?: string, message?: string }
    return code === 'FST_HAPTIK_INVALID_ENTITY' ? message : undefined
  } finally {
    await app.close()
  }
}

/** What `--steps` finds wrong: entities the step does not declare (ignored), and values it will not take (it will not run). */
interface EntityCheck {
  undeclared: string | undefined
  invalid: string | undefined
}

export async function checkEntities (module: string, stepName: string, entities: Record<string, unknown>, overrides: RequestOverrides, io: Io): Promise<EntityCheck> {
  const { exports } = await loadModule(module, io, '--steps', `send <url> --steps ${module}`)
  const steps = stepsOf(exports)
  const step = findStep(steps, stepName)
  if (step === undefined) {
    const exported = steps.length === 0 ? 'no steps (export the steps made with defineStep, alone or in lists)' : `the steps ${steps.map(({ name }) => `"${name}"`).join(', ')}`
    throw new UsageError(`--steps: ${module} has no step "${stepName}": it exports ${exported}`)
  }
  return { undeclared: undeclaredEntities(step, entities), invalid: await validationProblem(step, entities, overrides) }
}
