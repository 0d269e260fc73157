import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui'
import { expectAssignable, expectError, expectType } from 'tsd'
import fastifyHaptik, {
  defineStep, fastifyHaptik as named, sign, verify, StepFailure, hsl, Entities, haptikSwaggerUiConfig, type DateKind,
  type HaptikStep, type HaptikUser, type StepContext, type HslMessage, type Message
} from 'fastify-haptik'

const Product = Type.Object({
  product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]),
  quantity: Type.Optional(Type.Integer()),
  colors: Type.Array(Type.String()),
  city: Type.Object({ value: Type.String(), to: Type.Boolean() })
})

// Entities are inferred from the schema: no hand-written type.
defineStep({
  name: 'product_price',
  entities: Product,
  handler: ({ entities, user, conversationNo, conversationDetails, userDetails, env, step, signal, log, request, reply }) => {
    expectType<'speaker' | 'powerbank'>(entities.product_name)
    expectType<number | undefined>(entities.quantity)
    expectType<string[]>(entities.colors)
    expectType<{ value: string, to: boolean }>(entities.city)
    expectType<HaptikUser>(user)
    expectType<number | undefined>(conversationNo)
    expectType<Record<string, unknown>>(conversationDetails)
    expectType<Record<string, unknown>>(userDetails)
    expectType<Record<string, string>>(env)
    expectType<string>(step)
    expectType<AbortSignal>(signal)
    expectType<FastifyBaseLogger>(log)
    expectType<FastifyRequest>(request)
    expectType<FastifyReply>(reply)
    expectType<Buffer | null | undefined>(request.rawBody)
    return 'ok'
  }
})

// Reading an entity the schema does not declare does not compile.
expectError(defineStep({
  name: 'x',
  entities: Product,
  handler: ({ entities }) => entities.not_declared
}))

// A literal-union entity is not a plain string.
expectError(defineStep({
  name: 'x',
  entities: Product,
  handler: ({ entities }) => {
    const product: 'phone' = entities.product_name
    return product
  }
}))

// Every accepted reply shape.
defineStep({ name: 'a', handler: () => 'text' })
defineStep({ name: 'b', handler: async () => ['one', { type: 'TEXT', text: 'hi', data: { quick_replies: [] } }] })
defineStep({ name: 'c', handler: () => ({ type: 'TEXT', text: 'hi' }) })
defineStep({ name: 'd', handler: () => ({ status: false, response: 'sorry' }) })
defineStep({ name: 'e', handler: () => ({ response: ['ok'], user_details: { city: 'Pune' }, conversation_details: { n: 1 } }) })

// Without a declared schema, user_details values must be strings, as Haptik stores them.
expectError(defineStep({ name: 'f', handler: () => ({ response: 'ok', user_details: { phone: 8826755986 } }) }))
// A reply that is no reply does not compile.
expectError(defineStep({ name: 'g', handler: () => 42 }))
expectError(defineStep({ name: 'h', handler: () => ({ status: true }) }))
expectError(defineStep({ name: 'i', handler: () => [{ text: 'no type' }] }))

// user_details values are strings at Haptik: a schema with other values does not compile.
expectError(defineStep({ name: 'visits', userDetails: Type.Object({ visits: Type.Number() }), handler: () => 'x' }))
defineStep({ name: 'tier', userDetails: Type.Object({ tier: Type.String(), city: Type.Optional(Type.String()) }), handler: () => ({ response: 'x', user_details: { tier: 'gold' } }) })

// Declared details check what the handler returns.
const withDetails = defineStep({
  name: 'order',
  conversationDetails: Type.Object({ order_id: Type.String(), items: Type.Integer() }),
  userDetails: Type.Object({ tier: Type.Union([Type.Literal('gold'), Type.Literal('silver')]) }),
  handler: () => ({ response: 'ok', conversation_details: { order_id: 'AB1', items: 2 }, user_details: { tier: 'gold' as const } })
})
expectAssignable<HaptikStep>(withDetails)
expectError(defineStep({
  name: 'order',
  conversationDetails: Type.Object({ order_id: Type.String() }),
  handler: () => ({ response: 'ok', conversation_details: { order_id: 42 } })
}))
expectError(defineStep({
  name: 'order',
  userDetails: Type.Object({ tier: Type.Union([Type.Literal('gold'), Type.Literal('silver')]) }),
  handler: () => ({ response: 'ok', user_details: { tier: 'bronze' as const } })
}))

// A step needs a name and a handler.
expectError(defineStep({ handler: () => 'x' }))
expectError(defineStep({ name: 'x' }))
// Entities must be a TypeBox object.
expectError(defineStep({ name: 'x', entities: Type.String(), handler: () => 'x' }))

// The handler context type can be named.
const handler = (context: StepContext<typeof Product>) => context.entities.product_name
expectType<'speaker' | 'powerbank'>(handler({} as StepContext<typeof Product>))

