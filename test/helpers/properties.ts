// Property definitions shared by test/robustness/property.test.ts (a few thousand cases,
// in `npm test`) and scripts/property.ts (100k+ cases). Every request goes
// through the registered plugin with `inject`; every signature is computed
// here with node:crypto, independently of the library.
import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import fc from 'fast-check'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { defineStep, verify } from '../../lib/index.js'
import { SECRET, haptikSignature } from './haptik.js'
import { parseSignature } from '../../lib/wire/signature.js'

// ---- the app under test ----

/** The step's entities: one of each kind the plugin flattens differently. */
export const Entities = Type.Object({
  name: Type.String(),
  qty: Type.Optional(Type.Number()),
  flag: Type.Optional(Type.Boolean()),
  colour: Type.Optional(Type.Union([Type.Literal('red'), Type.Literal('green'), Type.Literal('नीला')])),
  tags: Type.Optional(Type.Array(Type.String())),
  city: Type.Optional(Type.Object({ value: Type.String(), to: Type.Boolean() }))
})

export interface PropertyApp {
  app: FastifyInstance
  /** The entities every handler call saw, in order. */
  seen: Array<Record<string, unknown>>
  /** How many generated cases of each kind ran. */
  counts: Record<string, number>
}

/** A fresh app with one signed step; bodies up to 1 MiB so size never decides. */
export async function propertyApp (): Promise<PropertyApp> {
  const seen: Array<Record<string, unknown>> = []
  const step = defineStep({
    name: 'order',
    entities: Entities,
    handler: ({ entities }) => {
      seen.push(entities)
      return 'ok'
    }
  })
  const app = Fastify()
  await app.register(fastifyHaptik, { secret: SECRET, bodyLimit: 1024 * 1024, steps: [step] })
  await app.ready()
  return { app, seen, counts: {} }
}

function count (context: PropertyApp, kind: string): void {
  context.counts[kind] = (context.counts[kind] ?? 0) + 1
}

function send (app: FastifyInstance, payload: Buffer, signature: string | string[] | undefined) {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' }
  if (signature !== undefined) headers['x-hub-signature'] = signature
  return app.inject({ method: 'POST', url: '/order', payload, headers })
}

// ---- generators ----

/** Text that is often multibyte: scripts, emoji with modifiers, combining marks, any code point. */
export const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ maxLength: 16 }),
  fc.constantFrom('स्पीकर 🔊', '你好，世界', 'émoji 👍🏽', 'نعم', '"quoted" \\ back\\slash', '\u0000\u001f\u2028')
)

// Keys secure-json-parse refuses (or that JSON cannot carry safely) are left out of free-form data.
const key = text.filter(k => k !== '__proto__' && k !== 'constructor' && k !== 'prototype')

const { json: jsonValue } = fc.letrec<{ json: unknown }>(tie => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(n => (Object.is(n, -0) ? 0 : n)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 })
  )
}))

const finite = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map(n => (Object.is(n, -0) ? 0 : n))

const extras = fc.dictionary(
  fc.constantFrom('unit', 'language', 'datastore_verified', 'normal', 'from', 'via'),
  fc.oneof(fc.boolean(), text, fc.constant(null)),
  { maxKeys: 3 }
)

/** How Haptik may write a scalar value: bare, or wrapped as {value} with extra fields. */
function scalarWire<T> (values: fc.Arbitrary<T>, asString = false): fc.Arbitrary<{ wire: unknown, value: T }> {
  return fc.tuple(values, fc.constantFrom('bare', 'wrapped', 'bare-string', 'wrapped-string'), extras).map(([value, form, more]) => {
    const stringy = asString && form.endsWith('string')
    const raw = stringy ? String(value) : value
    return { wire: form.startsWith('wrapped') ? { ...more, value: raw } : raw, value }
  })
}

const detectionFields = fc.record({
  detection: fc.constantFrom('message', 'user_profile', 'default', 'structure_value_verified', 'fallback_value'),
  original_text: text,
  language: fc.constantFrom('en', 'hi')
}, { requiredKeys: [] })

interface Generated { wire: unknown, value: unknown }

/** One entity's list of detections and the value the handler must see (undefined: absent). */
function single (values: fc.Arbitrary<Generated>, required: boolean): fc.Arbitrary<{ detections?: unknown[], expected?: unknown }> {
  const present = fc.tuple(fc.array(fc.tuple(values, detectionFields), { minLength: 1, maxLength: 3 })).map(([list]) => ({
    detections: list.map(([{ wire }, fields]) => ({ ...fields, entity_value: wire })),
    expected: list[0][0].value
  }))
  if (required) return present
  const absent: Array<{ detections?: unknown[] }> = [{}, { detections: [] }]
  return fc.oneof(present, fc.constantFrom(...absent))
}

