import { invalid, integer, optionalText, text } from '../validate.js'
import { camelKeys } from '../wire-case.js'
import { authIdOf, businessIdOf, method, type BusinessId, type Unchecked } from './method.js'

/** A user's message for the bot (docs/webhooks/send-message-to-haptik.md:38-41). */
export interface LogMessageInput {
  /** The user's `auth_id`, registered with `createUser` first. */
  authId: string
  message: string
  businessId?: BusinessId | undefined
  /** `0` for a standard message (the default). */
  messageType?: number | undefined
}

/** The message as Haptik logged it (send-message-to-haptik.md:45-59). */
export interface LoggedMessage {
  messageId: number
  messageBody: string
  /** ISO 8601. */
  createdAt: string
  messageType: number
  [key: string]: unknown
}

export const logMessage = method<Unchecked<LogMessageInput>, LoggedMessage>({ call: 'logMessage', family: 'messaging', method: 'POST', path: '/v1.0/log_message_from_user/', idempotent: false }, (input, defaults, call) => {
  const authId = authIdOf(call, input, defaults)
  const messageBody = text(call, 'message', input.message)
  const messageType = integer(call, 'messageType', input.messageType ?? 0, 0, Number.MAX_SAFE_INTEGER)
  const business = businessIdOf(call, input, defaults)
  // The docs' request, key for key (send-message-to-haptik.md:28-35).
  const json = { user: { auth_id: authId }, message_body: messageBody, message_type: messageType, business_id: business }
  return { json, read: body => camelKeys(body) as LoggedMessage }
})

/** What a file is to Haptik: its `message_type` is 1 for an image, 52 for a document. */
export type FileKind = 'image' | 'document'

/** A user's file for the bot (docs/webhooks/send-file-to-haptik.md:37-45). */
export interface LogFileInput {
  authId: string
  /** The file's bytes, at most 10 MB. */
  file: Blob | Uint8Array
  /** Its name; the extension says its kind: jpg, jpeg, png, gif (an image) or docx, doc, pdf, xls, xlsx, csv (a document). */
  filename: string
  kind?: FileKind | undefined
  /** Text sent with the file (empty by default, as in the docs' curl). */
  message?: string | undefined
  businessId?: BusinessId | undefined
}

/** The file's message as Haptik logged it, with where the file is now (send-file-to-haptik.md:49-65). */
export interface LoggedFile extends LoggedMessage {
  fileUrl: string
}

// send-file-to-haptik.md:40-45.
const MAX_FILE_BYTES = 10 * 1024 * 1024
const TYPES: Record<string, readonly [FileKind, string]> = {
  jpg: ['image', 'image/jpeg'],
  jpeg: ['image', 'image/jpeg'],
  png: ['image', 'image/png'],
  gif: ['image', 'image/gif'],
  docx: ['document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  doc: ['document', 'application/msword'],
  pdf: ['document', 'application/pdf'],
  xls: ['document', 'application/vnd.ms-excel'],
  xlsx: ['document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  csv: ['document', 'text/csv']
}
const MESSAGE_TYPES: Record<FileKind, string> = { image: '1', document: '52' }

export const logFile = method<Unchecked<LogFileInput>, LoggedFile>({ call: 'logFile', family: 'messaging', method: 'POST', path: '/v1.0/log_file_from_user/', idempotent: false }, (input, defaults, call) => {
  const authId = authIdOf(call, input, defaults)
  const filename = text(call, 'filename', input.filename)
  const type = TYPES[/\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '']
  if (type === undefined) throw invalid(call, 'filename', `a name ending in one of .${Object.keys(TYPES).join(', .')}`, filename, 'another extension')
  const [kind, contentType] = type
  if (input.kind !== undefined && input.kind !== kind) throw invalid(call, 'kind', `'${kind}', as the extension says`, input.kind)
  const { file } = input
  const blob = file instanceof Blob ? file : file instanceof Uint8Array ? new Blob([file as Uint8Array<ArrayBuffer>], { type: contentType }) : undefined
  if (blob === undefined) throw invalid(call, 'file', 'a Blob or a Uint8Array (a Buffer)', file)
  if (blob.size > MAX_FILE_BYTES) throw invalid(call, 'file', `at most ${MAX_FILE_BYTES} bytes (10 MB)`, file, `${blob.size} bytes`)
  const message = optionalText(call, 'message', input.message) ?? ''
  // The docs' curl, field for field (send-file-to-haptik.md:88-97).
  const form = new FormData()
  form.append('auth_id', authId)
  form.append('business_id', String(businessIdOf(call, input, defaults)))
  form.append('message_type', MESSAGE_TYPES[kind])
  form.append('file', blob, filename)
  form.append('message_body', message)
  return { form, read: body => camelKeys(body) as LoggedFile }
})
