import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InternalError } from '../errors.js'
import { signupTransform } from '../openapi/webhook-docs.js'
import { isJsonObject } from '../reply/json-values.js'
import { safeError } from '../untrusted.js'
import { UNSIGNED_AUTH } from '../wire/secrets.js'
import { eventRoute } from './event-route.js'
import type { Registration } from './step-route.js'
import type { SignupSettings } from '../webhooks/settings.js'

// The Web SDK's custom signup: Haptik POSTs `{ auth_id, auth_code }` to a
// verification endpoint and expects 200 `{"status": true}` when they match,
// 400 when they do not (hellohaptik/docs_haptik
// docs/web-sdk/feature-user-signup.md:80-119). The docs name no signature, so
// the route checks none: put a rate limit in front of it.

export const SIGNUP_LABEL = 'Signup'
const MATCH = '{"status":true}'
const NO_MATCH = '{"status":false}'

/** `POST {prefix}{path}`: the Web SDK's signup check. */
export function signupRoute (fastify: FastifyInstance, settings: SignupSettings, bodyLimit: number, registration: Registration): void {
  async function handleHaptikSignup (request: FastifyRequest, reply: FastifyReply) {
    const body = request.body
    const authId = isJsonObject(body) ? body.auth_id : undefined
    const authCode = isJsonObject(body) ? body.auth_code : undefined
    let matched = false
    if (typeof authId === 'string' && typeof authCode === 'string') {
      try {
        matched = await settings.verify({ authId, authCode }, request) === true
      } catch (error) {
        // Never the credentials: the error is logged as a plain description, the answer says nothing.
        request.log.error({ err: safeError(error, 'the signup verify function') }, 'fastify-haptik: the signup verify function threw')
        throw new InternalError()
      }
    } else {
      request.log.info('fastify-haptik: a signup check without a string auth_id and auth_code')
    }
    request.log.info({ matched }, 'signup check')
    return reply.code(matched ? 200 : 400).type('application/json').send(matched ? MATCH : NO_MATCH)
  }

  // The docs name no signature for the signup check.
  eventRoute(fastify, { path: settings.path, label: SIGNUP_LABEL, auth: UNSIGNED_AUTH, bodyLimit, config: { ...settings.config, swaggerTransform: signupTransform() }, handler: handleHaptikSignup }, registration)
}
