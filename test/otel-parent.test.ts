// With the application's own OpenTelemetry setup (the SDK registered
// globally, Fastify instrumented by @fastify/otel), each step's span is a child
// of the request's, and a handler's own spans are children of the step's.
import t from 'tap'
import Fastify from 'fastify'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import fastifyHaptik, { defineStep } from '../lib/index.js'
import { SECRET, envelope, signedPost } from './helpers/haptik.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
trace.setGlobalTracerProvider(provider)
const instrumentation = new FastifyOtelInstrumentation()
instrumentation.setTracerProvider(provider)

t.test("the step's span sits between the request's span and the handler's own", async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(instrumentation.plugin())
  const lookup = defineStep({
    name: 'lookup',
    handler: async () => {
      // What a handler's database or HTTP client does with the active context.
      await trace.getTracer('orders-db').startActiveSpan('orders.find', async span => { span.end() })
      return 'found'
    }
  })
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [lookup] })
  const res = await signedPost(app, '/haptik/lookup', envelope('lookup', {}))
  t.same(res.json(), { status: true, response: ['found'] })
  const spans = exporter.getFinishedSpans()
  const step = spans.find(span => span.name === 'haptik step lookup')
  const own = spans.find(span => span.name === 'orders.find')
  t.equal(step?.instrumentationScope.name, 'fastify-haptik', 'the step span, from the plugin')
  // The step span's ancestors, up to the root: @fastify/otel's handler span, then its request span.
  const ancestors: typeof spans = []
  for (let span = step; span?.parentSpanContext !== undefined;) {
    const parentId = span.parentSpanContext.spanId
    span = spans.find(one => one.spanContext().spanId === parentId)
    if (span !== undefined) ancestors.push(span)
  }
  t.same(ancestors.map(span => span.instrumentationScope.name), ['@fastify/otel', '@fastify/otel'], 'the step span has a parent from @fastify/otel')
  t.match(ancestors[0]?.name, /^handler - /, "its parent is the route handler's span")
  t.equal(ancestors[1]?.name, 'request', "whose parent is the request's span, the root")
  t.equal(own?.parentSpanContext?.spanId, step?.spanContext().spanId, "the handler's span is the step span's child")
  t.equal(new Set(spans.map(span => span.spanContext().traceId)).size, 1, 'one trace')
})
