import { invalid, integer, text } from '../validate.js'
import { camelKeysDeep, isObject } from '../wire-case.js'
import { businessIdOf, method, type BusinessId, type Unchecked } from './method.js'

// docs/whatsapp/sending-notifications.md:97-432. The template keeps WhatsApp's own field names (:157-161).

/** A parameter of a template's header or body (sending-notifications.md:202-333). */
export type WhatsAppParameter =
  | { type: 'text', text: string }
  | { type: 'image', image: { link: string } }
  | { type: 'document', document: { link: string, filename?: string | undefined } }
  | { type: 'video', video: { link: string } }

export type WhatsAppComponent =
  | { type: 'header' | 'body', parameters: WhatsAppParameter[] }
  /** A quick-reply button's payload (:358-389); `index` counts from 0. */
  | { type: 'button', subType: 'quick_reply', index: number | string, parameters: Array<{ type: 'payload', payload: string }> }
  /** A dynamic URL button's suffix, "a URL safe string" (:391-431). */
  | { type: 'button', subType: 'url', index: number | string, parameters: Array<{ type: 'text', text: string }> }

/** A template approved on WhatsApp Business Manager. */
export interface WhatsAppTemplate {
  namespace?: string | undefined
  name: string
  /** `code`, e.g. `'en'`; `policy` is `'deterministic'`, the only one the docs show. */
  language: { code: string, policy?: 'deterministic' | undefined }
  components?: WhatsAppComponent[] | undefined
}

export interface SendWhatsAppTemplateInput {
  /** The user's number with its country code, digits only (a leading `+` is allowed). */
  to: string
  template: WhatsAppTemplate
  businessId?: BusinessId | undefined
}

/** WhatsApp's answer (:142-155), in camelCase: sent, not delivered. */
export interface WhatsAppSent {
  messageId: string | undefined
  messages: Array<{ id: string }>
  meta?: { apiStatus?: string, version?: string }
  [key: string]: unknown
}

function component (call: string, value: unknown, index: number): Record<string, unknown> {
  const field = `template.components[${index}]`
  if (!isObject(value) || !Array.isArray(value.parameters)) throw invalid(call, field, 'an object with parameters', value)
  const { type, subType, parameters } = value
  if (type === 'header' || type === 'body') return { type, parameters }
  if (type !== 'button') throw invalid(call, `${field}.type`, "'header', 'body' or 'button'", type)
  if (subType !== 'quick_reply' && subType !== 'url') throw invalid(call, `${field}.subType`, "'quick_reply' or 'url'", subType)
  const position = typeof value.index === 'string' && /^\d+$/.test(value.index) ? Number(value.index) : value.index
  // "index" is a zero-based string (:358).
  return { type, sub_type: subType, index: String(integer(call, `${field}.index`, position, 0, 9)), parameters }
}

export const sendWhatsAppTemplate = method<Unchecked<SendWhatsAppTemplateInput>, WhatsAppSent>({ call: 'sendWhatsAppTemplate', family: 'whatsapp', method: 'POST', path: '/whatsapp/notification/v2/', idempotent: false }, (input, defaults, call) => {
  const { to, template } = input
  // With its country code (:434-439: "unable to verify contact details" otherwise); E.164 has at most 15 digits.
  if (typeof to !== 'string' || !/^\+?\d{8,15}$/.test(to)) throw invalid(call, 'to', 'a phone number with its country code: 8 to 15 digits, an optional leading +', to)
  if (!isObject(template) || !isObject(template.language)) throw invalid(call, 'template', 'an object with a name and a language', template)
  const { namespace, components = [] } = template
  if (!Array.isArray(components)) throw invalid(call, 'template.components', 'an array', components)
  // The docs' body, key for key (:202-241).
  const json = {
    business_id: businessIdOf(call, input, defaults),
    to,
    type: 'template',
    template: {
      ...(namespace === undefined ? {} : { namespace: text(call, 'template.namespace', namespace) }),
      name: text(call, 'template.name', template.name),
      language: { policy: template.language.policy ?? 'deterministic', code: text(call, 'template.language.code', template.language.code) },
      components: components.map((value, index) => component(call, value, index))
    }
  }
  return {
    json,
    read: body => {
      const sent = camelKeysDeep(body) as Record<string, unknown>
      const messages = (Array.isArray(sent.messages) ? sent.messages.filter(isObject) : []) as Array<{ id: string }>
      const id = messages[0]?.id
      return { ...sent, messages, messageId: typeof id === 'string' ? id : undefined }
    }
  }
})
