import { Type } from '@fastify/type-provider-typebox'
import { Entities, defineStep, StepFailure } from '../lib/index.js'
import { hsl } from '../lib/hsl/index.js'

// Haptik's own sample integration, ported: the price of the product the user asked about.
export const productPrice = defineStep({
  name: 'product_price',
  summary: 'Price of a product',
  description: "Haptik's sample step: answers with the price of the product the user picked.",
  tags: ['shop'],
  entities: Type.Object({
    product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')], { description: 'The product the user picked' })
  }),
  examples: [
    { summary: 'The speaker', entities: { product_name: 'speaker' }, reply: 'The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599' },
    { summary: 'The powerbank', entities: { product_name: 'powerbank' }, reply: 'The Ambrane Powerbank can be yours only for Rs.1799' }
  ],
  handler: async ({ entities }) =>
    entities.product_name === 'speaker'
      ? 'The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'
      : 'The Ambrane Powerbank can be yours only for Rs.1799'
})

const STORES: Record<string, { address: string, phone: string }> = {
  mumbai: { address: '12 Linking Road, Bandra West', phone: '+91 22 5555 0101' },
  pune: { address: '4 FC Road, Shivajinagar', phone: '+91 20 5555 0202' }
}

// A structured entity (Haptik's city entity) and user_details the bot keeps for next time.
export const nearestStore = defineStep({
  name: 'nearest_store',
  summary: 'Nearest store in a city',
  tags: ['shop'],
  entities: Type.Object({ city: Entities.City }),
  userDetails: Type.Object({ preferred_city: Type.String() }),
  examples: [
    {
      summary: 'A city with a store',
      entities: { city: { value: 'Mumbai', from: false, to: true, via: false, normal: false } },
      reply: {
        response: 'Our Mumbai store is at 12 Linking Road, Bandra West. Call +91 22 5555 0101.',
        user_details: { preferred_city: 'Mumbai' }
      }
    },
    {
      summary: 'A city without a store (StepFailure)',
      entities: { city: { value: 'Leh', from: false, to: false, via: false, normal: true } },
      reply: { status: false, response: 'We have no store in Leh yet. We deliver there, though!' }
    }
  ],
  handler: async ({ entities, log }) => {
    const store = STORES[entities.city.value.toLowerCase()]
    if (store === undefined) {
      log.info('no store in the requested city')
      throw new StepFailure(`We have no store in ${entities.city.value} yet. We deliver there, though!`)
    }
    return {
      response: [`Our ${entities.city.value} store is at ${store.address}. Call ${store.phone}.`],
      user_details: { preferred_city: entities.city.value }
    }
  }
})

const FLIGHTS = [
  { number: '6E 204', departs: '07:10', fare: 4899 },
  { number: 'AI 865', departs: '13:45', fare: 5620 }
]

// Three catalog entities, a carousel and quick replies.
export const flightSearch = defineStep({
  name: 'flight_search',
  summary: 'Flights between two cities on a date',
  tags: ['travel'],
  entities: Type.Object({
    from_city: Entities.City,
    to_city: Entities.City,
    travel_date: Entities.Date,
    passengers: Type.Optional(Entities.Number)
  }),
  conversationDetails: Type.Object({ route: Type.String(), date: Type.String() }),
  handler: async ({ entities }) => {
    const { dd, mm, yy } = entities.travel_date.value
    const date = `${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`
    const route = `${entities.from_city.value} to ${entities.to_city.value}`
    const passengers = entities.passengers?.value ?? 1
    const [first, ...more] = FLIGHTS.map(flight => ({
      image: `https://example.com/airlines/${flight.number.slice(0, 2)}.png`,
      title: `${flight.number} at ${flight.departs}`,
      subTitle: `Rs.${flight.fare * passengers}`,
      actions: [hsl.link('Book', `https://example.com/book/${flight.number.replace(' ', '')}?date=${date}`)]
    }))
    return {
      response: [
        `Flights from ${route} on ${date}, for ${passengers} ${passengers === 1 ? 'passenger' : 'passengers'}:`,
        hsl.carousel([first, ...more], { text: `Flights ${route}`, width: 'MEDIUM', imageAspectRatio: 1.69 }),
        hsl.text('Anything else?', { quickReplies: [hsl.quickReply('Change the date'), hsl.quickReply('Talk to an agent')] })
      ],
      conversation_details: { route, date }
    }
  }
})
