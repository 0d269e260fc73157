import Fastify, { type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { pathToFileURL } from 'node:url'
// In your own app: import fastifyHaptik from 'fastify-haptik'
import fastifyHaptik, { haptikSwaggerUiConfig } from '../lib/index.js'
import { prometheusMetrics } from './metrics.js'
import { flightSearch, nearestStore, productPrice } from './steps.js'

export interface ExampleOptions {
  secret: string
  logger?: FastifyServerOptions['logger']
  /** Serve Prometheus metrics of the steps at GET /metrics. */
  metrics?: boolean
}

/** The example server: Haptik's sample steps under /haptik, next to the app's own routes; docs at /documentation. */
export async function build ({ secret, logger = false, metrics = false }: ExampleOptions) {
  // Timeouts as docs/security.md advises: slow clients never hold a connection for long.
  const app = Fastify({ logger, requestTimeout: 15_000, http: { headersTimeout: 10_000 } }).withTypeProvider<TypeBoxTypeProvider>()
  const prometheus = metrics ? prometheusMetrics() : undefined
  await app.register(swagger, {
    openapi: { info: { title: 'fastify-haptik example', version: '1.0.0' } }
  })
  // Try it out signs calls with the step secret entered under Authorize.
  await app.register(swaggerUi, { routePrefix: '/documentation', uiConfig: haptikSwaggerUiConfig() })
  await app.register(fastifyHaptik, {
    prefix: '/haptik',
    secret,
    steps: [productPrice, nearestStore, flightSearch],
    telemetry: { meterProvider: prometheus?.meterProvider }
  })
  prometheus?.serve(app)
  // The app's own routes, typed by the same provider.
  app.get('/health', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }))
  app.get('/stores/:city', { schema: { params: Type.Object({ city: Type.String() }) } }, async request => ({ city: request.params.city, open: true }))
  return app
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { HAPTIK_SECRET = '', PORT = '3000', HOST = '127.0.0.1', HAPTIK_METRICS = '' } = process.env
  const app = await build({ secret: HAPTIK_SECRET === '' ? 'test' : HAPTIK_SECRET, logger: true, metrics: HAPTIK_METRICS === '1' })
  if (HAPTIK_SECRET === '') {
    app.log.warn('HAPTIK_SECRET is not set: using the secret "test". Set it to the step secret from the bot builder.')
  }
  await app.listen({ port: Number(PORT), host: HOST })
}
