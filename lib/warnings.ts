import processWarning from 'process-warning'

// Printed on stderr once per process per code, logger or not; `node --disable-warning=FSTHAPTIK002` silences one.

const warning = (code: string, message: string) => processWarning.createWarning({ name: 'FastifyHaptikWarning', code, message })

export const SwaggerAfterPlugin = warning('FSTHAPTIK001',
  '@fastify/swagger was registered after fastify-haptik, so its document has none of the step routes; register @fastify/swagger first (docs/openapi.md)')

export const NoRequestTimeout = warning('FSTHAPTIK002',
  'the server has no requestTimeout, so a client that sends its request slowly holds its connection for as long as it likes; ' +
  'set one, e.g. Fastify({ requestTimeout: 15_000, http: { headersTimeout: 10_000 } }) (docs/security.md#server-settings)')

export const UnsignedSteps = warning('FSTHAPTIK003',
  'allowUnsigned is on; these steps accept calls that anyone can forge: %s')

export const WebhooksNeedOpenapi31 = warning('FSTHAPTIK004',
  "openapi: { webhooks: true } adds each step to the webhooks section of OpenAPI 3.1, and this document is %s, which has none: register @fastify/swagger with openapi: { openapi: '3.1.0' } (docs/openapi.md)")
