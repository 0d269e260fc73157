import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { signupTransform } from '../openapi/webhook-docs.js'
import { isJsonObject } from '../json-values.js'
import { UNSIGNED_AUTH } from '../wire/secrets.js'
import type { SignupChecks, SignupSettings } from '../webhooks/signup.js'
import { eventRoute } from './event-route.js'
import type { Registration } from './registration.js'

const SIGNUP_LABEL = 'Signup'
const MATCH = '{"status":true}'
const NO_MATCH = '{"status":false}'

/** `POST {prefix}{path}`: the Web SDK's signup check (webhooks/signup.ts). */
export function signupRoute (fastify: FastifyInstance, settings: SignupSettings, checks: SignupChecks, bodyLimit: number, registration: Registration): void {
  async function handleHaptikSignup (request: FastifyRequest, reply: FastifyReply) {
    const body = request.body
    const authId = isJsonObject(body) ? body.auth_id : undefined
    const authCode = isJsonObject(body) ? body.auth_code : undefined
    let matched = false
    if (typeof authId === 'string' && typeof authCode === 'string') {
      matched = await checks.matches({ authId, authCode }, request)
    } else {
      request.log.info('fastify-haptik: a signup check without a string auth_id and auth_code')
    }
    request.log.info({ matched }, 'signup check')
    return reply.code(matched ? 200 : 400).type('application/json').send(matched ? MATCH : NO_MATCH)
  }

  // The docs name no signature for the signup check.
  eventRoute(fastify, { path: settings.path, label: SIGNUP_LABEL, signers: [{ auth: UNSIGNED_AUTH }], bodyLimit, config: { ...settings.config, haptikRoute: SIGNUP_LABEL, swaggerTransform: signupTransform() }, handler: handleHaptikSignup }, registration)
}
