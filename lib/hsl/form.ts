import { Type, type Static } from '@sinclair/typebox'
import { nonEmptyList, nonEmptyText, type NonEmptyList } from './common.js'

// FORM: python-hsl hsl_builder/form.py, elements/form_field.py, the only reference (docs/hsl/index.md has no
// sample), so every key it writes is required. Not a BaseElement: a title and subtitle, no text or voice_text.

export const FormFieldTypeSchema = Type.Union([
  Type.Literal('text'),
  Type.Literal('picker'),
  Type.Literal('time'),
  Type.Literal('date'),
  Type.Literal('contactpicker'),
  Type.Literal('startdate'),
  Type.Literal('enddate'),
  Type.Literal('search'),
  Type.Literal('searcheditable'),
  Type.Literal('savedaddress'),
  Type.Literal('dob'),
  Type.Literal('multidaypicker'),
  Type.Literal('multiselectpicker')
], { description: 'The kind of field' })
export type FormFieldType = Static<typeof FormFieldTypeSchema>

export const FormKeyboardTypeSchema = Type.Union([Type.Literal('normal'), Type.Literal('number'), Type.Literal('email')])
export type FormKeyboardType = Static<typeof FormKeyboardTypeSchema>

export const FORM_FIELD_TYPES: readonly FormFieldType[] = FormFieldTypeSchema.anyOf.map(member => member.const)
export const FORM_KEYBOARD_TYPES: readonly FormKeyboardType[] = FormKeyboardTypeSchema.anyOf.map(member => member.const)

export const FormFieldSchema = Type.Object({
  key: Type.String({ minLength: 1, description: 'The key the value is submitted under (used for entity detection)' }),
  type: FormFieldTypeSchema,
  keyboard_type: FormKeyboardTypeSchema,
  order: Type.Integer({ description: 'Position of the field' }),
  icon: Type.String({ description: 'Icon name; may be empty' }),
  hint: Type.String({ description: 'Placeholder' }),
  options: Type.Array(Type.String(), { description: 'What a picker or multiselectpicker offers' }),
  search_source: Type.String({ description: 'API URL of search results (search fields)' }),
  search_placeholder: Type.String(),
  autofill: Type.String({ description: 'Filled in from the user profile or a default value' }),
  autofill_source: Type.String()
}, { title: 'HslFormField' })
export type FormField = Static<typeof FormFieldSchema>

export const HslFormSchema = Type.Object({
  title: Type.String(),
  type: Type.Literal('FORM'),
  subtitle: Type.String(),
  data: Type.Object({ fields: Type.Array(FormFieldSchema, { minItems: 1 }) })
}, { title: 'HslForm' })
export type HslForm = Static<typeof HslFormSchema>

/** python-hsl FormField's attributes: strings default to `''`, `keyboardType` to `normal`, `order` to the place from 1. */
interface FieldOptions {
  key: string
  hint?: string | undefined
  icon?: string | undefined
  order?: number | undefined
  keyboardType?: FormKeyboardType | undefined
  searchSource?: string | undefined
  searchPlaceholder?: string | undefined
  autofill?: string | undefined
  autofillSource?: string | undefined
}

/** Field types whose `options` the user picks from (python-hsl's FormField docstring). */
export type PickerFieldType = 'picker' | 'multiselectpicker'

/** One field for `hsl.form`: a picker needs at least one option. */
export type FormFieldOptions =
  | FieldOptions & { type: PickerFieldType, options: readonly [string, ...string[]] }
  | FieldOptions & { type: Exclude<FormFieldType, PickerFieldType>, options?: readonly string[] | undefined }

export interface FormOptions {
  subtitle?: string | undefined
}

const PICKERS: readonly string[] = ['picker', 'multiselectpicker'] satisfies readonly PickerFieldType[]

function field ({ key, type, keyboardType = 'normal', order, icon = '', hint = '', options = [], searchSource = '', searchPlaceholder = '', autofill = '', autofillSource = '' }: FormFieldOptions, index: number): FormField {
  if (PICKERS.includes(type)) nonEmptyList(options, 'hsl.form', `field ${index}'s options (a ${type} offers them)`)
  return {
    key: nonEmptyText(key, 'hsl.form', `field ${index}'s key`),
    type,
    keyboard_type: keyboardType,
    order: order ?? index + 1,
    icon,
    hint,
    options: [...options],
    search_source: searchSource,
    search_placeholder: searchPlaceholder,
    autofill,
    autofill_source: autofillSource
  }
}

/** A form of one or more fields, as python-hsl's `Form(title, subtitle)` with its `FormField`s. */
export function form<const N extends number> (title: string, fields: NonEmptyList<FormFieldOptions, N, 'a form needs at least one field'>, { subtitle = '' }: FormOptions = {}): HslForm {
  return { title, type: 'FORM', subtitle, data: { fields: nonEmptyList(fields, 'hsl.form', 'the fields').map(field) } }
}
