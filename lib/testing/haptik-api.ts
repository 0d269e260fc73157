import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WebhookEventName } from '../index.js'
import { answer, newUser, route, type HaptikApiCall, type HaptikApiFile, type HaptikApiUser, type HaptikEndpoint, type Reply, type StandInState } from './haptik-api-endpoints.js'
import { botReply, deliver, DOCS_REPLY, jsonOrText, type HaptikApiWebhook, type WebhookDelivery } from './haptik-api-webhook.js'

/** How the stand-in serves (a free port on `127.0.0.1` by default); `token`, `clientId` and `teams` accept only those. */
export interface HaptikApiOptions {
  port?: number | undefined
  host?: string | undefined
  token?: string | undefined
  clientId?: string | undefined
  /** Users registered from the start, by `auth_id`; others register with `createUser`. */
  users?: readonly string[] | undefined
  teams?: readonly string[] | undefined
  /** Deliver the bot's reply to each logged message to the app's webhook, signed (or later: `useWebhook`). */
  webhook?: HaptikApiWebhook | undefined
}

/** How to fail a call: an error answer (`errorMessage` as Haptik's `error_message`, or a `body`), a hang, or a reset. */
export type HaptikApiFailure =
  | { status: number, errorMessage?: string | undefined, body?: unknown, headers?: Record<string, string> | undefined }
  | 'hang'
  | 'reset'

/** A local stand-in for Haptik's REST APIs at `url`, recording every call. */
export interface HaptikApi {
  readonly url: string
  readonly calls: readonly HaptikApiCall[]
  callsTo: (endpoint: HaptikEndpoint) => HaptikApiCall[]
  /** The next `times` calls of the endpoint (default 1) fail so, then it answers again. */
  fail: (endpoint: HaptikEndpoint, failure: HaptikApiFailure, times?: number) => void
  user: (authId: string) => HaptikApiUser | undefined
  /** Where to deliver webhook events from now on: for an app that listens after the stand-in started. */
  useWebhook: (webhook: HaptikApiWebhook) => void
  deliver: (event: WebhookEventName | (string & {}), payload: Record<string, unknown>) => Promise<WebhookDelivery[]>
  readonly deliveries: readonly WebhookDelivery[]
  settled: () => Promise<void>
  /** Stops serving: hung calls are cut, deliveries finish. */
  close: () => Promise<void>
}

async function readBody (request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function parseBody (contentType: string | undefined, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined
  if (contentType?.startsWith('multipart/form-data') === true) {
    const form = await new Request('http://haptik-api/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData()
    const fields: Record<string, string | HaptikApiFile> = {}
    for (const [name, value] of form) {
      fields[name] = typeof value === 'string' ? value : { name: value.name, type: value.type, size: value.size, bytes: new Uint8Array(await value.arrayBuffer()) }
    }
    return fields
  }
  return jsonOrText(raw.toString('utf8'))
}

function send (response: ServerResponse, reply: Reply): void {
  const text = reply.text ?? JSON.stringify(reply.json)
  const type = reply.text === undefined ? 'application/json' : 'text/html; charset=utf-8'
  response.writeHead(reply.status, { 'content-type': type, ...reply.headers })
  response.end(text)
}

function failureReply (failure: Exclude<HaptikApiFailure, 'hang' | 'reset'>): Reply {
  const { status, errorMessage, body, headers } = failure
  if (typeof body === 'string') return { status, text: body, headers }
  return { status, json: body ?? (errorMessage === undefined ? {} : { error_message: errorMessage }), headers }
}

/**
 * Starts a stand-in for Haptik's REST APIs on a real socket: it answers as Haptik's docs show and fails on demand.
 *
 * @example
 * ```ts
 * const api = await haptikApi({ users: ['user-42'] })
 * const haptik = createHaptikClient({ token: 't', clientId: 'c', baseUrl: api.url, businessId: 343 })
 * api.fail('createUser', { status: 503 })
 * ```
 */
export async function haptikApi (options: HaptikApiOptions = {}): Promise<HaptikApi> {
  let { webhook } = options
  const calls: HaptikApiCall[] = []
  const deliveries: WebhookDelivery[] = []
  const pending = new Set<Promise<unknown>>()
  const failures = new Map<HaptikEndpoint, HaptikApiFailure[]>()
  const hung = new Set<ServerResponse>()
  const state: StandInState = { users: new Map(), token: options.token, clientId: options.clientId, teams: options.teams, nextMessageId: 1_411_200_492 }
  let nextBotMessageId = 1_982_371
  for (const authId of options.users ?? []) state.users.set(authId, { ...newUser(authId, state.users.size), messages: 0 })

  const track = (delivery: Promise<WebhookDelivery[]>): Promise<WebhookDelivery[]> => {
    pending.add(delivery)
    return delivery.then(done => {
      deliveries.push(...done)
      return done
    }).finally(() => pending.delete(delivery))
  }
  const deliverEvent = async (event: string, payload: Record<string, unknown>) => {
    if (webhook === undefined) throw new TypeError('haptikApi: deliver() needs the webhook option: { url, secret }')
    return await track(deliver(webhook, event, payload))
  }

  async function serve (request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request)
    const url = new URL(request.url as string, 'http://haptik-api')
    const method = request.method as string
    const endpoint = route(method, url.pathname)
    const body = await parseBody(request.headers['content-type'], raw)
    const failure = endpoint === undefined ? undefined : failures.get(endpoint)?.shift()
    const call = { endpoint, method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body, answer: 0 as HaptikApiCall['answer'] }
    calls.push(call)
    if (failure === 'hang' || failure === 'reset') {
      call.answer = failure
      if (failure === 'reset') request.socket.destroy()
      else hung.add(response)
      return
    }
    let sent: Reply
    if (failure !== undefined) sent = failureReply(failure)
    else if (endpoint === undefined) sent = { status: 404, json: { error_message: `haptikApi: no endpoint ${method} ${url.pathname}` } }
    else sent = answer(endpoint, call, state)
    call.answer = sent.status
    send(response, sent)
    if (endpoint === 'logMessage' && failure === undefined && sent.status === 200 && webhook !== undefined) {
      const logged = body as { user: { auth_id: string }, message_body: string, business_id: unknown }
      const user = state.users.get(logged.user.auth_id) as HaptikApiUser
      const botSays = (webhook.reply ?? (() => DOCS_REPLY))(logged.message_body)
      track(deliver(webhook, 'message', botReply(user, logged.business_id, nextBotMessageId++, botSays)))
    }
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: Error) => {
      send(response, { status: 500, json: { error_message: `haptikApi: ${error.message}` } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve)
  })
  const { address, port } = server.address() as AddressInfo
  const settled = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending])
  }

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    calls,
    callsTo: endpoint => calls.filter(call => call.endpoint === endpoint),
    fail: (endpoint, failure, times = 1) => {
      const queue = failures.get(endpoint) ?? []
      for (let time = 0; time < times; time++) queue.push(failure)
      failures.set(endpoint, queue)
    },
    user: authId => {
      const known = state.users.get(authId)
      return known === undefined ? undefined : { authId, userName: known.userName, userId: known.userId }
    },
    useWebhook: next => { webhook = next },
    deliver: deliverEvent,
    deliveries,
    settled,
    close: async () => {
      for (const response of hung) response.destroy()
      await settled()
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
  }
}
