import t from 'tap'
import { build } from '../../example/server.js'
import { detection, envelope, signedPost } from '../helpers/haptik.js'

const secret = 'example-secret'

t.test('the example answers Haptik\'s sample step', async t => {
  const app = await build({ secret })
  t.teardown(() => app.close())
  const speaker = await signedPost(app, '/haptik/product_price', envelope('product_price', { product_name: [detection('speaker')] }), { secret })
  t.equal(speaker.statusCode, 200)
  t.same(speaker.json(), { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] })
  const powerbank = await signedPost(app, '/haptik/product_price', envelope('product_price', { product_name: [detection({ value: 'powerbank' })] }), { secret })
  t.same(powerbank.json(), { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] })
  const unsigned = await signedPost(app, '/haptik/product_price', envelope('product_price', { product_name: [detection('speaker')] }), { secret: 'guess' })
  t.equal(unsigned.statusCode, 401)
})

t.test('the example\'s structured-entity step sets user_details', async t => {
  const app = await build({ secret })
  t.teardown(() => app.close())
  const city = { value: 'Mumbai', from: false, to: true, via: false, normal: false }
  const res = await signedPost(app, '/haptik/nearest_store', envelope('nearest_store', { city: [detection(city, 'mumbai')] }), { secret })
  t.same(res.json(), {
    status: true,
    response: ['Our Mumbai store is at 12 Linking Road, Bandra West. Call +91 22 5555 0101.'],
    user_details: { preferred_city: 'Mumbai' }
  })
  const nowhere = await signedPost(app, '/haptik/nearest_store', envelope('nearest_store', { city: [detection({ value: 'Leh' })] }), { secret })
  t.same(nowhere.json(), { status: false, response: ['We have no store in Leh yet. We deliver there, though!'] })
})

t.test('the example\'s flight search uses catalog entities, a carousel and quick replies', async t => {
  const app = await build({ secret })
  t.teardown(() => app.close())
  const res = await signedPost(app, '/haptik/flight_search', envelope('flight_search', {
    from_city: [detection({ value: 'Mumbai', from: true, to: false, via: false, normal: false }, 'from mumbai')],
    to_city: [detection({ value: 'Pune', from: false, to: true, via: false, normal: false }, 'to pune')],
    travel_date: [detection({ value: { dd: 3, mm: 12, yy: 2026, type: 'date' }, normal: true }, '3rd december')],
    passengers: [detection({ value: '2', unit: null }, 'two')]
  }), { secret })
  t.equal(res.statusCode, 200)
  const { response, conversation_details: details } = res.json()
  t.equal(response[0], 'Flights from Mumbai to Pune on 2026-12-03, for 2 passengers:')
  const carousel = JSON.parse(response[1])
  t.match(carousel, { type: 'CAROUSEL', data: { width: 'MEDIUM', items: [{ title: '6E 204 at 07:10', sub_title: 'Rs.9798' }, { title: 'AI 865 at 13:45' }] } })
  t.match(JSON.parse(response[2]), { type: 'TEXT', data: { quick_replies: [{ actionable_text: 'Change the date' }, { actionable_text: 'Talk to an agent' }] } })
  t.same(details, { route: 'Mumbai to Pune', date: '2026-12-03' })
  const one = await signedPost(app, '/haptik/flight_search', envelope('flight_search', {
    from_city: [detection({ value: 'Mumbai' })],
    to_city: [detection({ value: 'Pune' })],
    travel_date: [detection({ value: { dd: 3, mm: 12, yy: 2026, type: 'date' } })]
  }), { secret })
  t.equal(one.json().response[0], 'Flights from Mumbai to Pune on 2026-12-03, for 1 passenger:')
})

t.test('the example serves OpenAPI docs of its steps', async t => {
  const app = await build({ secret })
  t.teardown(() => app.close())
  const docs = await app.inject({ method: 'GET', url: '/documentation/json' })
  t.equal(docs.statusCode, 200)
  const paths = docs.json().paths
  t.ok(paths['/haptik/product_price'].post, 'product_price is documented')
  t.ok(paths['/haptik/nearest_store'].post, 'nearest_store is documented')
  const body = paths['/haptik/product_price'].post.requestBody.content['application/json'].schema
  const entityValue = body.allOf[1].properties.entities.properties.product_name.items.allOf[1].properties.entity_value
  t.same(entityValue.anyOf[0].enum, ['speaker', 'powerbank'], 'the typed entity values are in the docs, as one list')
  const ui = await app.inject({ method: 'GET', url: '/documentation' })
  t.equal(ui.statusCode, 200)
  t.match(ui.body, /swagger/i, 'the Swagger UI page is served')
})

t.test("the example's own routes sit next to the steps, typed and validated by the TypeBox provider", async t => {
  const app = await build({ secret })
  t.teardown(() => app.close())
  t.same((await app.inject({ method: 'GET', url: '/health' })).json(), { ok: true })
  t.same((await app.inject({ method: 'GET', url: '/stores/pune' })).json(), { city: 'pune', open: true })
})

t.test('with metrics on, the example serves its steps\' metrics for Prometheus at /metrics', async t => {
  const app = await build({ secret, metrics: true })
  t.teardown(() => app.close())
  await signedPost(app, '/haptik/product_price', envelope('product_price', { product_name: [detection('speaker')] }), { secret })
  await signedPost(app, '/haptik/product_price', envelope('product_price', { product_name: [detection('speaker')] }), { secret: 'guess' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /^haptik_step_calls_total\{haptik_step="product_price",haptik_outcome="ok"[^}]*\} 1$/m)
  t.match(res.body, /^haptik_step_duration_count\{haptik_step="product_price",haptik_outcome="ok"[^}]*\} 1$/m)
  t.match(res.body, /^haptik_refusals_total\{haptik_step="product_price",error_type="FST_HAPTIK_INVALID_SIGNATURE"[^}]*\} 1$/m)
  const off = await build({ secret })
  t.teardown(() => off.close())
  t.equal((await off.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'off by default')
})
