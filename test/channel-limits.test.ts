import t, { type Test } from 'tap'
import Fastify from 'fastify'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, StepFailure, defineStep, type AnyStep, type FastifyHaptikOptions, type StepResult } from '../lib/index.js'
import { CHANNEL_RULES, channelFindings, channelOf, characters, hsl, type Channel } from '../lib/hsl/index.js'
import { SECRET, envelope, signedPost } from './helpers/haptik.js'
import { BUTTON_COUNT_LIMITS, BUTTON_LABEL_LIMITS, CHANNELS, QUICK_REPLY_LABEL_LIMITS } from '../lib/hsl/channels.js'
import { DEVICE_PLATFORMS } from '../lib/hsl/channel-limits.js'
import { captureLogs } from './helpers/logs.js'

// The limits Haptik documents per channel (hellohaptik/docs_haptik): each
// test names the file and line of the rule it checks.

interface Line {
  level: number
  msg: string
  step?: string
  channel?: string
  message?: number
  type?: string
  element?: string
  size?: number
  limit?: number
  source?: string
  err?: { code?: string, message: string }
}

async function reply (t: Test, result: StepResult, options: Partial<FastifyHaptikOptions> & { step?: Partial<AnyStep> } = {}) {
  const { logger, lines } = captureLogs<Line>('info')
  const server = Fastify({ logger })
  t.teardown(() => server.close())
  const { step: stepOptions = {}, ...plugin } = options
  await server.register(fastifyHaptik, { secret: SECRET, steps: [defineStep({ name: 'menu', handler: () => result, ...stepOptions } as Parameters<typeof defineStep>[0])], ...plugin })
  const res = await signedPost(server, '/menu', envelope('menu', {}))
  t.equal(res.statusCode, 200)
  const mine = lines.filter(line => line.step === 'menu')
  return { body: res.json(), warnings: mine.filter(line => line.level === 40), infos: mine.filter(line => line.level === 30 && /channel/.test(line.msg)), errors: mine.filter(line => line.level === 50) }
}

const label = (length: number) => 'x'.repeat(length)

t.test('Facebook: buttons of 20 characters, quick replies of 25; answers of 500 as a guideline (docs/facebook/cs-fb.md:50,52; chat-middle.md:237)', async t => {
  const over = await reply(t, ['Hello', hsl.button('Pick one', [hsl.sendMessage(label(20)), hsl.link(label(21), 'https://x.test')])], { channels: ['facebook'] })
  t.equal(over.body.response.length, 2, 'the reply is sent')
  t.match(over.warnings, [{
    step: 'menu',
    channel: 'facebook',
    message: 1,
    type: 'BUTTON',
    element: 'data.items[1].actionable_text',
    size: 21,
    limit: 20,
    source: 'docs/facebook/cs-fb.md:50',
    msg: 'over a channel limit: response[1] (BUTTON) data.items[1].actionable_text has 21 characters: facebook takes button labels of at most 20 characters (docs/facebook/cs-fb.md:50)'
  }])
  t.equal(over.warnings.length, 1, 'a label at the limit passes')

  const quick = await reply(t, hsl.text('Pick one', { quickReplies: [hsl.quickReply(label(25)), hsl.quickReply(label(26))] }), { channels: ['facebook'] })
  t.match(quick.warnings, [{ element: 'data.quick_replies[1].actionable_text', size: 26, limit: 25, source: 'docs/facebook/cs-fb.md:52' }])
  t.equal(quick.warnings.length, 1)

  // "Facebook supports 500 characters in each answer" is a design guide's example: a guideline.
  const long = await reply(t, [label(500), label(501), hsl.text(label(501))], { channels: ['facebook'], channelLimits: 'fail' })
  t.same(long.warnings, [])
  t.equal(long.body.status, true, 'never a failure, even with channelLimits: fail')
  t.match(long.infos, [
    { message: 1, type: 'text', element: '', size: 501, limit: 500, msg: /^channel guideline: response\[1\] has 501 characters: facebook takes answers of at most 500 characters/ },
    { message: 2, type: 'TEXT', element: 'text', size: 501 }
  ])
  t.equal(long.infos.length, 2)

  const emoji = await reply(t, hsl.button('Rate us', [hsl.sendMessage('👍'.repeat(20))]), { channels: ['facebook'] })
  t.same(emoji.warnings, [], 'characters, not UTF-16 units: 20 emoji are 20 characters')
})

