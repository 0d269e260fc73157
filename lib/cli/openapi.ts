import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyHaptik from '../index.js'
import { CommandFailure, EXIT_OK } from './errors.js'
import type { Io } from './io.js'
import { loadModule, stepsOf, type Exports } from './modules.js'

/** The `openapi` command's flags, as parsed. */
export interface OpenapiOptions {
  yaml?: boolean
  output?: string
  prefix: string
  title: string
  /** OpenAPI 3.1 with a `webhooks` entry per step (exported steps only). */
  webhooks?: boolean
  buildOptions: Record<string, unknown>
}

type AppWithSwagger = FastifyInstance & { swagger: (options?: { yaml?: boolean }) => unknown }

/** `@fastify/swagger` as installed next to the module (an optional peer dependency). */
async function loadSwagger (path: string, module: string) {
  let resolved: string
  try {
    resolved = createRequire(path).resolve('@fastify/swagger')
  } catch {
    throw new CommandFailure(`the openapi command needs @fastify/swagger, which is not installed where ${module} is: npm install --save-dev @fastify/swagger`)
  }
  const swagger = await import(pathToFileURL(resolved).href)
  return swagger.default
}

function isApp (value: unknown): value is FastifyInstance {
  return typeof value === 'object' && value !== null && typeof (value as FastifyInstance).ready === 'function'
}

/** Runs a step of the command; its failure becomes a CommandFailure that says which step failed. */
async function failingAs <T> (what: string, job: () => Promise<T>): Promise<T> {
  try {
    return await job()
  } catch (error) {
    throw new CommandFailure(`${what}: ${(error as Error).message}`)
  }
}

/** The app the module's build function (named `build`, or the default export) returns, loaded. */
async function builtApp (module: string, build: (options: Record<string, unknown>) => unknown, options: Record<string, unknown>): Promise<AppWithSwagger> {
  const app = await failingAs(`${module}: building the app failed`, async () => await build(options))
  if (!isApp(app)) {
    throw new CommandFailure(`${module}: its build function must return a Fastify app (or a promise of one), got ${app === null ? 'null' : typeof app}`)
  }
  await failingAs(`${module}: the app it builds failed to start`, async () => { await app.ready() })
  if (typeof (app as Partial<AppWithSwagger>).swagger !== 'function') {
    await app.close()
    throw new CommandFailure(`${module}: the app its build function returns has no @fastify/swagger: register @fastify/swagger before fastify-haptik there, or export the steps instead`)
  }
  return app as AppWithSwagger
}

/** A throwaway app serving the steps the module exports, described by @fastify/swagger. */
async function stepsApp (module: string, path: string, exports: Exports, options: OpenapiOptions): Promise<AppWithSwagger> {
  const steps = stepsOf(exports)
  if (steps.length === 0) {
    throw new CommandFailure(`${module} exports no steps and no build function: export the steps made with defineStep (or a list of them), or a function build() that returns the Fastify app`)
  }
  const swagger = await loadSwagger(path, module)
  const app = Fastify({ logger: false })
  await failingAs(`${module}: its steps cannot be served`, async () => {
    const webhooks = options.webhooks === true
    await app.register(swagger, { openapi: { ...(webhooks ? { openapi: '3.1.0' } : {}), info: { title: options.title, version: '1.0.0' } } })
    // A placeholder secret: no request is served, and the steps are documented as signed, as they will be.
    await app.register(fastifyHaptik, { prefix: options.prefix, steps, secret: 'documentation-only', openapi: { webhooks } })
    await app.ready()
  })
  return app as unknown as AppWithSwagger
}

/** `fastify-haptik openapi`: the OpenAPI document of a module's steps (or of the app it builds), without a server. */
export async function openapi (module: string, options: OpenapiOptions, io: Io): Promise<number> {
  const { path, exports } = await loadModule(module, io)
  const build = typeof exports.build === 'function' ? exports.build : exports.default
  const app = typeof build === 'function'
    ? await builtApp(module, build as (options: Record<string, unknown>) => unknown, options.buildOptions)
    : await stepsApp(module, path, exports, options)
  let document: string
  try {
    document = options.yaml === true ? String(app.swagger({ yaml: true })) : JSON.stringify(app.swagger(), null, 2) + '\n'
  } finally {
    await app.close()
  }
  if (options.output === undefined) {
    io.stdout(document)
    return EXIT_OK
  }
  try {
    await writeFile(resolve(io.cwd, options.output), document)
  } catch (error) {
    throw new CommandFailure(`--output: cannot write ${options.output} (${(error as NodeJS.ErrnoException).code})`)
  }
  io.stderr(`wrote the OpenAPI document to ${options.output}\n`)
  return EXIT_OK
}
