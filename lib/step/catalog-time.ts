import { Type } from '@sinclair/typebox'
import { entry, NullableString, withFlags, type Raw } from './catalog-entry.js'

/** A date's `value.type`: exact, relative to today, or repeated (`everyday`, … give one detection per day). */
export type DateKind =
  | 'date' | 'today' | 'tomorrow' | 'yesterday' | 'day_after' | 'day_before' | 'after_n_days'
  | 'day_in_next_week' | 'day_within_one_week' | 'possible_day' | 'past'
  | 'everyday' | 'weekdays' | 'repeat_weekdays' | 'weekends' | 'repeat_weekends' | 'repeat_day'
  | (string & {})

export interface DateValue {
  value: { dd: number, mm: number, yy: number, type: DateKind }
  /** A date said alone. */
  normal: boolean
  /** Said as a start or an end: "from the 2nd", "return on the 5th". */
  from: boolean
  to: boolean
  /** The first or last date of a range: "2nd jan to 5th". */
  start_range: boolean
  end_range: boolean
}

// chatbot_ner ner_v2/detectors/temporal/constant.py (the kinds), ner_v2/detectors/temporal/date/date_detection.py
// (unzip_convert_date_dictionaries); before 2017, v1 sent the flat { dd, mm, yy, type }.
const DateParts = Type.Object({
  dd: Type.Integer({ minimum: 1, maximum: 31 }),
  mm: Type.Integer({ minimum: 1, maximum: 12 }),
  yy: Type.Integer(),
  type: Type.String()
})
const DATE_FLAGS = ['from', 'to', 'start_range', 'end_range'] as const

export const DateEntity = entry(Type.Union([
  Type.Object({
    value: DateParts,
    normal: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.Boolean()),
    to: Type.Optional(Type.Boolean()),
    start_range: Type.Optional(Type.Boolean()),
    end_range: Type.Optional(Type.Boolean())
  }),
  DateParts
], {
  title: 'HaptikDate',
  description: 'A date, exact or relative ("tomorrow"), and whether it starts or ends a range; a missing flag is false',
  examples: [{ value: { dd: 23, mm: 12, yy: 2026, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false }]
}), 'a date ({ value: { dd, mm, yy, type }, normal?, from?, to?, start_range?, end_range? })', (value): DateValue => {
  const raw = value as Raw
  return withFlags(typeof raw.value === 'object' ? raw : { value: raw }, DATE_FLAGS) as unknown as DateValue
})

/** `am`/`pm`, `hrs` (24-hour), `df` (from now: "in 15 mins"), `ndf` (before now), `ev` ("every 16 minutes"). */
export type TimeKind = 'am' | 'pm' | 'hrs' | 'df' | 'ndf' | 'ev' | (string & {})

export interface TimeValue {
  hh: number
  mm: number
  nn: TimeKind
  /** The time zone the NER read or was given (v2), e.g. "Asia/Kolkata"; null when none. */
  tz?: string | null
  /** In a range ("from 12:30 am to 2:30 pm"): which end; the two ends are two detections. */
  range?: 'start' | 'end' | (string & {})
  /** In a range: `departure` or `return`, when said. */
  time_type?: string | null
}

// chatbot_ner ner_v2/detectors/temporal/time/en/time_detection.py and time_ner_tests.yaml: { hh, mm, nn, tz },
// range ends with { range, time_type }; before 2020-04 relative times sent hh or mm as strings.
export const TimeEntity = entry(Type.Object({
  hh: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]),
  mm: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]),
  nn: Type.String(),
  tz: Type.Optional(NullableString),
  range: Type.Optional(Type.String()),
  time_type: Type.Optional(NullableString)
}, {
  title: 'HaptikTime',
  description: 'A time of day (am, pm, hrs), an offset from now (df, ndf) or a repeat (ev); a range is two detections, its start and its end',
  examples: [{ hh: 12, mm: 35, nn: 'am', tz: 'America/New_York' }]
}), 'a time ({ hh, mm, nn, tz?, range?, time_type? })', (value): TimeValue => {
  const time = value as Raw
  return { ...time, hh: Number(time.hh), mm: Number(time.mm) } as TimeValue
})