// Registration: both exports, typed options.
const app = Fastify()
const step = defineStep({ name: 'x', handler: () => 'x' })
app.register(fastifyHaptik, { prefix: '/haptik', secret: 'test', steps: [step, withDetails] })
app.register(named, { secret: ['new', Buffer.from('old')], steps: [step], bodyLimit: 65536, timeout: 5000, fallbackMessage: 'Sorry' })
app.register(fastifyHaptik, { secret: async request => request.headers['x-tenant'] === 'a' ? 'a-secret' : undefined, steps: [step] })
app.register(fastifyHaptik, { allowUnsigned: true, steps: [step] })
expectError(app.register(fastifyHaptik, { secret: 'test' }))
expectError(app.register(fastifyHaptik, { secret: 42, steps: [step] }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [{ name: 'x', handler: () => 'x' }] }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], timeout: '10s' }))

// Helpers.
expectType<string>(sign('{}', 'secret'))
expectType<boolean>(verify(Buffer.from('{}'), 'sha1=…', ['a', 'b']))
expectAssignable<Error>(new StepFailure('Sorry'))
expectType<Message[]>(new StepFailure(['a', hsl.text('b')]).userMessages)
expectAssignable<HslMessage>({ type: 'TEXT', text: 'hi' })

// An app typed with the TypeBox type provider registers the plugin the same way.
const typed = Fastify().withTypeProvider<TypeBoxTypeProvider>()
typed.register(fastifyHaptik, { secret: 'test', steps: [step] })
typed.post('/mine', { schema: { body: Type.Object({ n: Type.Number() }) } }, async request => {
  expectType<number>(request.body.n)
  return {}
})

// HSL builders: what Haptik refuses does not compile.
expectAssignable<HslMessage>(hsl.text('Pick one', { quickReplies: [hsl.quickReply('Yes')] }))
expectError(hsl.quickReply(''))
expectError(hsl.text(''))
expectError(hsl.button('Need help?', []))
expectError(hsl.carousel([]))
expectError(hsl.carousel([{ image: 'https://x.test/a.png' }], { width: 'WIDE' }))
expectError(hsl.link('', 'https://x.test'))
expectType<'CAROUSEL'>(hsl.image('https://x.test/a.png').type)
defineStep({ name: 'rich', handler: () => [hsl.text('Hi'), hsl.carousel([{ image: 'https://x.test/a.png', actions: [hsl.call('Call', '123')] }])] })

// The catalog types the handler's entities.
defineStep({
  name: 'trip',
  entities: Type.Object({ travel_date: Entities.Date, destination: Entities.City, notes: Type.Optional(Entities.Text), fare: Entities.Currency, at: Entities.Time }),
  handler: ({ entities, environment }) => {
    expectType<number>(entities.travel_date.value.dd)
    expectAssignable<string>(entities.travel_date.value.type)
    expectAssignable<DateKind>('tomorrow')
    expectType<string>(entities.destination.value)
    expectType<boolean | undefined>(entities.destination.to)
    expectType<string | undefined>(entities.notes)
    expectType<number>(entities.fare.value)
    expectAssignable<string>(entities.at.nn)
    expectType<string | undefined>(environment)
    return 'ok'
  }
})

// Dispatch, environment and details limits are typed options.
app.register(fastifyHaptik, { secret: 'test', steps: [step], dispatch: true, environment: 'test', detailsLimit: { userDetails: 500 } })
app.register(fastifyHaptik, { secret: 'test', steps: [step], detailsLimit: false })
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], detailsLimit: 500 }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], dispatch: 'yes' }))

// TypeScript 7's `tsc --init` turns on exactOptionalPropertyTypes (as these type
// tests do): an option read from the environment may be undefined.
app.register(fastifyHaptik, { secret: process.env.HAPTIK_SECRET, timeout: undefined, steps: [step] })
defineStep({ name: 'y', fallbackMessage: process.env.FALLBACK, timeout: undefined, handler: () => 'y' })

// Example calls for the docs are typed from the step's schemas, and do not change what the handler sees.
const Priced = Type.Object({ product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) })
const LastProduct = Type.Object({ last_product: Type.String() })
defineStep({
  name: 'documented',
  entities: Priced,
  userDetails: LastProduct,
  examples: [
    { summary: 'The speaker', entities: { product_name: 'speaker' }, reply: { response: 'Rs.1599', user_details: { last_product: 'speaker' } } },
    { reply: [hsl.text('Which one?', { quickReplies: [hsl.quickReply('Speaker')] })] }
  ],
  handler: ({ entities }) => {
    expectType<'speaker' | 'powerbank'>(entities.product_name)
    return 'ok'
  }
})
expectError(defineStep({ name: 'documented', entities: Priced, examples: [{ entities: { product_name: 'phone' }, reply: 'x' }], handler: () => 'ok' }))
expectError(defineStep({ name: 'documented', entities: Priced, userDetails: LastProduct, examples: [{ reply: { response: 'x', user_details: { last_product: 7 } } }], handler: () => 'ok' }))
expectError(defineStep({ name: 'documented', examples: [{ summary: 'no reply' }], handler: () => 'ok' }))

// The docs page's settings fit @fastify/swagger-ui's uiConfig.
expectAssignable<FastifySwaggerUiOptions['uiConfig']>(haptikSwaggerUiConfig())
expectAssignable<FastifySwaggerUiOptions['uiConfig']>({ ...haptikSwaggerUiConfig(), docExpansion: 'list' as const })
