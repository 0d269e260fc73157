import { Type, type Static } from '@sinclair/typebox'
import { nonEmptyList, nonEmptyText, type NonEmptyList } from './common.js'

// FORM: python-hsl hsl_builder/form.py and elements/form_field.py. Haptik's
// HSL docs have no FORM sample (docs/hsl/index.md only says forms become quick
// replies on Facebook), so python-hsl is the only reference: every key it
// writes is required. A FORM is not a python-hsl BaseElement: it has a title
// and a subtitle, and no `text` and no `voice_text`.

/** The kinds of form field python-hsl knows (enum FormFieldType): lower case, no underscores. */
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

/** The keyboard a field opens (python-hsl enum FormKeyboardType). */
export const FormKeyboardTypeSchema = Type.Union([Type.Literal('normal'), Type.Literal('number'), Type.Literal('email')])
export type FormKeyboardType = Static<typeof FormKeyboardTypeSchema>

/** Every form field type, in the order of FormFieldTypeSchema. */
export const FORM_FIELD_TYPES: readonly FormFieldType[] = FormFieldTypeSchema.anyOf.map(member => member.const)
/** Every keyboard type. */
export const FORM_KEYBOARD_TYPES: readonly FormKeyboardType[] = FormKeyboardTypeSchema.anyOf.map(member => member.const)

/** One field of a form, keys in python-hsl's order. */
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

/** A form: fields the user fills in and submits at once. */
export const HslFormSchema = Type.Object({
  title: Type.String(),
  type: Type.Literal('FORM'),
  subtitle: Type.String(),
  data: Type.Object({ fields: Type.Array(FormFieldSchema, { minItems: 1 }) })
}, { title: 'HslForm' })
export type HslForm = Static<typeof HslFormSchema>

/** What every field takes (python-hsl FormField's attributes). */
interface FieldOptions {
  /** The key the value is submitted under. */
  key: string
  /** Placeholder. Default: `''`. */
  hint?: string | undefined
  /** Icon name. Default: `''`. */
  icon?: string | undefined
  /** Position. Default: the field's place in the list, from 1. */
  order?: number | undefined
  /** Default: `normal`. */
  keyboardType?: FormKeyboardType | undefined
  /** API URL of the results of a search field. Default: `''`. */
  searchSource?: string | undefined
  /** Default: `''`. */
  searchPlaceholder?: string | undefined
  /** A value filled in ahead. Default: `''`. */
  autofill?: string | undefined
  /** Where `autofill` comes from. Default: `''`. */
  autofillSource?: string | undefined
}

/** Field types whose `options` are what the user picks from (python-hsl's FormField docstring). */
export type PickerFieldType = 'picker' | 'multiselectpicker'

/** One field for `hsl.form`: a picker needs at least one option. */
export type FormFieldOptions =
  | FieldOptions & { type: PickerFieldType, options: readonly [string, ...string[]] }
  | FieldOptions & { type: Exclude<FormFieldType, PickerFieldType>, options?: readonly string[] | undefined }

/** Options of `hsl.form`. */
export interface FormOptions {
  /** Default: `''`. */
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

/**
 * A form of one or more fields, as python-hsl's `Form(title, subtitle)` with
 * its `FormField`s. Fields are numbered in their order unless given `order`.
 */
export function form<const N extends number> (title: string, fields: NonEmptyList<FormFieldOptions, N, 'a form needs at least one field'>, { subtitle = '' }: FormOptions = {}): HslForm {
  return { title, type: 'FORM', subtitle, data: { fields: nonEmptyList(fields, 'hsl.form', 'the fields').map(field) } }
}
