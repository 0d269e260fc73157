import { WebhookEventSchemas, type WebhookEventName } from '../webhooks/events.js'
import { addComponents, dialectOf, errorResponses, json, SECURITY_SCHEME, STATUS_OF, type OpenapiDocument, type TransformInput } from './components.js'

const ERROR = { type: 'object', properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } } }

/** Error responses for the codes, their statuses as errors.ts has them. */
const plainErrors = (...codes: string[]) => errorResponses(codes, () => ERROR)

/** What the webhook and signup routes answer, as the step routes do, before their handler runs. */
const BODY_ERRORS = ['FST_HAPTIK_BODY_TIMEOUT', 'FST_HAPTIK_BODY_TOO_LARGE', 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE']

// The webhook route's request example: the `message` event of Haptik's docs (docs/webhooks/webhook-payload.md:103-136),
// its placeholders (`<USER_ID>`, …) filled in with the values of the steps' examples.
const MESSAGE_EVENT_EXAMPLE = {
  version: '1.0',
  timestamp: '2018-10-04T12:41:27.980Z',
  user: { auth_id: 'client-77', device_platform: 5, device_platform_name: 'Web SDK', user_name: 'hk_8f2c1e', user_id: '5120931', phone_model: 'Chrome', os_version: 'Windows 11', package_name: 'com.example.shop' },
  business_id: 343,
  business_name: 'Example Shop',
  event_name: 'message',
  agent: { id: 4415, name: 'gogo', profile_image: 'https://assets.haptikapi.com/content/42e123411bk1109823bf.jpg', is_automated: true, email: null },
  message: { id: 1982371, body: { text: 'Hi', type: 'TEXT', data: { quick_replies: [] } } }
}

/** The `swaggerTransform` of the webhook route (always signed: a webhook without a secret does not register). */
export function webhookTransform ({ on }: { readonly on: Partial<Record<WebhookEventName, unknown>> }) {
  return function documentHaptikWebhook ({ schema, url, openapiObject: document }: TransformInput) {
    if (document === undefined) return { schema, url }
    const openapiObject = document as OpenapiDocument
    const dialect = dialectOf(openapiObject)
    addComponents(openapiObject, true)
    const handled = (Object.keys(WebhookEventSchemas) as WebhookEventName[]).filter(name => on[name] !== undefined)
    const events = Object.fromEntries(handled.map(name => [name, dialect(json(WebhookEventSchemas[name]))]))
    const security = [{ [SECURITY_SCHEME]: [] }]
    // OpenAPI 3.0 has no webhooks section.
    const webhooks = openapiObject.openapi.startsWith('3.1') ? (openapiObject.webhooks ??= {}) : {}
    for (const name of handled) {
      webhooks[`haptik-${name}`] = {
        post: {
          summary: `Haptik's "${name}" webhook event`,
          security,
          requestBody: { required: true, content: { 'application/json': { schema: events[name] } } },
          responses: { 200: { description: 'Handled (or before, or given up on): Haptik does not send it again' }, 503: { description: 'Not handled: Haptik sends it again' } }
        }
      }
    }
    return {
      url,
      schema: {
        ...schema,
        summary: "Haptik's Bot API webhook",
        description: 'Haptik POSTs each event here, signed with X-Hub-Signature. An event is handled once, across retries and instances. ' +
          'A 2xx tells Haptik the event arrived; anything else (or no answer within 5 s) makes it send the event again, 6 times over 60 minutes. ' +
          `Events with a handler: ${handled.length === 0 ? 'none' : handled.join(', ')}; any other event_name gets 200 and is ignored.`,
        security,
        body: {
          anyOf: [...Object.values(events), { type: 'object', required: ['event_name'], properties: { event_name: { type: 'string' } }, additionalProperties: true }],
          'x-examples': { message: { summary: "A message event, as Haptik's docs show it", value: json(MESSAGE_EVENT_EXAMPLE) } }
        },
        response: {
          200: {
            description: 'handled, duplicate (handled before), ignored (no handler for its event_name), given-up (its handler failed maxAttempts times: onGiveUp) or invalid (not its event as documented: onGiveUp)',
            type: 'object',
            properties: { status: { type: 'string', enum: ['handled', 'duplicate', 'ignored', 'given-up', 'invalid'] } }
          },
          ...plainErrors('FST_HAPTIK_INVALID_JSON', 'FST_HAPTIK_INVALID_CONTENT_LENGTH', ...BODY_ERRORS,
            'FST_HAPTIK_MISSING_SIGNATURE', 'FST_HAPTIK_MALFORMED_SIGNATURE', 'FST_HAPTIK_INVALID_SIGNATURE', 'FST_HAPTIK_SECRET_NOT_FOUND'),
          [STATUS_OF.FST_HAPTIK_WEBHOOK_NOT_HANDLED]: { description: 'FST_HAPTIK_WEBHOOK_NOT_HANDLED: the handler failed or was late, another delivery is running it, or the store is down or slow; Haptik sends it again', ...ERROR }
        }
      }
    }
  }
}

const SIGNUP_DOCS = {
  summary: "Haptik Web SDK's signup check",
  description: 'Haptik POSTs the auth_id and auth_code the Web SDK signed up with; 200 {"status": true} when they match, 400 when they do not. ' +
    "Haptik's docs name no signature for this call: rate-limit it.",
  body: { type: 'object', required: ['auth_id', 'auth_code'], properties: { auth_id: { type: 'string' }, auth_code: { type: 'string' } } },
  response: {
    200: { description: 'They match', type: 'object', properties: { status: { type: 'boolean', enum: [true] } } },
    400: { description: 'They do not match, or a body without a string auth_id and auth_code ({"status": false}); a body that is not JSON (FST_HAPTIK_INVALID_JSON)', anyOf: [{ type: 'object', properties: { status: { type: 'boolean', enum: [false] } } }, ERROR] },
    ...plainErrors(...BODY_ERRORS, 'FST_HAPTIK_INTERNAL'),
    [STATUS_OF.FST_HAPTIK_SIGNUP_TIMEOUT]: { description: 'FST_HAPTIK_SIGNUP_TIMEOUT (verify did not answer within signup.timeout) or FST_HAPTIK_SIGNUP_BUSY (signup.concurrency checks pending)', ...ERROR }
  }
}

/** The `swaggerTransform` of the signup route. */
export const signupTransform = () => ({ schema, url }: TransformInput) => ({ url, schema: { ...schema, ...SIGNUP_DOCS } })
