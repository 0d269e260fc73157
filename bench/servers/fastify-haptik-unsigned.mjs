// fastify-haptik with its step served unsigned (allowUnsigned): everything the
// plugin does but the HMAC, to show what its request path costs beside the check.
import Fastify from 'fastify'
import { ENTITIES, REPLIES, STEP } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'

const { default: fastifyHaptik, defineStep } = await loadHaptik()
const productPrice = defineStep({ name: STEP, entities: ENTITIES, handler: ({ entities }) => REPLIES[entities.product_name] })

const app = Fastify({ logger: false })
await app.register(fastifyHaptik, { allowUnsigned: true, steps: [productPrice], bodyLimit: 1024 * 1024 })
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
