import { Type } from '@sinclair/typebox'
import { asObject, entry } from './catalog-entry.js'

/** What a words-and-phrases entity delivers: the dictionary's value, and how it was verified. */
export interface TextValue {
  /** The dictionary's value, not the text typed ("dominos" → "Domino's Pizza"). */
  value: string
  /** Found in the entity's dictionary. */
  datastore_verified?: boolean
  /** Recognised by the model (chatbot_ner since 2019-11). */
  model_verified?: boolean
  /** The same, as older chatbot_ner builds name it. */
  crf_model_verified?: boolean
}

// chatbot_ner ner_v2/detectors/textual/text_detection.py (_add_verification_source);
// a fallback or unverified value has no verification keys.
export const Text = entry(Type.Union([
  Type.String(),
  Type.Object({
    value: Type.String(),
    datastore_verified: Type.Optional(Type.Boolean()),
    model_verified: Type.Optional(Type.Boolean()),
    crf_model_verified: Type.Optional(Type.Boolean())
  })
], {
  title: 'HaptikText',
  description: "Words and phrases: the dictionary's value, and whether the dictionary or the model verified it",
  examples: [{ value: "Domino's Pizza", datastore_verified: true, model_verified: false }]
}), 'a words-and-phrases value ("x" or { value, datastore_verified?, model_verified? })', (value): TextValue => asObject(value) as unknown as TextValue)

// chatbot_ner ner_v1/detectors/pattern/regex/regex_detection.py: { value } (the match).
export const Regex = Type.String({ title: 'HaptikRegex', description: 'A regex entity: the text it matched', examples: ['AMAZON30'] })

// chatbot_ner ner_v1/detectors/pattern/email/email_detection.py: { value }, lower-cased.
export const Email = Type.String({ title: 'HaptikEmail', description: 'An email address (the NER lower-cases it)', examples: ['hello@haptik.ai'] })

// OTPs, PINs, account and order numbers: a string, so no digit and no leading zero is lost.
export const DIGITS_TITLE = 'HaptikDigits'
export const Digits = Type.String({ title: DIGITS_TITLE, pattern: '^[0-9]+$', description: 'Digits kept as text: leading zeros and every digit', examples: ['004521'] })

export interface PhoneValue {
  /** The number: the national number (v2), or the text matched (v1, may keep "+91"). */
  value: string
  /** The country calling code without "+", e.g. "91" (chatbot_ner v2). */
  country_calling_code?: string
}

// chatbot_ner ner_v2/detectors/pattern/phone_number/phone_number_detection.py: { value, country_calling_code };
// `phone_number` from 2019-09-23 to 2019-10-22 (its README). v1's regex match may keep "+91", spaces and a
// hyphen (ner_v1/detectors/pattern/phone_number/phone_detection.py); four digits at least, so unparsed text is no number.
const PhoneNumber = Type.String({ pattern: '^[+]?[\\s().-]*([0-9][\\s().-]*){4,}$' })
export const Phone = entry(Type.Union([
  PhoneNumber,
  Type.Object({ value: PhoneNumber, country_calling_code: Type.Optional(Type.String()) }),
  Type.Object({ phone_number: PhoneNumber, country_calling_code: Type.Optional(Type.String()) })
], {
  title: 'HaptikPhone',
  description: 'A phone number, with its country calling code when the NER found one',
  examples: [{ value: '9820334455', country_calling_code: '91' }]
}), 'a phone number ("x" or { value, country_calling_code? }: digits, at least four, with + ( ) . - or spaces)', (value): PhoneValue => {
  const { phone_number: number, ...phone } = asObject(value)
  return (number === undefined ? phone : { ...phone, value: number }) as unknown as PhoneValue
})
