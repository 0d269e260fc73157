// What is logged, kept for the test to read: an app's lines through Fastify's
// `logger` option, and the REST client's through a logger object of its own.

export interface CapturedLogs<Line> {
  /** Fastify's `logger` option: every line at `level` or above is kept. */
  readonly logger: { level: string, redact?: string[], stream: { write: (line: string) => void } }
  /** Each line, parsed. */
  readonly lines: Line[]
  /** Each line as pino wrote it: JSON text and its newline. */
  readonly text: string[]
}

/**
 * A logger option for `Fastify({ logger })` and the lines it keeps. `Line`
 * names the fields a test reads; `redact` is pino's, for the tests of what a
 * redacted line still holds.
 */
export function captureLogs<Line = Record<string, unknown>> (level = 'info', { redact }: { redact?: string[] } = {}): CapturedLogs<Line> {
  const lines: Line[] = []
  const text: string[] = []
  const write = (line: string): void => {
    text.push(line)
    lines.push(JSON.parse(line))
  }
  return { logger: { level, ...(redact === undefined ? {} : { redact }), stream: { write } }, lines, text }
}

export interface LogLine { level: string, message: string, [field: string]: unknown }

/** A pino-style logger object, as the REST client takes, that keeps its lines, every level. */
export function memoryLogger (lines: LogLine[] = []) {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => { lines.push({ ...fields, level, message }) }
  return { lines, logger: { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn') } }
}
