import { InvalidOptionError } from '../errors.js'

// The plugin's texts picked by `user.language_code` (docs/web-sdk/configuration-customisation.md), as an integration picks
// its reply's (docs/bot-builder/integrations/integration-parameters.md, "Response for Multi-Lingual Bot";
// docs/bot-builder/basic/multiple-languages.md, step 4).

/** A text in several languages: `default`, and one entry per language code (`{ default: 'Sorry!', hi: '…' }`). */
export type LocalizedText = { readonly default: string } & { readonly [languageCode: string]: string }

/** A text the user reads: one string, or one per language. */
export type UserText = string | LocalizedText

/** Whether a value is a `LocalizedText` (an object with a `default`). */
export function isLocalized (value: unknown): value is LocalizedText {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'default' in value
}

/** A text option checked at registration; throws FST_HAPTIK_INVALID_OPTION naming it. */
export function checkUserText (value: unknown, what: string): UserText {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new InvalidOptionError(`${what} must not be empty`)
    return value
  }
  if (!isLocalized(value)) {
    throw new InvalidOptionError(`${what} must be a string, or an object of strings by language code with a "default", e.g. { default: 'Sorry!', hi: '…' }`)
  }
  for (const [code, text] of Object.entries(value)) {
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidOptionError(`${what}.${code} must be a non-empty string`)
  }
  return value
}

/** The text for a language code: the exact code (any case), else without the region (`hi-IN` → `hi`), else `default`. */
export function pickText (text: UserText, language: string | undefined): string {
  if (typeof text === 'string') return text
  if (language === undefined) return text.default
  const code = language.toLowerCase().replace('_', '-')
  for (const key of [code, code.split('-')[0]]) {
    for (const [candidate, value] of Object.entries(text)) {
      if (candidate.toLowerCase().replace('_', '-') === key) return value
    }
  }
  return text.default
}
