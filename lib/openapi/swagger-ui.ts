/** A request as swagger-ui hands it to a `requestInterceptor`. */
export interface SwaggerUiRequest {
  [field: string]: unknown
  headers?: Record<string, string>
  body?: unknown
}

/** Options for @fastify/swagger-ui's `uiConfig`: see `haptikSwaggerUiConfig`. */
interface HaptikSwaggerUiConfig {
  requestInterceptor: (request: SwaggerUiRequest) => Promise<SwaggerUiRequest>
  /** The request shown after a call (and in its curl line) is the signed one, never the one carrying the secret. */
  showMutatedRequest: true
  /** Deep enough to show each entity's value schema. */
  defaultModelExpandDepth: number
}

// The interceptor runs in the browser, and @fastify/swagger-ui writes it into the page with
// `toString()`: kept as source text, no compiler or loader that rewrites functions can break it.
const SIGN_REQUEST_SOURCE = `async function signHaptikRequest (request) {
  // Only operations secured by haptikSignature carry this header: it holds the secret typed in Authorize.
  const headers = request.headers || {}
  const header = Object.keys(headers).find(name => name.toLowerCase() === 'x-hub-signature')
  if (header === undefined) return request
  const secret = headers[header]
  delete headers[header]
  if (typeof secret !== 'string' || secret === '') throw new Error('Enter the step secret under Authorize')
  if (request.body !== undefined && typeof request.body !== 'string') throw new Error('Only a JSON text body can be signed')
  if (!globalThis.crypto || !globalThis.crypto.subtle) {
    throw new Error('Signing needs WebCrypto, which browsers offer only to secure pages: open the docs over https or on localhost')
  }
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign'])
  // fetch sends a string body as UTF-8: these are the exact bytes the server checks.
  const digest = await crypto.subtle.sign('HMAC', key, encoder.encode(request.body || ''))
  headers['X-Hub-Signature'] = 'sha1=' + Array.from(new Uint8Array(digest), byte => byte.toString(16).padStart(2, '0')).join('')
  request.headers = headers
  return request
}`

/**
 * Options for @fastify/swagger-ui's `uiConfig` that make "Try it out" work on
 * signed steps: the user enters the step secret under Authorize, and the page
 * signs each call's exact body with it (HMAC-SHA1 with WebCrypto, so on https
 * or localhost); the secret never leaves the browser. Pass `requestInterceptor`
 * as it is: it is copied into the page as source text, so a wrapper would lose it.
 *
 * @example
 * ```ts
 * await app.register(swaggerUi, { routePrefix: '/documentation', uiConfig: { ...haptikSwaggerUiConfig(), docExpansion: 'list' } })
 * ```
 */
export function haptikSwaggerUiConfig (): HaptikSwaggerUiConfig {
  return {
    // eslint-disable-next-line no-new-func -- a constant source: the page needs it as text, Node.js as a function
    requestInterceptor: new Function(`return ${SIGN_REQUEST_SOURCE}`)(),
    showMutatedRequest: true,
    defaultModelExpandDepth: 8
  }
}