const tagsEntity = fc.oneof(
  fc.array(fc.tuple(scalarWire(text), detectionFields), { minLength: 1, maxLength: 4 }).map(list => ({
    detections: list.map(([{ wire }, fields]) => ({ ...fields, entity_value: wire })),
    expected: list.map(([{ value }]) => value) as unknown
  })),
  fc.constant({})
)

const cityValue = fc.tuple(text, fc.boolean(), extras).map(([value, to, more]) => {
  const object = { ...more, value, to }
  return { wire: object, value: object }
})

/** A correctly shaped Haptik request for the `order` step and the entities the handler must see. */
export const validCall = fc.record({
  name: single(scalarWire(text), true),
  qty: single(scalarWire(finite, true).map(({ wire, value }) => ({ wire, value: value as unknown })), false),
  flag: single(scalarWire(fc.boolean()), false),
  colour: single(scalarWire(fc.constantFrom('red', 'green', 'नीला')), false),
  tags: tagsEntity,
  city: single(cityValue, false),
  naming: fc.constantFrom('step', 'node', 'none'),
  user: fc.record({
    user_id: fc.oneof(text, fc.integer()),
    user_name: text,
    full_name: text,
    device_platform: fc.integer({ min: 0, max: 20 }),
    language_code: fc.constantFrom('en', 'hi', 'mr'),
    auth_id: text,
    auth_code: text
  }, { requiredKeys: [] }),
  conversationNo: fc.option(fc.integer({ min: 0 }), { nil: undefined }),
  conversationDetails: fc.option(fc.dictionary(key, jsonValue, { maxKeys: 4 }), { nil: undefined }),
  userDetails: fc.option(fc.dictionary(key, text, { maxKeys: 4 }), { nil: undefined }),
  env: fc.option(fc.dictionary(key, text, { maxKeys: 3 }), { nil: undefined }),
  unknown: fc.option(jsonValue, { nil: undefined }),
  indent: fc.constantFrom<undefined | number | string>(undefined, 0, 1, 2, '\t'),
  padding: fc.constantFrom('', ' ', '\n', '\r\n\t ')
}).map(generated => {
  const entities: Record<string, unknown[]> = {}
  const expected: Record<string, unknown> = {}
  for (const name of ['name', 'qty', 'flag', 'colour', 'tags', 'city'] as const) {
    const { detections, expected: value } = generated[name] as { detections?: unknown[], expected?: unknown }
    if (detections !== undefined) entities[name] = detections
    if (value !== undefined) expected[name] = value
  }
  const body: Record<string, unknown> = { event: 'API_INTEGRATION', entities }
  if (generated.naming !== 'none') body[generated.naming] = 'order'
  body.user = generated.user
  if (generated.conversationNo !== undefined) body.conversation_no = generated.conversationNo
  if (generated.conversationDetails !== undefined) body.conversation_details = generated.conversationDetails
  if (generated.userDetails !== undefined) body.user_details = generated.userDetails
  if (generated.env !== undefined) body.env_variables = generated.env
  if (generated.unknown !== undefined) body.added_by_haptik_later = generated.unknown
  const json = generated.padding + JSON.stringify(body, null, generated.indent) + generated.padding
  return { bytes: Buffer.from(json, 'utf8'), expected }
})

/** A body to forge from: mostly valid calls (so only the signature stands in the way), sometimes anything. */
const baseBody = fc.oneof(
  { arbitrary: validCall.map(({ bytes }) => bytes), weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map(bytes => Buffer.from(bytes)), weight: 1 },
  { arbitrary: jsonValue.map(value => Buffer.from(JSON.stringify(value) ?? 'null')), weight: 1 }
)

/** Header text the way HTTP can carry it: visible Latin-1, no CR, LF or NUL. */
const headerChar = fc.integer({ min: 0x20, max: 0xff }).filter(c => c !== 0x7f).map(c => String.fromCharCode(c))
const headerText = fc.string({ unit: headerChar, maxLength: 60 })
const hex40 = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 40, maxLength: 40 })

type Mutation =
  | { kind: 'flip', index: number, mask: number }
  | { kind: 'truncate', keep: number }
  | { kind: 'extend', tail: Uint8Array }
  | { kind: 'other-secret', secret: string }
  | { kind: 'header-flip', index: number, char: string }
  | { kind: 'header', header: string | string[] | undefined }
  | { kind: 'flip-and-other-secret', index: number, mask: number, secret: string }

const otherSecret = fc.oneof(text, fc.constant(SECRET + ' '), fc.constant(SECRET.slice(1))).filter(s => s !== SECRET && s.length > 0)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), index: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('other-secret' as const), secret: otherSecret }),
  fc.record({ kind: fc.constant('header-flip' as const), index: fc.nat(), char: headerChar }),
  fc.record({
    kind: fc.constant('header' as const),
    header: fc.oneof(
      headerText,
      hex40.map(hex => 'sha1=' + hex),
      hex40.map(hex => 'sha256=' + hex),
      hex40,
      fc.array(hex40.map(hex => 'sha1=' + hex), { minLength: 2, maxLength: 3 }),
      fc.constant(undefined),
      fc.constant('')
    )
  }),
  fc.record({ kind: fc.constant('flip-and-other-secret' as const), index: fc.nat(), mask: fc.integer({ min: 1, max: 255 }), secret: otherSecret })
)

