// Multilingual bots: Haptik wants their bot-break messages per language
// (docs/bot-builder/basic/multiple-languages.md, step 4), and the integration
// picks its reply by `user.language_code` (docs/bot-builder/integrations/
// integration-parameters.md, "Response for Multi-Lingual Bot").
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { defineStep, StepFailure, type StepContext } from '../lib/index.js'
import { detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'

const SORRY = { default: 'Sorry, please try again.', hi: 'क्षमा करें, फिर से कोशिश करें।', 'pt-BR': 'Desculpe, tente novamente.' }
const WHICH = { default: 'Which product?', hi: 'कौन सा उत्पाद?' }

const inLanguage = (name: string, language: string | undefined, entities: Record<string, unknown[]> = {}) =>
  envelope(name, entities, { user: { user_id: '1', ...(language === undefined ? {} : { language_code: language }) } })

t.test('the fallback message is picked by the user\'s language, with the default for any other', async t => {
  const broken = defineStep({ name: 'broken', handler: () => { throw new Error('database down') } })
  const late = defineStep({ name: 'late', timeout: 20, handler: () => new Promise<string>(() => {}) })
  const app = await haptikApp(t, { steps: [broken, late], fallbackMessage: SORRY })
  const cases: Array<[string | undefined, string]> = [
    ['hi', SORRY.hi], ['HI', SORRY.hi], ['hi-IN', SORRY.hi], ['hi_IN', SORRY.hi],
    ['pt-br', SORRY['pt-BR']], ['pt', SORRY.default], ['mr', SORRY.default], [undefined, SORRY.default]
  ]
  for (const [language, expected] of cases) {
    t.same((await signedPost(app, '/broken', inLanguage('broken', language))).json(), { status: false, response: [expected] }, `thrown, ${String(language)}`)
  }
  t.same((await signedPost(app, '/late', inLanguage('late', 'hi'))).json(), { status: false, response: [SORRY.hi] }, 'past the deadline too')
})

t.test('a Hindi-speaking user gets the Hindi invalid-entity message, per step or per plugin', async t => {
  const price = defineStep({ name: 'price', entities: Type.Object({ product: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) }), invalidEntityMessage: WHICH, handler: () => 'ok' })
  const app = await haptikApp(t, { steps: [price] })
  const wrong = { product: [detection('phone')] }
  t.same((await signedPost(app, '/price', inLanguage('price', 'hi', wrong))).json(), { status: false, response: [WHICH.hi] })
  t.same((await signedPost(app, '/price', inLanguage('price', 'en', wrong))).json(), { status: false, response: [WHICH.default] })
})

t.test('StepFailure takes a text per language', async t => {
  const step = defineStep({ name: 'order', handler: () => { throw new StepFailure({ default: 'No such order.', hi: 'ऐसा कोई ऑर्डर नहीं है।' }) } })
  const app = await haptikApp(t, { steps: [step] })
  t.same((await signedPost(app, '/order', inLanguage('order', 'hi'))).json(), { status: false, response: ['ऐसा कोई ऑर्डर नहीं है।'] })
  t.same((await signedPost(app, '/order', inLanguage('order', 'ta'))).json(), { status: false, response: ['No such order.'] })
  t.equal(new StepFailure({ default: 'No such order.' }).message, 'No such order.', 'its error message is the default text')
})

t.test('handlers see the language and pick their own texts with localize', async t => {
  const seen: Array<string | undefined> = []
  const step = defineStep({
    name: 'greet',
    handler: ({ language, localize }: StepContext) => {
      seen.push(language)
      return localize({ default: 'Your order is on its way.', hi: 'आपका ऑर्डर रास्ते में है।' })
    }
  })
  const app = await haptikApp(t, { steps: [step] })
  t.same((await signedPost(app, '/greet', inLanguage('greet', 'hi'))).json().response, ['आपका ऑर्डर रास्ते में है।'])
  t.same((await signedPost(app, '/greet', inLanguage('greet', undefined))).json().response, ['Your order is on its way.'])
  t.same((await signedPost(app, '/greet', { event: 'API_INTEGRATION', entities: {} })).json().response, ['Your order is on its way.'], 'no user at all')
  t.same(seen, ['hi', undefined, undefined])
})
