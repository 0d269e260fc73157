import { existsSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isStep, type AnyStep } from '../index.js'
import { CommandFailure, UsageError } from './errors.js'
import type { Io } from './io.js'

// The user's own modules, as `openapi <module>` and `send --steps <module>` load them.

/** A loaded module's exports. */
export type Exports = Record<string, unknown>

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx'])

/**
 * The message for a module that does not load: with the way out for
 * TypeScript sources, the command under a loader (`command` is how the
 * command was called, e.g. `openapi src/steps.ts`).
 */
export function loadFailure (module: string, error: unknown, command = `openapi ${module}`): CommandFailure {
  const { code, message } = error as NodeJS.ErrnoException
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && TYPESCRIPT.has(extname(module))) {
    return new CommandFailure(`cannot load ${module}: Node.js does not run TypeScript by itself. ` +
      'Compile it to JavaScript first, or run the command under a TypeScript loader, e.g. ' +
      `node --import tsx node_modules/.bin/fastify-haptik ${command}`)
  }
  return new CommandFailure(`cannot load ${module}: ${message}`)
}

/** Imports a module by its path from the working directory; `what` names it in a usage error. */
export async function loadModule (module: string, io: Io, what = '<module>', command?: string): Promise<{ path: string, exports: Exports }> {
  const path = resolve(io.cwd, module)
  if (!existsSync(path)) throw new UsageError(`${what}: no such file: ${path}`)
  try {
    return { path, exports: await import(pathToFileURL(path).href) }
  } catch (error) {
    throw loadFailure(module, error, command)
  }
}

/** Every step the module exports, alone or in lists, once each. */
export function stepsOf (exports: Exports): AnyStep[] {
  return [...new Set(Object.values(exports).flat().filter(isStep))]
}