function flip (bytes: Buffer, index: number, mask: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[index % copy.length] ^= mask
  return copy
}

/** The request a mutation makes of a correctly signed (body, header) pair. */
function applyMutation (body: Buffer, good: string, m: Mutation): { body: Buffer, header: string | string[] | undefined } {
  switch (m.kind) {
    case 'flip': return { body: body.length === 0 ? Buffer.from([m.mask]) : flip(body, m.index, m.mask), header: good }
    case 'truncate': return { body: body.subarray(0, body.length === 0 ? 0 : m.keep % body.length), header: good }
    case 'extend': return { body: Buffer.concat([body, m.tail]), header: good }
    case 'other-secret': return { body, header: haptikSignature(body, m.secret) }
    case 'header-flip': {
      const i = m.index % good.length
      return { body, header: good.slice(0, i) + m.char + good.slice(i + 1) }
    }
    case 'header': return { body, header: m.header }
    case 'flip-and-other-secret': {
      const changed = body.length === 0 ? Buffer.from([m.mask]) : flip(body, m.index, m.mask)
      return { body: changed, header: haptikSignature(changed, m.secret) }
    }
  }
}

/** Whether a request differs from the signed pair: other bytes, or a header naming another digest. */
function differs (body: Buffer, good: string, request: { body: Buffer, header: string | string[] | undefined }): boolean {
  if (!request.body.equals(body)) return true
  // Hex digits are case-insensitive: an upper-cased digit names the same digest.
  return typeof request.header !== 'string' || request.header.toLowerCase() !== good
}

// ---- the properties ----

/**
 * No request whose bytes or signature differ from a correctly signed pair is
 * ever accepted: it is a 401 and the handler never runs. `verify` agrees.
 */
export function forgeryProperty (context: PropertyApp) {
  return fc.asyncProperty(baseBody, mutation, async (body, m) => {
    const good = haptikSignature(body)
    const forged = applyMutation(body, good, m)
    fc.pre(differs(body, good, forged))
    count(context, m.kind)
    const before = context.seen.length
    const res = await send(context.app, forged.body, forged.header)
    equal(res.statusCode, 401, `status ${res.statusCode}: ${res.body}`)
    ok(/^FST_HAPTIK_(MISSING|MALFORMED|INVALID)_SIGNATURE$/.test(res.json().code), res.body)
    equal(context.seen.length, before, 'the handler ran')
    equal(verify(forged.body, forged.header, SECRET), false, 'verify() accepted it')
  })
}

/**
 * Every correctly signed call with valid entities is accepted, and the
 * handler's flattened entities equal the generated values.
 */
export function acceptanceProperty (context: PropertyApp) {
  return fc.asyncProperty(validCall, async ({ bytes, expected }) => {
    count(context, 'accepted')
    const before = context.seen.length
    const res = await send(context.app, bytes, haptikSignature(bytes))
    equal(res.statusCode, 200, res.body)
    deepStrictEqual(res.json(), { status: true, response: ['ok'] })
    equal(context.seen.length, before + 1, 'the handler ran once')
    deepStrictEqual(context.seen[before], expected)
  })
}

const PROBLEMS = new Set(['missing', 'repeated', 'wrong-prefix', 'wrong-length', 'not-hex'])
const VALID_HEADER = /^sha1=[0-9a-f]{40}$/i

/** The signature parser never throws, whatever the header, and reads exactly the well-formed ones. */
export function parserProperty (context: { counts: Record<string, number> }) {
  const header = fc.oneof(
    fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
    fc.string({ unit: 'binary' }),
    headerText,
    hex40.map(hex => 'sha1=' + hex),
    fc.tuple(fc.constantFrom('sha1=', 'SHA1=', 'sha256=', ''), fc.string({ unit: fc.constantFrom(...'0123456789abcdefxyz, ='), maxLength: 90 })).map(([a, b]) => a + b),
    fc.array(headerText, { maxLength: 3 })
  )
  return fc.property(header, value => {
    count(context as PropertyApp, 'parsed')
    const result = parseSignature(value)
    if (Buffer.isBuffer(result)) {
      ok(typeof value === 'string' && VALID_HEADER.test(value), 'a digest from a malformed header')
      equal(result.length, 20)
      equal(result.toString('hex'), (value as string).slice(5).toLowerCase())
    } else {
      ok(PROBLEMS.has(result), `unknown problem ${String(result)}`)
      ok(!(typeof value === 'string' && VALID_HEADER.test(value)), 'a well-formed header refused')
    }
  })
}
