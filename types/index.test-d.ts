import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import fastifyHaptik, { defineStep, withDefault, fastifyHaptik as named, sign, verify, StepFailure, StepHandoff, Entities, haptikSwaggerUiConfig, handoff, exampleRequest, type DateKind, type HaptikEnvelope, type HaptikStep, type HaptikUser, type StateOf, type StepContext, type WithDefault, type LocalizedText, type TextValue } from 'fastify-haptik'
import { hsl, isHslType, messageFromWire, summaryOf, channelOf, CHANNELS, type HslMessage, type Message, type Channel, type Actionable, type ActionableType, type FormField, type FormFieldType, type HslButton, type HslCarousel, type HslForm, type HslNativeAction, type HslSilent, type HslSystem, type HslText, type SystemEvent, type Uri } from 'fastify-haptik/hsl'

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
expectType<Message[] | LocalizedText>(new StepFailure(['a', hsl.text('b')]).userMessages)
expectAssignable<Error>(new StepFailure({ default: 'Sorry', hi: 'क्षमा करें' }))
expectError(new StepFailure({ hi: 'no default' }))
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
expectError(hsl.form('Your details', []))
// Cards, buttons and fields built from data compile; the builder checks them when called.
declare const products: Array<{ name: string, image: string }>
expectType<HslCarousel>(hsl.carousel(products.map(product => ({ title: product.name, image: product.image, actions: [hsl.sendMessage(`Buy ${product.name}`)] }))))
expectType<HslButton>(hsl.button('Pick one', products.map(product => hsl.sendMessage(product.name))))
expectType<HslForm>(hsl.form('Your details', products.map(product => ({ key: product.name, type: 'text' as const }))))
expectType<HslText>(hsl.text('More?', { quickReplies: products.map(product => hsl.quickReply(product.name)) }))
const literalCards = [{ title: 'A' }, { title: 'B' }] as const
expectType<HslCarousel>(hsl.carousel(literalCards))
// A literal card is still checked key by key.
expectError(hsl.carousel([{ image: 'https://x.test/a.png', titel: 'A' }]))
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
    expectType<boolean>(entities.destination.to)
    expectType<TextValue | undefined>(entities.notes)
    expectType<string | undefined>(entities.notes?.value)
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

// ---- HSL: every type Haptik's builder knows, typed ----
// python-hsl's own to_hsl() output for each type (hsl_builder/*.py), as literals.
expectAssignable<HslText>({ text: 'Hello', type: 'TEXT', voice_text: '', data: { quick_replies: [] } })
expectAssignable<HslButton>({
  text: 'Title',
  type: 'BUTTON',
  voice_text: '',
  data: { items: [{ actionable_text: 'actionable text', type: 'APP_ACTION', uri: 'LINK', is_default: 0, location_required: false, payload: { url: 'https://www.haptik.ai' } }] }
})
expectAssignable<HslCarousel>({
  text: 'Pick one',
  type: 'CAROUSEL',
  voice_text: '',
  data: { image_aspect_ratio: 1.0, width: 'THIN', items: [{ title: 'Item title', sub_title: 'Item subtitle', description: '', actionables: [], meta: '', thumbnail: { image: '' } }] }
})
expectAssignable<HslForm>({
  title: 'Form title',
  type: 'FORM',
  subtitle: 'Form subtitle',
  data: { fields: [{ key: 'email', type: 'text', keyboard_type: 'normal', order: 1, icon: 'email_icon', hint: 'Enter email', options: [], search_source: '', search_placeholder: '', autofill: '', autofill_source: '' }] }
})
expectAssignable<HslSystem>({ text: 'Chat complete', type: 'SYSTEM', voice_text: '', data: { event_name: 'chat_complete', payload: {} } })
expectAssignable<HslSilent>({ text: 'silent', type: 'SILENT', voice_text: '', data: { silent_actions: [{ type: 'Action', data: { key: 'value', Id: 7, via_name: 'via' } }] } })
expectAssignable<HslNativeAction>({ text: 'native', type: 'NATIVE_ACTION', voice_text: '', data: { method: 'METHOD' } })
expectAssignable<HslMessage>({ title: 'Form title', type: 'FORM', subtitle: '', data: { fields: [] } })

