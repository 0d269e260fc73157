import Fastify from 'fastify'
import fastifyHaptik, { defineStep, type AnyStep } from '../index.js'
import { haptikRequest, signedRequest, undeclaredEntities, type RequestOverrides } from '../testing/index.js'
import { UsageError } from './errors.js'
import type { Io } from './io.js'
import { loadModule, stepsOf } from './modules.js'

// `send --steps <module>`: the entities checked against the step's own
// schema before the call, so that a value the server will not take (the
// failure path with the invalid-entity message, and a warning in the
// server's log) is named on the command line.
//
// A reply cannot tell it: an entity that does not match answers the step's
// failure path with its invalidEntityMessage, which is the bot's own text
// (per step, per language) and has the shape of any StepFailure. So the
// check runs here, with the plugin's own validation and messages: the step,
// with a handler that does nothing, is served on a throwaway app that rejects
// invalid entities (400 FST_HAPTIK_INVALID_ENTITY, with the message the
// server logs), and the same request is injected into it.

/** The module's step for a request's step name: the same name, else the same ignoring case, as the plugin matches. */
function findStep (steps: readonly AnyStep[], name: string): AnyStep | undefined {
  return steps.find(step => step.name === name) ?? steps.find(step => step.name.toLowerCase() === name.toLowerCase())
}

/** The message the plugin answers for these entities, when they do not match the step's schema. */
async function validationProblem (step: AnyStep, entities: Record<string, unknown>, overrides: RequestOverrides): Promise<string | undefined> {
  // A copy that runs nothing, unsigned, and answers entities that do not match with a 400 that says why.
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

/** What `--steps` finds wrong with the entities sent to a step. */
export interface EntityCheck {
  /** The entities the step does not declare (the server ignores them), with the ones most likely meant and the required ones not given. */
  undeclared: string | undefined
  /** The plugin's own message for entities that do not match: the step will not run. */
  invalid: string | undefined
}

/**
 * Checks the entities sent to a step against the step the module exports:
 * entities it does not declare (with the one most likely meant), and the
 * plugin's own message for a value it will not take.
 */
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
