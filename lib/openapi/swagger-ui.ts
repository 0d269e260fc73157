// swagger-ui settings for the docs page of Haptik steps. Nothing here loads
// @fastify/swagger-ui: these are plain options the user passes to it.

/** A request as swagger-ui hands it to a `requestInterceptor`. */
export interface SwaggerUiRequest {
  [field: string]: unknown
  headers?: Record<string, string>
  body?: unknown
}

/** What `haptikSwaggerUiConfig()` returns: options for @fastify/swagger-ui's `uiConfig`. */
export interface HaptikSwaggerUiConfig {
  /** Signs "Try it out" calls to signed steps; see `haptikSwaggerUiConfig`. */
  requestInterceptor: (request: SwaggerUiRequest) => Promise<SwaggerUiRequest>
  /** The request shown after a call (and in its curl line) is the signed one, never the one carrying the secret. */
  showMutatedRequest: true
  /** How deep the schema views open: deep enough to show each entity's value schema. */
  defaultModelExpandDepth: number
}

// The interceptor runs in the browser. @fastify/swagger-ui writes the page's
// options into its script with each function's `toString()`, so the
// interceptor is kept as source text: compilers and loaders that rewrite
// functions (helpers, renamed variables) cannot break the page's copy.
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
 * signed Haptik steps: the user enters the step secret under Authorize
 * (`haptikSignature`), and the page signs each call's exact body with it
 * (HMAC-SHA1 with WebCrypto) and sends `X-Hub-Signature: sha1=<hex>`. The
 * secret never leaves the browser. They also open the schema views deep
 * enough to show each entity's value schema.
 *
 * Pass `requestInterceptor` to @fastify/swagger-ui as it is: it is copied into
 * the page as source text, so a wrapper function would lose it. WebCrypto
 * needs a secure page: https, or http on localhost or 127.0.0.1.
 *
 * @example
 * ```ts
 * await app.register(swagger, { openapi: { info: { title: 'Bot steps', version: '1.0.0' } } })
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
