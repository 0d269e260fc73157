// Steps whose schemas come from `typebox` 1.x (what @fastify/type-provider-typebox
// 6 uses) type exactly as with @sinclair/typebox 0.34, catalog entries included.
import Fastify from 'fastify'
import { Type } from 'typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox-6'
import { expectError, expectType } from 'tsd'
import fastifyHaptik, {
  defineStep, Entities, withDefault, type CityValue, type DateValue, type StepContext, type TextValue
} from 'fastify-haptik'

const Order = Type.Object({
  order_id: Type.String(),
  product: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]),
  quantity: Type.Optional(Type.Integer()),
  colors: Type.Array(Type.String()),
  destination: Entities.City,
  dates: Type.Array(Entities.Date),
  notes: Type.Optional(Entities.Text)
})

const order = defineStep({
  name: 'order',
  entities: Order,
  conversationDetails: Type.Object({ order_id: Type.String() }),
  userDetails: Type.Object({ tier: Type.String() }),
  handler: ({ entities }) => {
    expectType<string>(entities.order_id)
    expectType<'speaker' | 'powerbank'>(entities.product)
    expectType<number | undefined>(entities.quantity)
    expectType<string[]>(entities.colors)
    expectType<CityValue>(entities.destination)
    expectType<DateValue[]>(entities.dates)
    expectType<TextValue | undefined>(entities.notes)
    return { response: 'ok', conversation_details: { order_id: entities.order_id }, user_details: { tier: 'gold' } }
  }
})

expectError(defineStep({ name: 'x', entities: Order, handler: ({ entities }) => entities.not_declared }))
expectError(defineStep({
  name: 'x',
  conversationDetails: Type.Object({ order_id: Type.String() }),
  handler: () => ({ response: 'ok', conversation_details: { order_id: 42 } })
}))
// user_details values are strings at Haptik, with either TypeBox.
expectError(defineStep({ name: 'visits', userDetails: Type.Object({ visits: Type.Number() }), handler: () => 'x' }))

// State: `T | undefined`, and `T` for a schema made with withDefault.
const Cart = Type.Object({ items: Type.Array(Type.String()) })
const Visits = Type.Object({ visits: Type.Number() })
defineStep({
  name: 'cart',
  state: Cart,
  userState: Visits,
  handler: ({ state, userState }) => {
    expectType<{ items: string[] } | undefined>(state)
    expectType<{ visits: number } | undefined>(userState)
    return { response: 'ok', state: { items: ['tea'] } }
  }
})
defineStep({
  name: 'cart-default',
  state: withDefault(Cart, { items: [] }),
  userState: withDefault(Visits, { visits: 0 }),
  handler: ({ state, userState }) => {
    expectType<{ items: string[] }>(state)
    expectType<{ visits: number }>(userState)
    return { response: `${state.items.length} items`, state: { items: [...state.items, 'tea'] }, userState: { visits: userState.visits + 1 } }
  }
})
expectError(withDefault(Cart, { items: [1] }))

const handler = (context: StepContext<typeof Order>) => context.entities.product
expectType<'speaker' | 'powerbank'>(handler({} as StepContext<typeof Order>))

// Next to the app's own routes on the TypeBox type provider.
const app = Fastify().withTypeProvider<TypeBoxTypeProvider>()
app.register(fastifyHaptik, { prefix: '/haptik', secret: process.env.HAPTIK_SECRET, steps: [order] })
app.post('/orders', { schema: { body: Type.Object({ id: Type.String() }) } }, async request => {
  expectType<string>(request.body.id)
  return { ok: true }
})
