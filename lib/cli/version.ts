import { createRequire } from 'node:module'

/** The installed package's version, read from its own package.json (which its exports map offers). */
export function packageVersion (): string {
  const { version } = createRequire(import.meta.url)('fastify-haptik/package.json') as { version: string }
  return version
}