// Each builder's type, all of them messages a handler may return, a FORM (which has no text) included.
const form = hsl.form('Book a table', [
  { key: 'email', type: 'text', keyboardType: 'email', hint: 'Your email' },
  { key: 'guests', type: 'picker', options: ['1', '2'] },
  { key: 'area', type: 'search', searchSource: 'https://x.test/areas', searchPlaceholder: 'Area' },
  { key: 'name', type: 'text', autofill: 'Asha', autofillSource: 'profile', order: 9, icon: 'person' }
], { subtitle: 'A few details' })
expectType<HslForm>(form)
expectType<HslText>(hsl.text('Hi', { voiceText: 'Hi there', quickReplies: [hsl.quickReply('Yes', { emoji: '👍' })] }))
expectType<HslButton>(hsl.button('Help?', [hsl.webview('Orders', 'https://x.test'), hsl.launchChannel('Chat'), hsl.imageUpload('Photo'), hsl.documentPicker('PDF'), hsl.galleryPicker('Gallery'), hsl.feedback('Rate')]))
expectType<HslCarousel>(hsl.carousel([{ title: 'A', meta: 'm', miniAction: hsl.share('Share', { message: 'hi' }), actions: [hsl.carouselDetail('More', { images: ['https://x.test/1.png'] })] }], { isNew: false, voiceText: 'Cards' }))
expectType<HslSystem>(hsl.system('Pinned', 'chat_pinned', { payload: { agent_name: 'Asha', team_name: 'Support' } }))
expectType<HslSilent>(hsl.silent('', [hsl.silentAction('refresh', 1, 'shop', { cart: 'C1' })]))
expectType<HslNativeAction>(hsl.nativeAction('Opening', 'open_cart', { voiceText: '' }))
expectType<Actionable>(hsl.sendLocation('Send location', { latKey: 'lat', lngKey: 'lng' }))
expectType<Actionable>(hsl.actionable('Saved', { type: 'APP_ACTION', uri: 'SAVED_ADDRESSES', locationRequired: false }))
defineStep({ name: 'all', handler: () => [form, hsl.system('Done', 'chat_complete'), hsl.silent('', []), hsl.nativeAction('x', 'm'), hsl.image('https://x.test/a.png')] })
defineStep({ name: 'form-only', handler: () => form })
expectType<string>(summaryOf(form))
expectAssignable<Error>(new StepFailure([form]))

// What python-hsl's enums do not know does not compile.
expectError(hsl.form('x', [{ key: 'a', type: 'number' }]))
expectError(hsl.form('x', [{ key: 'a', type: 'text', keyboardType: 'phone' }]))
expectError(hsl.form('x', []))
expectError(hsl.form('x', [{ key: 'a', type: 'picker' }])) // a picker needs options
expectError(hsl.form('x', [{ key: 'a', type: 'multiselectpicker', options: [] }]))
expectError(hsl.system('x', 'chat_closed'))
expectError(hsl.actionable('x', { type: 'LINK' }))
expectError(hsl.actionable('x', { type: 'APP_ACTION', uri: 'WEBVIEW' }))
expectError(hsl.silentAction('x', true, 'via'))
expectError(hsl.carousel([{ title: 'A' }], { imageAspectRatio: true }))
expectAssignable<ActionableType>('SHARE_REFERRAL')
expectAssignable<ActionableType>('SHARE')
expectAssignable<Uri>('SEND_MULTIPLE_LOCATIONS')
expectAssignable<Uri>('IMAGE_UPLOAD')
expectAssignable<FormFieldType>('multidaypicker')
expectAssignable<SystemEvent>('chat_pinned')

// isHslType narrows a message to its type; messageFromWire reads one off a reply.
declare const anyMessage: Message
if (isHslType(anyMessage, 'FORM')) expectType<FormField[]>(anyMessage.data.fields)
expectType<Message>(messageFromWire('{"type":"TEXT","text":"hi"}'))
expectError(messageFromWire({ type: 'TEXT' }))

// exampleRequest: a whole request, for a step or a step name.
expectType<HaptikEnvelope>(exampleRequest('order_status', { order_id: 'AB1234' }))