t.test('Google Business Messages: at most 4 text buttons of 25 characters (docs/gbm/on-cs.md:44-47)', async t => {
  const buttons = Array.from({ length: 5 }, (_, index) => hsl.sendMessage(`Option ${index + 1}`))
  const five = await reply(t, hsl.button('Pick one', [buttons[0], ...buttons.slice(1)]), { channels: ['gbm'] })
  t.match(five.warnings, [{ element: 'data.items', size: 5, limit: 4, msg: /has 5 buttons: gbm takes at most 4 buttons/ }])
  const kinds = await reply(t, hsl.button('Need help?', [hsl.sendMessage(label(26)), hsl.link('FAQ', 'https://x.test'), hsl.launchChannel('Chat')]), { channels: ['gbm'] })
  t.match(kinds.warnings, [
    { element: 'data.items[0].actionable_text', size: 26, limit: 25 },
    { element: 'data.items[1]', msg: /data\.items\[1\] is not rendered: gbm takes only text buttons/ },
    { element: 'data.items[2]', source: 'docs/gbm/on-cs.md:46-47' }
  ])
  t.equal(kinds.warnings.length, 3)
  const carousel = await reply(t, hsl.carousel([{ title: 'A', actions: [hsl.link('Open', 'https://x.test')] }]), { channels: ['gbm'] })
  t.same(carousel.warnings, [], 'carousel buttons may be links (on-cs.md:52)')
})

t.test('WhatsApp: only text and images in a bot (docs/whatsapp/cs-wa.md:69-73)', async t => {
  const fine = await reply(t, ['Hello', hsl.text('Your order is on its way'), hsl.image('https://x.test/receipt.png')], { channels: ['whatsapp'] })
  t.same(fine.warnings, [])
  const not = await reply(t, [
    hsl.text('Pick one', { quickReplies: [hsl.quickReply('Yes')] }),
    hsl.button('Open', [hsl.link('FAQ', 'https://x.test')]),
    hsl.carousel([{ title: 'A' }, { title: 'B' }]),
    hsl.carousel([{ image: 'https://x.test/a.png', actions: [hsl.link('Open', 'https://x.test')] }]),
    hsl.carousel([{ image: 'https://x.test/a.png', miniAction: hsl.share('Share', { message: 'hi' }) }]),
    hsl.form('Your details', [{ key: 'email', type: 'text' }])
  ], { channels: ['whatsapp'] })
  t.match(not.warnings.map(line => [line.message, line.element]), [[0, 'data.quick_replies'], [1, 'type'], [2, 'type'], [3, 'type'], [4, 'type'], [5, 'type']])
  t.match(not.warnings[0].msg, 'response[0] (TEXT) data.quick_replies is not rendered: whatsapp takes only text and images (Raw Text/JSON and Image HSL) (docs/whatsapp/cs-wa.md:69-73)')
})

t.test('the SDKs\' design tips are guidelines: logged at info level, never a failure (docs/bot-builder/basic/chat-middle.md)', async t => {
  const cards = Array.from({ length: 6 }, (_, index) => ({ title: `Card ${index}` }))
  for (const channel of ['web', 'android', 'ios'] as const) {
    const tips = await reply(t, [
      hsl.text('Pick', { quickReplies: [hsl.quickReply(label(28))] }),
      hsl.button('Pick', [hsl.sendMessage(label(22))]),
      hsl.carousel([cards[0], ...cards.slice(1)])
    ], { channels: [channel], channelLimits: 'fail' })
    t.equal(tips.body.status, true, `${channel}: sent`)
    t.same(tips.warnings, [], `${channel}: no warning`)
    t.match(tips.infos, [
      { limit: 27, size: 28, source: 'docs/bot-builder/basic/chat-middle.md:67', msg: /^channel guideline: / },
      { limit: 21, size: 22, source: 'docs/bot-builder/basic/chat-middle.md:84' },
      { limit: 5, size: 6, source: 'docs/bot-builder/basic/chat-middle.md:96', msg: /has 6 carousel cards/ }
    ], channel)
  }
})

