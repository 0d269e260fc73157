// Numbers read from a body's bytes, as sent: Haptik's ids past 2^53, which
// JSON.parse cannot keep. Checked against JSON.parse itself on generated JSON.
import t from 'tap'
import fc from 'fast-check'
import { numberText } from '../../lib/wire/number-text.js'

const text = (json: string, path: string[]) => numberText(Buffer.from(json), path)

t.test('the number at a path, as written, wherever it sits among other values', async t => {
  t.equal(text('{"user":{"user_id":9007199254740993}}', ['user', 'user_id']), '9007199254740993')
  t.equal(text(' \n{ "a" : [ "}" , {"x":"\\"]"} ] , "user" : { "name":"{\\\\" , "user_id" : -12.5e3 } }', ['user', 'user_id']), '-12.5e3')
  t.equal(text('{"id":1,"id":2}', ['id']), '2', 'the last of a key given twice, as JSON.parse takes it')
  t.equal(text('{"\\u0069d":7}', ['id']), '7', 'a key written with escapes')
  t.equal(text('\ufeff{"id":3}', ['id']), '3', 'after a byte order mark')
  t.equal(text('12345678901234567890', []), '12345678901234567890', 'a number that is the whole body')
  t.equal(text('{"id":"12"}', ['id']), undefined, 'text is not a number')
  t.equal(text('{"id":{"x":1}}', ['id']), undefined)
  t.equal(text('{"other":1}', ['id']), undefined, 'no such key')
  t.equal(text('{"user":[1]}', ['user', 'user_id']), undefined, 'not an object on the way')
  t.equal(text('{}', ['id']), undefined)
})

t.test('for any JSON with a number placed at a path, the text read back is that number as written', async t => {
  const key = fc.string({ maxLength: 6 })
  const literal = fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(value => JSON.stringify(value)))
  fc.assert(fc.property(fc.array(key, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 }), literal, (path, siblings, number) => {
    // The value at the path is a placeholder, replaced by the literal in the text.
    let value: unknown = '\u0000placeholder'
    for (const name of [...path].reverse()) value = Object.fromEntries([...siblings.filter(([other]) => other !== name), [name, value]])
    const json = JSON.stringify(value).replace('"\\u0000placeholder"', number)
    return numberText(Buffer.from(json), path) === number && Object.is(JSON.parse(json) !== undefined, true)
  }), { numRuns: 2000 })
})