// Builders typed for a bot's channels: labels over a limit, too many buttons.
const fb = hsl.forChannels('facebook', 'web')
fb.button('Pick one', [fb.link('Track your order', 'https://x.test'), fb.sendMessage('12345678901234567890')])
expectError(fb.link('Track the order you placed', 'https://x.test'))
expectError(fb.sendMessage('123456789012345678901'))
fb.quickReply('1234567890123456789012345')
expectError(fb.quickReply('12345678901234567890123456'))
expectError(fb.quickReply(''))
declare const dynamic: string
fb.link(dynamic, 'https://x.test') // not a literal: checked at run time only
const gbm = hsl.forChannels('gbm')
const option = gbm.sendMessage('1234567890123456789012345')
gbm.button('Pick one', [option, option, option, option])
expectError(gbm.button('Pick one', [option, option, option, option, option]))
expectError(gbm.sendMessage('12345678901234567890123456'))
const web = hsl.forChannels('web')
web.button('Pick one', [option, option, option, option, option, option])
web.button('Pick one', products.map(product => web.sendMessage(product.name)))
expectError(web.button('Pick one', []))
web.link('A label that is long but fine on the web', 'https://x.test')
expectType<HslText>(fb.text('Hi'))
expectError(hsl.forChannels('telegram'))

// Hand-over to an agent: returned or thrown, typed with the step's details.
defineStep({ name: 'agent', handler: () => handoff() })
defineStep({ name: 'agent-reason', handler: async () => handoff({ reason: 'refund' }) })
defineStep({
  name: 'agent-details',
  conversationDetails: Type.Object({ topic: Type.String() }),
  handler: () => handoff({ conversation_details: { topic: 'refund' } })
})
expectError(defineStep({
  name: 'agent-bad-details',
  conversationDetails: Type.Object({ topic: Type.String() }),
  handler: () => handoff({ conversation_details: { topic: 42 } })
}))
expectError(defineStep({ name: 'agent-user', handler: () => handoff({ user_details: { visits: 3 } }) }))
expectAssignable<Error>(handoff())
expectType<boolean>(handoff() instanceof StepHandoff)

// Reply options: channels, channel limits and what failures answer, on the plugin and on a step.
app.register(fastifyHaptik, { secret: 'test', steps: [step], channels: ['facebook', 'whatsapp', 'gbm'], channelLimits: 'fail', onFailure: 'handoff' })
defineStep({ name: 'fb', channels: ['facebook'], channelLimits: 'warn', onFailure: 'fallback', handler: () => 'x' })
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], channels: ['fb'] }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], channels: 'facebook' }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], channelLimits: 'error' }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], onFailure: 'agent' }))
expectError(defineStep({ name: 'x', onFailure: 'agent', handler: () => 'x' }))
expectAssignable<readonly Channel[]>(CHANNELS)
expectType<Channel | undefined>(channelOf(14))

// Real traffic: the policy for entities the user got wrong, texts per language, the event.
app.register(fastifyHaptik, { secret: 'test', steps: [step], invalidEntities: 'reject', invalidEntityMessage: { default: 'Which one?', hi: 'कौन सा?' } })
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], invalidEntities: 'ignore' }))
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [step], fallbackMessage: { hi: 'no default' } }))
defineStep({
  name: 'lang',
  invalidEntities: 'failure',
  fallbackMessage: { default: 'Sorry', hi: 'क्षमा करें' },
  entities: Type.Object({ otp: Entities.Digits, phone: Entities.Phone, range: Entities.NumberRange, budget: Entities.Budget, name: Entities.PersonName }),
  handler: ({ language, localize, event, entities }) => {
    expectType<string | undefined>(language)
    expectType<string | undefined>(event)
    expectType<string>(localize({ default: 'Hi', hi: 'नमस्ते' }))
    expectType<string>(entities.otp)
    expectType<string | undefined>(entities.phone.country_calling_code)
    expectType<number | null>(entities.range.abs_value)
    expectType<number>(entities.budget.min_budget)
    expectType<string | null>(entities.name.last_name)
    return 'ok'
  }
})

