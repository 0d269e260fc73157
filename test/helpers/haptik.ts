import { createHmac } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions, type InjectOptions } from 'fastify'
import fastifyHaptik, { type FastifyHaptikOptions } from '../../lib/index.js'

export const SECRET = 'test-secret'

/** Haptik's signature, computed independently of the library under test. */
export function haptikSignature (body: string | Buffer, secret: string | Buffer = SECRET): string {
  return 'sha1=' + createHmac('sha1', secret).update(body).digest('hex')
}

/** A Haptik request body the way the platform sends it, entities given as detection lists. */
export function envelope (step: string, entities: Record<string, unknown[]>, extra: Record<string, unknown> = {}) {
  return {
    step,
    event: 'API_INTEGRATION',
    user: {
      user_id: '5120931',
      user_name: 'hk_8f2c1e',
      full_name: 'Asha Rao',
      device_platform: 5,
      language_code: 'en',
      auth_id: 'client-77',
      auth_code: 'c0de-s3cret'
    },
    conversation_no: 3,
    conversation_details: { cart_id: 'C-7781' },
    user_details: { city: 'Pune' },
    env_variables: { ORDERS_API: 'https://orders.example.test/v1' },
    entities,
    ...extra
  }
}

/** One detection, as Haptik lists it. */
export function detection (entityValue: unknown, originalText = String(entityValue)) {
  return { detection: 'message', original_text: originalText, entity_value: entityValue }
}

/** Entities as Haptik sends them, one plain-string detection per value. */
export function entities (values: Record<string, unknown>): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, [detection(value)]]))
}

/** A fresh app with the plugin registered; closed by the test's teardown. */
export async function haptikApp (
  t: { teardown: (fn: () => unknown) => void },
  options: Partial<FastifyHaptikOptions> & Pick<FastifyHaptikOptions, 'steps'>,
  serverOptions: FastifyServerOptions = {}
): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, ...options })
  await app.ready()
  return app
}

/** POSTs a body (object or exact bytes) signed like Haptik does. */
export function signedPost (
  app: FastifyInstance,
  url: string,
  body: unknown,
  { secret = SECRET, headers = {} }: { secret?: string, headers?: Record<string, string> } = {}
) {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  const options: InjectOptions = {
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(payload, secret), ...headers }
  }
  return app.inject(options)
}
