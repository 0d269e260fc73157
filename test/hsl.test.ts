import t from 'tap'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import {
  defineStep, hsl, HslButtonSchema, HslCarouselSchema, HslMessageSchema, HslTextSchema, QuickReplySchema, ActionableSchema
} from '../lib/index.js'
import { envelope, haptikApp, signedPost } from './helpers/haptik.js'

// The examples of ../shared/haptik-protocol.md, section 4, verbatim.
const PROTOCOL = {
  text: { text: 'Your ticket is T-42.', type: 'TEXT', data: { quick_replies: [] } },
  quickReplies: {
    text: 'Pick one',
    type: 'TEXT',
    data: { quick_replies: [{ actionable_text: 'Yes', is_default: 0, type: 'TEXT_ONLY', payload: { message: 'Yes', gogo_message: 'yes{confirm:1}' } }] }
  },
  button: {
    text: 'Need more help?',
    type: 'BUTTON',
    data: {
      items: [
        { actionable_text: 'Open FAQ', location_required: false, is_default: 0, uri: 'LINK', type: 'APP_ACTION', payload: { url: 'https://example.test/faq', gogo_message: '' } },
        { actionable_text: 'Talk to agent', location_required: false, is_default: 0, uri: '', type: 'TEXT_ONLY', payload: { message: 'Talk to agent', gogo_message: '' } }
      ]
    }
  },
  carousel: {
    text: 'Your orders',
    type: 'CAROUSEL',
    data: {
      image_aspect_ratio: 1.69,
      width: 'MEDIUM',
      items: [{
        thumbnail: { image: 'https://example.test/a.png' },
        title: 'Order AB1234',
        sub_title: 'Shipped',
        description: 'ETA Friday',
        actionables: [{ actionable_text: 'Track', location_required: false, is_default: 0, uri: 'LINK', type: 'APP_ACTION', payload: { url: 'https://example.test/t/AB1234', gogo_message: '' } }]
      }]
    }
  },
  image: {
    text: '',
    type: 'CAROUSEL',
    data: { image_aspect_ratio: 1.77, width: 'FAT', items: [{ thumbnail: { image: 'https://example.test/receipt.png', type: 'LANDSCAPE' }, actionables: [] }] }
  }
}

const check = (schema: Parameters<typeof TypeCompiler.Compile>[0], value: unknown) => TypeCompiler.Compile(schema).Check(value)

t.test('each builder reproduces the documented example', async t => {
  t.same(hsl.text('Your ticket is T-42.'), PROTOCOL.text)
  t.same(hsl.text('Pick one', { quickReplies: [hsl.quickReply('Yes', { gogoMessage: 'yes{confirm:1}' })] }), PROTOCOL.quickReplies)
  t.same(hsl.button('Need more help?', [hsl.link('Open FAQ', 'https://example.test/faq'), hsl.sendMessage('Talk to agent')]), PROTOCOL.button)
  t.same(hsl.carousel([{
    image: 'https://example.test/a.png',
    title: 'Order AB1234',
    subTitle: 'Shipped',
    description: 'ETA Friday',
    actions: [hsl.link('Track', 'https://example.test/t/AB1234')]
  }], { text: 'Your orders' }), PROTOCOL.carousel)
  // The documented image carries the deprecated thumbnail.type; the builder leaves it out.
  const { type: _deprecated, ...thumbnail } = PROTOCOL.image.data.items[0].thumbnail
  t.same(hsl.image('https://example.test/receipt.png'), { ...PROTOCOL.image, data: { ...PROTOCOL.image.data, items: [{ thumbnail, actionables: [] }] } })
})

