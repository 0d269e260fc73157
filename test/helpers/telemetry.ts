// OpenTelemetry's SDKs as the tests observe the plugin with them: spans kept
// in memory, and metrics read when the test asks.
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics'

/** A tracer provider for `telemetry: { tracerProvider }`, and the exporter that keeps its finished spans. */
export function tracing () {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  return { exporter, tracerProvider }
}

/**
 * A meter provider for `telemetry: { meterProvider }`, and `collect()`: the
 * plugin's metrics as they stand, cumulative since the start.
 */
export function metering () {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const collect = async (): Promise<MetricData[]> => {
    await reader.forceFlush()
    return exporter.getMetrics().at(-1)?.scopeMetrics.find(scope => scope.scope.name === 'fastify-haptik')?.metrics ?? []
  }
  return { meterProvider, collect }
}
