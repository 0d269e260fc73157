// withDefault: a state schema whose default TypeScript sees, so that a
// handler reads `state.items` with no `?.` and no `?? []`.
import t from 'tap'
import Fastify from 'fastify'
import { Type as Type034 } from '@sinclair/typebox'
import { Type as Type1 } from 'typebox'
import fastifyHaptik, { defineStep, withDefault, type StateOf, type StepContext } from '../lib/index.js'
import { conversation } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'

// A handler written apart, its context named with StateOf: no `undefined` to handle.
const Item = Type034.Object({ item: Type034.String() })
const Cart034 = withDefault(Type034.Object({ items: Type034.Array(Type034.String()) }), { items: [] })
const Visits034 = withDefault(Type034.Object({ visits: Type034.Integer() }), { visits: 0 })
function addItem ({ entities, state, userState }: Pick<StepContext<typeof Item, StateOf<typeof Cart034>, StateOf<typeof Visits034>>, 'entities' | 'state' | 'userState'>) {
  return {
    response: `${state.items.length + 1} items, visit ${userState.visits + 1}`,
    state: { items: [...state.items, entities.item] },
    userState: { visits: userState.visits + 1 }
  }
}

const steps = {
  '@sinclair/typebox 0.34': defineStep({ name: 'add', entities: Item, state: Cart034, userState: Visits034, handler: addItem }),
  'typebox 1.x': defineStep({
    name: 'add',
    entities: Type1.Object({ item: Type1.String() }),
    state: withDefault(Type1.Object({ items: Type1.Array(Type1.String()) }), { items: [] }),
    userState: withDefault(Type1.Object({ visits: Type1.Integer() }), { visits: 0 }),
    handler: addItem
  })
}

for (const [typebox, add] of Object.entries(steps)) {
  t.test(`${typebox}: a new conversation reads the default given to withDefault, then what the steps saved`, async t => {
    const app = Fastify({ requestTimeout: 30_000 })
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [add] })
    const chat = conversation(app, { secret: SECRET, prefix: '/haptik', user: { user_id: 'u-1' } })
    t.same((await chat.call(add, { item: 'tea' })).reply, { status: true, response: ['1 items, visit 1'] }, 'the defaults')
    t.same((await chat.call(add, { item: 'cake' })).reply?.response, ['2 items, visit 2'], 'the saved states')
    chat.next()
    t.same((await chat.call(add, { item: 'jam' })).reply?.response, ['1 items, visit 3'], 'a new conversation: the default state, the user\'s saved state')
  })
}

t.test('withDefault copies the schema, its hidden properties included, and leaves it as it was', async t => {
  const schema = Type1.Object({ items: Type1.Array(Type1.String()) })
  const Cart = withDefault(schema, { items: ['tea'] })
  t.same(Cart.default, { items: ['tea'] })
  t.notOk('default' in schema, 'the schema itself has no default')
  for (const key of Reflect.ownKeys(schema)) {
    t.same(Object.getOwnPropertyDescriptor(Cart, key), Object.getOwnPropertyDescriptor(schema, key), `${String(key)} kept as it was`)
  }
  t.equal(Object.getPrototypeOf(Cart), Object.getPrototypeOf(schema))
})

t.test('withDefault refuses what is no schema, and an undefined default', async t => {
  t.throws(() => withDefault(null as unknown as object, {}), { code: 'FST_HAPTIK_INVALID_OPTION', message: /withDefault expects a TypeBox schema/ })
  t.throws(() => withDefault(Type034.Object({}), undefined as unknown as object), { code: 'FST_HAPTIK_INVALID_OPTION', message: /must not be undefined/ })
})
