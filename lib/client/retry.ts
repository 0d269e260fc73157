// Haptik documents no retry policy, idempotency key or Retry-After (haptik-rest-api.md §1.4): a call is sent again only
// where a repeat does no harm, or where the first never left this machine.

const BASE_DELAY = 500
const MAX_DELAY = 8_000
/** The longest `Retry-After` waited for; a longer one ends the call with its error. */
export const MAX_RETRY_AFTER = 60

/** The answers worth another attempt of a call that is safe to repeat. */
export function retryableStatus (status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** Exponential backoff from 0.5 s, at most 8 s, less up to a quarter at random (so that clients spread out). */
export function backoff (retry: number): number {
  const delay = Math.min(BASE_DELAY * 2 ** (retry - 1), MAX_DELAY)
  return Math.round(delay * (1 - Math.random() * 0.25))
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfter (value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

const NOTHING_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** Whether a failed fetch sent nothing: undici's `cause` has the code, or is an AggregateError of one per address tried. */
export function sentNothing (error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause
  const causes = cause instanceof AggregateError ? cause.errors : [cause]
  return causes.length > 0 && causes.every(inner => NOTHING_SENT.has(String((inner as { code?: unknown } | null)?.code)))
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts; leaves no timer behind. */
export async function sleep (ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    function onAbort (): void {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
