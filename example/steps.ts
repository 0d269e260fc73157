import { Type } from '@sinclair/typebox'
import { defineStep, StepFailure } from '../lib/index.js'

// Haptik's own sample integration, ported: the price of the product the user asked about.
export const productPrice = defineStep({
  name: 'product_price',
  summary: 'Price of a product',
  description: "Haptik's sample step: answers with the price of the product the user picked.",
  tags: ['shop'],
  entities: Type.Object({
    product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')], { description: 'The product the user picked' })
  }),
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
  entities: Type.Object({
    city: Type.Object({
      value: Type.String({ description: 'Normalised city name' }),
      from: Type.Optional(Type.Boolean()),
      to: Type.Optional(Type.Boolean())
    }, { description: "Haptik's city entity" })
  }),
  userDetails: Type.Object({ preferred_city: Type.String() }),
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
