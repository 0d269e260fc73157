import { Type } from '@sinclair/typebox'
import { entry, NullableNumeric, NullableString, Numeric, readNullableNumber, readNumber, type Raw } from './catalog-entry.js'

export interface NumberValue {
  value: number
  /** The unit, when the entity asks for one (currency, kg, …); otherwise null. */
  unit: string | null
}

// chatbot_ner ner_v2/detectors/numeral/number/standard_number_detector.py: { value: "30", unit: null };
// v1 sends { value } alone, Haptik's docs the bare "71".
export const NumberEntity = entry(Type.Union([
  Numeric,
  Type.Object({ value: Numeric, unit: Type.Optional(NullableString) })
], {
  title: 'HaptikNumber',
  description: 'A number, with its unit when the entity has a unit type',
  examples: [{ value: '30', unit: null }]
}), 'a number ("30", 30 or { value, unit? })', (value): NumberValue => {
  const number = typeof value === 'object' && value !== null ? value as Raw : { value }
  return { ...number, value: readNumber(number.value), unit: (number.unit ?? null) as string | null }
})

/** What a number-range entity delivers: null ends are open. */
export interface NumberRangeValue {
  min_value: number | null
  max_value: number | null
  unit: string | null
  /** A lone number that is not a range ("3"): then both ends are null. */
  abs_value: number | null
}

// chatbot_ner ner_v2/detectors/numeral/number_range/standard_number_range_detector.py:
// all four keys, digits as strings, open ends null; `abs_value` since 2019-09.
export const NumberRange = entry(Type.Object({
  min_value: NullableNumeric,
  max_value: NullableNumeric,
  unit: Type.Optional(NullableString),
  abs_value: Type.Optional(NullableNumeric)
}, {
  title: 'HaptikNumberRange',
  description: 'A range of numbers; an open end is null, and a lone number is abs_value',
  examples: [{ min_value: '200', max_value: null, unit: null, abs_value: null }]
}), 'a number range ({ min_value, max_value, unit?, abs_value? })', (value): NumberRangeValue => {
  const range = value as Raw
  return {
    ...range,
    min_value: readNullableNumber(range.min_value),
    max_value: readNullableNumber(range.max_value),
    unit: (range.unit ?? null) as string | null,
    abs_value: readNullableNumber(range.abs_value)
  }
})

/** What a currency entity delivers: the amount and its unit. */
export interface CurrencyValue {
  value: number
  unit: string
}

// Haptik's entities doc (docs/bot-builder/basic/entities.md): {"unit": "rupees", "value": "50.00"};
// chatbot_ner has no currency detector: it is the number detector with unit_type=currency.
export const Currency = entry(Type.Object({ value: Numeric, unit: Type.String() }, {
  title: 'HaptikCurrency',
  description: 'An amount of money and its unit',
  examples: [{ unit: 'rupees', value: '50.00' }]
}), 'an amount of money ({ value, unit })', (value): CurrencyValue => {
  const amount = value as Raw
  return { ...amount, value: readNumber(amount.value) } as CurrencyValue
})

/** What a budget entity delivers. 0 means no bound on that side. */
export interface BudgetValue {
  min_budget: number
  /** "under 2k" gives { min_budget: 0, max_budget: 2000 }. */
  max_budget: number
  /** `normal_budget`, or `text_budget` (from the entity's dictionary, always 0 and 0). */
  type: 'normal_budget' | 'text_budget' | (string & {})
}

// chatbot_ner ner_v1/detectors/numeral/budget/budget_detection.py: JSON integers,
// each side 0 unless said (a bare amount is a maximum).
export const Budget = entry(Type.Object({ min_budget: Numeric, max_budget: Numeric, type: Type.String() }, {
  title: 'HaptikBudget',
  description: 'A budget: 0 on a side means no bound there',
  examples: [{ min_budget: 0, max_budget: 6000, type: 'normal_budget' }]
}), 'a budget ({ min_budget, max_budget, type })', (value): BudgetValue => {
  const budget = value as Raw
  return { ...budget, min_budget: readNumber(budget.min_budget), max_budget: readNumber(budget.max_budget) } as BudgetValue
})
