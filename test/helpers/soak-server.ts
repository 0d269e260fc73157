// The server side of the soak (test/helpers/soak.ts): a child process, so its
// RSS and heap are the server's alone. Started with --expose-gc; answers
// 'sample' messages with its memory after a full collection.
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { defineStep } from '../../lib/index.js'
import { SECRET } from './haptik.js'
import { SOAK_BODY_LIMIT } from './soak.js'

const order = defineStep({
  name: 'order',
  entities: Type.Object({ ref: Type.String(), qty: Type.Optional(Type.Number()) }),
  handler: async ({ entities }) => {
    await Promise.resolve()
    return `ok ${entities.ref}`
  }
})
const boom = defineStep({
  name: 'boom',
  handler: () => { throw new Error('the database is down') }
})

async function main (): Promise<void> {
  const app = Fastify({ keepAliveTimeout: 30_000 })
  await app.register(fastifyHaptik, { secret: SECRET, bodyLimit: SOAK_BODY_LIMIT, steps: [order, boom] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const gc = (globalThis as { gc?: () => void }).gc
  process.on('message', (message: { type: string, id?: number }) => {
    if (message.type === 'sample') {
      gc?.()
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
      process.send?.({ type: 'sample', id: message.id, rss, heapUsed, heapTotal, external })
    } else if (message.type === 'stop') {
      app.close().then(() => process.exit(0), () => process.exit(1))
    }
  })
  process.on('disconnect', () => { app.close().finally(() => process.exit(0)) })
  process.send?.({ type: 'ready', port: (app.server.address() as AddressInfo).port, gc: gc !== undefined })
}

main().catch(error => {
  console.error(error)
  process.exit(1)
})