// A step that hands over says so, for its docs.
defineStep({ name: 'agent-docs', handsOver: true, handler: () => handoff() })
expectError(defineStep({ name: 'agent-docs-bad', handsOver: 'yes', handler: () => handoff() }))

// State: typed from the step's schemas, read and returned.
const CartState = Type.Object({ items: Type.Array(Type.String()) })
const VisitState = Type.Object({ visits: Type.Number() })
defineStep({
  name: 'cart',
  state: CartState,
  userState: VisitState,
  handler: ({ state, userState }) => {
    expectType<{ items: string[] } | undefined>(state)
    expectType<{ visits: number } | undefined>(userState)
    return { response: 'ok', state: { items: ['tea'] }, userState: { visits: 1 } }
  }
})
expectError(defineStep({ name: 'cart-bad', state: CartState, handler: () => ({ response: 'ok', state: { items: [1] } }) }))
expectError(defineStep({ name: 'stateless', handler: () => ({ response: 'ok', state: { items: [] } }) }))
defineStep({ name: 'stateless-reads', handler: ({ state }) => { expectType<undefined>(state); return 'ok' } })
// A schema made with withDefault: the state is never undefined, for state and userState alike.
defineStep({
  name: 'cart-default',
  state: withDefault(CartState, { items: [] }),
  userState: withDefault(VisitState, { visits: 0 }),
  handler: ({ state, userState }) => {
    expectType<{ items: string[] }>(state)
    expectType<{ visits: number }>(userState)
    return { response: `${state.items.length} items`, state: { items: [...state.items, 'tea'] }, userState: { visits: userState.visits + 1 } }
  }
})
expectType<StateOf<WithDefault<typeof CartState>>>({ items: ['tea'] })
expectNotAssignable<StateOf<WithDefault<typeof CartState>>>(undefined)
expectAssignable<StateOf<typeof CartState>>(undefined)
// The default must fit the schema.
expectError(withDefault(CartState, { items: [1] }))
expectError(withDefault(CartState, {}))
// TypeBox's own `default` option is not in its types: without withDefault, the state may be undefined.
defineStep({
  name: 'cart-option',
  state: Type.Object({ items: Type.Array(Type.String()) }, { default: { items: [] } }),
  handler: ({ state }) => { expectType<{ items: string[] } | undefined>(state); return 'ok' }
})
// A reply object is checked as a reply object only (test/package/consumers.test.ts checks that the messages name the field).
expectError(defineStep({ name: 'state-typo', state: CartState, handler: () => ({ response: 'ok', state: { item: [] } }) }))
expectError(defineStep({ name: 'details-type', userDetails: Type.Object({ last_order: Type.String() }), handler: () => ({ response: 'ok', user_details: { last_order: 42 } }) }))
// An HSL message returned alone still compiles: a literal of a type no builder makes, and a value of the union.
defineStep({ name: 'lone-literal', handler: () => ({ type: 'RECEIPT', text: 'Your receipt', data: {} }) })
defineStep({ name: 'lone-union', handler: async () => anyMessage })

// Webhook handlers get their event typed by its name.
app.register(fastifyHaptik, {
  secret: 'test',
  steps: [],
  webhooks: {
    on: {
      message: (event, { signal, log }) => {
        expectType<'message'>(event.event_name)
        // A number, or text: Haptik may send text, and a number past 2^53 arrives with its digits as text.
        expectType<number | string | undefined>(event.message?.id)
        expectType<AbortSignal>(signal)
        log.info('got it')
      },
      webhook_conversation_complete: event => { expectType<Record<string, unknown> | undefined>(event.data?.conversation_details) }
    },
    onGiveUp: (event, error, { attempts, signal }) => {
      expectType<unknown>(event)
      expectType<string | undefined>(error.code)
      expectType<number>(attempts)
      expectType<AbortSignal>(signal)
    },
    maxAttempts: 3
  },
  signup: {
    verify: async ({ authId, authCode }, _request, { signal }) => { expectType<AbortSignal>(signal); return authId === authCode },
    timeout: 1500,
    concurrency: 20
  }
})
expectError(app.register(fastifyHaptik, { secret: 'test', steps: [], webhooks: { on: { messages: () => {} } } }))
