import type { FastifyInstance } from 'fastify'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

/**
 * The OpenTelemetry metrics SDK with a Prometheus exporter, served by the app
 * at GET /metrics (no second port): hand `meterProvider` to fastify-haptik's
 * `telemetry` option, or register it globally before the plugin.
 */
export function prometheusMetrics () {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  return {
    meterProvider,
    /** Adds GET /metrics to the app, and shuts the SDK down with it. */
    serve (app: FastifyInstance) {
      app.get('/metrics', (request, reply) => {
        reply.hijack()
        exporter.getMetricsRequestHandler(request.raw, reply.raw)
      })
      app.addHook('onClose', async () => { await meterProvider.shutdown() })
    }
  }
}