t.test('channelLimits: fail takes the failure path, or hands over', async t => {
  const over = hsl.button('Pick one', [hsl.sendMessage(label(21))])
  const failed = await reply(t, over, { channels: ['facebook', 'gbm'], channelLimits: 'fail' })
  t.same(failed.body, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  t.match(failed.errors, [{
    err: {
      code: 'FST_HAPTIK_CHANNEL_LIMIT',
      message: 'Step "menu" returned a reply over a channel limit: response[0] (BUTTON) data.items[0].actionable_text has 21 characters: facebook takes button labels of at most 20 characters (docs/facebook/cs-fb.md:50)'
    }
  }])
  const handedOver = await reply(t, over, { channels: ['facebook'], channelLimits: 'fail', onFailure: 'handoff' })
  t.same(handedOver.body, { status: false, response: [] })
  const stepLevel = await reply(t, over, { channels: ['facebook'], step: { channelLimits: 'fail' } })
  t.same(stepLevel.body, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'per step')
  const warnOnly = await reply(t, over, { channels: ['facebook'], channelLimits: 'fail', step: { channelLimits: 'warn' } })
  t.equal(warnOnly.body.status, true, 'a step overrides the plugin')
})

t.test('channels per step override the plugin\'s; none means no check', async t => {
  const over = hsl.button('Pick one', [hsl.sendMessage(label(21))])
  t.equal((await reply(t, over, { channels: ['web'], step: { channels: ['facebook'] } })).warnings.length, 1)
  t.equal((await reply(t, over, { channels: ['facebook'], step: { channels: [] } })).warnings.length, 0)
  t.equal((await reply(t, over)).warnings.length, 0, 'no channels by default')
  t.equal((await reply(t, over, { channels: ['facebook', 'facebook'] })).warnings.length, 1, 'a channel listed twice counts once')
  t.equal((await reply(t, over, { channels: ['bot_api', 'jio', 'jio_chat'] })).warnings.length, 0, 'channels with no documented limits')
})

t.test('a StepFailure\'s messages are checked too', async t => {
  const handler = () => { throw new StepFailure(hsl.text('Sorry', { quickReplies: [hsl.quickReply(label(26))] })) }
  const failed = await reply(t, 'unused', { channels: ['facebook'], step: { handler } })
  t.same(failed.body.status, false)
  t.equal(failed.body.response.length, 1)
  t.match(failed.warnings, [{ limit: 25 }])
  const strict = await reply(t, 'unused', { channels: ['facebook'], channelLimits: 'fail', step: { handler } })
  t.same(strict.body, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
})

t.test('channels and channelLimits are checked at registration', async t => {
  const step = defineStep({ name: 'x', handler: () => 'x' })
  const cases: Array<[Record<string, unknown>, AnyStep, RegExp]> = [
    [{ channels: ['fb'] }, step, /^fastify-haptik: channels\[0\] must be "web" or "android" or .* or "jio_chat", got "fb"$/],
    [{ channels: 'facebook' }, step, /^fastify-haptik: channels must be a list of channels, e.g\. \['web', 'facebook'\]$/],
    [{ channels: ['web', 5] }, step, /channels\[1\] must be .*, got 5$/],
    [{ channelLimits: 'error' }, step, /^fastify-haptik: channelLimits must be "warn" or "fail", got "error"$/],
    [{}, defineStep({ name: 'y', channels: ['telegram' as Channel], handler: () => 'x' }), /^fastify-haptik: step "y": channels\[0\] must be/]
  ]
  for (const [options, which, message] of cases) {
    const server = Fastify()
    t.teardown(() => server.close())
    server.register(fastifyHaptik, { secret: SECRET, steps: [which], ...options as Partial<FastifyHaptikOptions> })
    await t.rejects(async () => { await server.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
})

t.test('the table, the device platforms and the checker', async t => {
  t.same(Object.keys(CHANNEL_RULES), CHANNELS, 'every channel has its rules')
  for (const [channel, rules] of Object.entries(CHANNEL_RULES)) {
    for (const rule of rules) t.match(rule.source, /^docs\/[a-z-_/]+\.md:\d+(-\d+)?$/, `${channel} ${rule.element}: cites a docs_haptik file and line`)
  }
  t.same(DEVICE_PLATFORMS, { 2: 'android', 3: 'facebook', 4: 'jio', 5: 'web', 6: 'ios', 13: 'bot_api', 14: 'whatsapp', 15: 'jio_chat' })
  t.equal(channelOf(3), 'facebook')
  t.equal(channelOf(99), undefined)
  t.equal(channelOf(undefined), undefined)
  t.equal(characters('👍 ok'), 4)
  t.equal(characters('👍🏽 🇮🇳 👨‍👩‍👧'), 11, 'code points: a skin tone, a flag\'s two letters and a family\'s joiners count, the safe side of any limit')
  t.equal(characters('नमस्ते'), 6, 'Devanagari: each letter and sign')
  // Plain text that looks like JSON is text; so is HSL without a type.
  t.same(channelFindings(['whatsapp'], ['{not json', '{"text":"no type"}', '[1]']), [])
  const findings = channelFindings(['facebook'], [
    JSON.stringify({ type: 'BUTTON', text: 'x', data: { items: [{ type: 'TEXT_ONLY' }, { actionable_text: label(21) }] } }),
    JSON.stringify({ type: 'TEXT', text: 42, data: 'none' }),
    JSON.stringify({ type: 'FORM', title: label(600) })
  ])
  t.same(findings.map(({ message, element, size }) => [message, element, size]), [[0, 'data.items[1].actionable_text', 21]], 'hand-written HSL with missing parts is measured as it is')
})

t.test('hsl.forChannels: the same builders, typed for the channels (types/index.test-d.ts checks what does not compile)', async t => {
  const fb = hsl.forChannels('facebook', 'gbm')
  t.equal(fb.link, hsl.link)
  t.equal(fb.button, hsl.button)
  t.same(fb.button('Pick one', [fb.sendMessage('Yes')]), hsl.button('Pick one', [hsl.sendMessage('Yes')]))
  // The type-level limits are the run-time table's.
  const max = (channel: Channel, element: string) => CHANNEL_RULES[channel].find(rule => rule.element === element)?.max
  t.same([max('facebook', 'button label'), max('gbm', 'button label')], [BUTTON_LABEL_LIMITS.facebook, BUTTON_LABEL_LIMITS.gbm])
  t.equal(max('facebook', 'quick reply label'), QUICK_REPLY_LABEL_LIMITS.facebook)
  t.equal(max('gbm', 'buttons'), BUTTON_COUNT_LIMITS.gbm)
})
