// Unit tests of internal helpers whose every branch is not reachable through
// the plugin with Fastify's default settings.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { checkSignature, kSignature } from '../../lib/wire/signature-check.js'
import { mayPoison } from '../../lib/wire/json-body-parser.js'
import { isScalarSchema } from '../../lib/schema-reading.js'
import { describeType } from '../../lib/json-values.js'
import { describeSchema } from '../../lib/step/schema-description.js'
import { exampleOf } from '../../lib/openapi/example-values.js'

t.test('describeSchema says what a schema accepts', async t => {
  t.equal(describeSchema(Type.Unsafe({ enum: ['a', 1] })), '"a" | 1')
  t.equal(describeSchema(Type.String({ format: 'email', maxLength: 80 })), 'string (format email, at most 80 characters)')
  t.equal(describeSchema(Type.String({ minLength: 2 })), 'string (at least 2 characters)')
  t.equal(describeSchema(Type.Number({ maximum: 9, exclusiveMinimum: 0, exclusiveMaximum: 10 })), 'number (<= 9, > 0, < 10)')
  t.equal(describeSchema(Type.Null()), 'null')
  t.equal(describeSchema(Type.Array(Type.Boolean())), 'a list of boolean')
  t.equal(describeSchema(Type.Unsafe({ type: 'array' })), 'a list of values')
  t.equal(describeSchema(Type.Record(Type.String(), Type.String())), 'an object')
  t.equal(describeSchema(Type.Object({ a: Type.Object({ b: Type.String() }) })), '{ a: an object }', 'one level deep')
  t.equal(describeSchema(Type.Object({ value: Type.String(), unit: Type.Optional(Type.String()) })), '{ value: string, unit?: string }')
  t.equal(describeSchema(Type.Any()), 'a value matching the step schema')
})

t.test('describeType names a JSON type without the value', async t => {
  t.equal(describeType(undefined), 'nothing')
  t.equal(describeType('secret'), 'a string')
  t.equal(describeType(null), 'null')
  t.equal(describeType([]), 'a list')
  t.equal(describeType({}), 'an object')
})

t.test('checkSignature fails closed on a request no hook has seen', async t => {
  const request = { [kSignature]: null } as unknown as FastifyRequest
  t.match(checkSignature(request), { code: 'FST_HAPTIK_MISSING_SIGNATURE' })
})

t.test('exampleOf builds a plausible value from a schema', async t => {
  t.equal(exampleOf(Type.String({ examples: ['AB1234'] })), 'AB1234', 'the schema\'s own example first')
  t.equal(exampleOf(Type.String({ default: 'x' })), 'x')
  t.equal(exampleOf(Type.Unsafe({ enum: ['a', 'b'] })), 'a')
  t.equal(exampleOf(Type.String({ format: 'email' })), 'asha@example.com')
  t.equal(exampleOf(Type.String(), 'order_id'), 'order id')
  t.equal(exampleOf(Type.Integer({ minimum: 5 })), 5)
  t.equal(exampleOf(Type.Number()), 1)
  t.equal(exampleOf(Type.Boolean()), true)
  t.same(exampleOf(Type.Unsafe({ type: 'array' })), [])
  t.same(exampleOf(Type.Array(Type.String()), 'tag'), ['tag'])
  t.same(exampleOf(Type.Object({ value: Type.String(), unit: Type.Optional(Type.String()) })), { value: 'value' }, 'required keys only')
  t.same(exampleOf(Type.Object({}, { additionalProperties: Type.String() })), { key: 'value' })
  t.same(exampleOf(Type.Record(Type.String(), Type.String())), {})
  t.equal(exampleOf(Type.Null()), null)
})

t.test('isScalarSchema reads a plain JSON schema by keyword', async t => {
  t.equal(isScalarSchema({ const: 'x' }), true, 'a const without a type')
  t.equal(isScalarSchema({ const: null }), false, 'null is not unwrapped')
  t.equal(isScalarSchema({ enum: ['a', 1, true] }), true)
  t.equal(isScalarSchema({ enum: ['a', { b: 1 }] }), false)
  t.equal(isScalarSchema({ anyOf: [] }), false)
  t.equal(isScalarSchema({ anyOf: [{ type: 'string' }, { enum: [1, 2] }] }), true)
  t.equal(isScalarSchema({ type: 'null' }), false)
  t.equal(isScalarSchema({}), false)
})

t.test('mayPoison: only bytes that could spell __proto__ or constructor leave the JSON fast path', async t => {
  t.notOk(mayPoison(Buffer.from('{"text":"\\u0928\\u092e\\u0938\\u094d\\u0924\\u0947 \\ud83d\\udc4b"}')), 'Hindi and emoji escaped by json.dumps: the fast path')
  t.notOk(mayPoison(Buffer.from('{"text":"नमस्ते"}')), 'the same text unescaped')
  t.ok(mayPoison(Buffer.from('{"\\u005f\\u005fproto__":{}}')), 'an escape that may spell an ASCII letter')
  t.ok(mayPoison(Buffer.from('{"a":{"constructor":1}}')))
  t.ok(mayPoison(Buffer.from('{"__proto__":1}')))
})