t.test('the schemas accept the documented examples and the builders\' output', async t => {
  t.ok(check(HslTextSchema, PROTOCOL.text))
  t.ok(check(HslTextSchema, PROTOCOL.quickReplies))
  t.ok(check(HslButtonSchema, PROTOCOL.button))
  t.ok(check(HslCarouselSchema, PROTOCOL.carousel))
  t.ok(check(HslCarouselSchema, PROTOCOL.image))
  for (const example of Object.values(PROTOCOL)) t.ok(check(HslMessageSchema, example), `${example.type} is an HSL message`)
  t.ok(check(ActionableSchema, hsl.call('Call us', '+912255550101')))
  t.ok(check(QuickReplySchema, hsl.quickReply('No', { message: 'No thanks', isDefault: true })))
})

t.test('the schemas refuse what Haptik refuses', async t => {
  t.notOk(check(QuickReplySchema, { ...PROTOCOL.quickReplies.data.quick_replies[0], actionable_text: '' }), 'a quick reply without text')
  t.notOk(check(HslButtonSchema, { ...PROTOCOL.button, data: { items: [] } }), 'a button message without buttons')
  t.notOk(check(HslCarouselSchema, { ...PROTOCOL.carousel, data: { ...PROTOCOL.carousel.data, width: 'WIDE' } }), 'an unknown width')
  t.notOk(check(HslCarouselSchema, { ...PROTOCOL.carousel, data: { ...PROTOCOL.carousel.data, items: [] } }), 'a carousel without cards')
  t.notOk(check(HslTextSchema, { ...PROTOCOL.text, text: '' }), 'a text message without text')
})

t.test('actions and options', async t => {
  t.same(hsl.call('Call us', '+912255550101'), {
    actionable_text: 'Call us',
    location_required: false,
    is_default: 0,
    uri: 'CALL',
    type: 'APP_ACTION',
    payload: { phone_number: '+912255550101', url: 'tel:+912255550101', gogo_message: '' }
  })
  t.equal(hsl.link('Open', 'https://x.test', { isDefault: true }).is_default, 1)
  t.equal(hsl.call('Call', '1', { isDefault: true }).is_default, 1)
  t.same(hsl.sendMessage('Yes', { message: 'Yes please', gogoMessage: 'yes', isDefault: true }).payload, { message: 'Yes please', gogo_message: 'yes' })
  t.same(hsl.quickReply('No', { message: 'No thanks', isDefault: true }), { actionable_text: 'No', is_default: 1, type: 'TEXT_ONLY', payload: { message: 'No thanks', gogo_message: '' } })
  t.same(hsl.carousel([{ image: 'https://x.test/blank.png', title: 'No image' }], { width: 'THIN', imageAspectRatio: '1000.1' }).data,
    { image_aspect_ratio: '1000.1', width: 'THIN', items: [{ thumbnail: { image: 'https://x.test/blank.png' }, title: 'No image', actionables: [] }] })
  t.same(hsl.carousel([{ image: 'https://x.test/a.png' }]).data.items, [{ thumbnail: { image: 'https://x.test/a.png' }, actionables: [] }], 'a card with only an image')
  t.same(hsl.image('https://x.test/i.png', { text: 'Your receipt', width: 'BIG', aspectRatio: 1 }).data.width, 'BIG')
  const form = hsl.message({ type: 'NATIVE_ACTION', text: 'Opening the app', data: { method: 'open_cart' } })
  t.same(form, { type: 'NATIVE_ACTION', text: 'Opening the app', data: { method: 'open_cart' } })
  t.ok(check(HslMessageSchema, form))
})

t.test('builders in a reply go out as JSON strings', async t => {
  const step = defineStep({
    name: 'rich',
    handler: () => ['Here you go', hsl.carousel([{ image: 'https://x.test/a.png', title: 'A' }]), hsl.text('More?', { quickReplies: [hsl.quickReply('Yes')] })]
  })
  const app = await haptikApp(t, { steps: [step] })
  const res = await signedPost(app, '/rich', envelope('rich', {}))
  const { response } = res.json()
  t.equal(response[0], 'Here you go')
  t.match(JSON.parse(response[1]), { type: 'CAROUSEL', data: { items: [{ title: 'A' }] } })
  t.same(JSON.parse(response[2]).data.quick_replies[0].actionable_text, 'Yes')
})
