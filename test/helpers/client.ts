// The client's tests against the stand-in of Haptik's REST APIs, over real
// sockets: a stand-in per test, closed by its teardown, and a client for it
// whose logger keeps every line.
import { createHaptikClient, type HaptikClient, type HaptikClientOptions } from '../../lib/client/index.js'
import { haptikApi, type HaptikApi, type HaptikApiOptions } from '../../lib/testing/index.js'
import { memoryLogger, type LogLine } from './logs.js'

export const TOKEN = 'hk-token-5f2a9c1e7b3d'
export const CLIENT_ID = 'hk-client-8e41d07a'

/** A stand-in, closed when the test ends. */
export async function standIn (t: { teardown: (fn: () => unknown) => void }, options: HaptikApiOptions = {}): Promise<HaptikApi> {
  const api = await haptikApi({ users: ['user-42'], ...options })
  t.teardown(() => api.close())
  return api
}

/** A client of the stand-in, business 343 (the docs' example), with a memory logger. */
export function clientOf (api: HaptikApi, options: Partial<HaptikClientOptions> = {}): { haptik: HaptikClient, lines: LogLine[] } {
  const { lines, logger } = memoryLogger()
  const haptik = createHaptikClient({ token: TOKEN, clientId: CLIENT_ID, baseUrl: api.url, businessId: 343, logger, ...options })
  return { haptik, lines }
}

/** Milliseconds since `start`. */
export const since = (start: number): number => Date.now() - start
