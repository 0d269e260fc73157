import type * as Api from '@opentelemetry/api'

// @opentelemetry/api is an optional peer: an app with an OpenTelemetry SDK has
// it, and the plugin then reports to its global providers; without it, the
// plugin's telemetry is off (spans that record nothing, metrics that count
// nothing), as the API's own no-op providers would do. CommonJS in both builds,
// so that the API is looked for with require(), synchronously, from here; one
// object as module.exports, which ESM imports as its default export.

function load (): typeof Api | undefined {
  try {
    return require('@opentelemetry/api') as typeof Api
  } catch {
    return undefined
  }
}

const self = function (this: unknown) { return this }
const nothing = (): void => {}
const span: Api.Span = {
  spanContext: () => ({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 }),
  setAttribute: self,
  setAttributes: self,
  addEvent: self,
  addLink: self,
  addLinks: self,
  setStatus: self,
  updateName: self,
  end: nothing,
  isRecording: () => false,
  recordException: nothing
} as unknown as Api.Span
const instrument = { add: nothing, record: nothing }
const meter = { createCounter: () => instrument, createHistogram: () => instrument } as unknown as Api.Meter
const tracer = { startSpan: () => span } as unknown as Api.Tracer

const api = load()

const trace: Pick<typeof Api.trace, 'getTracerProvider' | 'setSpan'> = api?.trace ?? {
  getTracerProvider: () => ({ getTracer: () => tracer }),
  setSpan: (context: Api.Context) => context
}
const metrics: Pick<typeof Api.metrics, 'getMeterProvider'> = api?.metrics ?? {
  getMeterProvider: () => ({ getMeter: () => meter })
}
const context: Pick<typeof Api.context, 'active' | 'with'> = api?.context ?? {
  active: () => ({ getValue: () => undefined, setValue () { return this }, deleteValue () { return this } }),
  with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args)
}
const SpanKind = { INTERNAL: 0, CLIENT: 2 } as const satisfies Partial<Record<keyof typeof Api.SpanKind, Api.SpanKind>>
const SpanStatusCode = { ERROR: 2 } as const satisfies Partial<Record<keyof typeof Api.SpanStatusCode, Api.SpanStatusCode>>

export = { trace, metrics, context, SpanKind, SpanStatusCode }
