import type { FastifyBaseLogger } from 'fastify'
import { channelFindings } from '../hsl/channel-limits.js'
import { CHANNELS, type Channel } from '../hsl/channels.js'
import { ChannelLimitError, InvalidOptionError } from '../errors.js'
import { HANDOFF_STATUS, isHandoff } from './handoff.js'
import { pickText, type UserText } from './languages.js'
import type { HaptikReply } from './normalize-reply.js'

type FailurePolicy = 'fallback' | 'handoff'
type ChannelLimitsPolicy = 'warn' | 'fail'

/** Reply options, on the plugin and on a step (which overrides the plugin's). */
export interface ReplyOptions {
  /** The channels the bot serves: replies are checked against the limits Haptik documents for each. Default: none. */
  channels?: readonly Channel[] | undefined
  /** A reply over a channel's limit: `'warn'` (the default) logs and sends it; `'fail'` takes the failure path. */
  channelLimits?: ChannelLimitsPolicy | undefined
  /** What a throw, an invalid reply or a timeout answers: `'fallback'` (the default) message, or a `'handoff'`. */
  onFailure?: FailurePolicy | undefined
}

export interface ReplyPolicy {
  readonly channels: readonly Channel[]
  readonly channelLimits: ChannelLimitsPolicy
  readonly onFailure: FailurePolicy
}

const DEFAULT_POLICY: ReplyPolicy = Object.freeze({ channels: Object.freeze([]), channelLimits: 'warn', onFailure: 'fallback' })

function oneOf<T extends string> (value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidOptionError(`${what} must be ${allowed.map(name => `"${name}"`).join(' or ')}, got ${JSON.stringify(value)}`)
  }
  return value as T
}

function checkChannels (channels: unknown, what: string): readonly Channel[] {
  if (!Array.isArray(channels)) throw new InvalidOptionError(`${what} must be a list of channels, e.g. ['web', 'facebook']`)
  for (const channel of channels) oneOf(channel, CHANNELS, `${what}[${channels.indexOf(channel)}]`)
  return Object.freeze([...new Set(channels as Channel[])])
}

/** Reply options over their defaults (the plugin's, for a step); throws FST_HAPTIK_INVALID_OPTION. */
export function resolveReplyPolicy (options: ReplyOptions, defaults: ReplyPolicy = DEFAULT_POLICY, prefix = ''): ReplyPolicy {
  const { channels, channelLimits, onFailure } = options
  return Object.freeze({
    channels: channels === undefined ? defaults.channels : checkChannels(channels, `${prefix}channels`),
    channelLimits: channelLimits === undefined ? defaults.channelLimits : oneOf(channelLimits, ['warn', 'fail'], `${prefix}channelLimits`),
    onFailure: onFailure === undefined ? defaults.onFailure : oneOf(onFailure, ['fallback', 'handoff'], `${prefix}onFailure`)
  })
}

export function failureReply (text: UserText, language: string | undefined): HaptikReply {
  return { status: false, response: [pickText(text, language)] }
}

export function fallbackReply ({ onFailure }: ReplyPolicy, fallbackMessage: UserText, language: string | undefined): HaptikReply {
  return onFailure === 'handoff' ? { status: HANDOFF_STATUS, response: [] } : failureReply(fallbackMessage, language)
}

export function failureNote ({ onFailure }: ReplyPolicy): string {
  return onFailure === 'handoff' ? 'handing the chat over to an agent' : 'answering with the fallback message'
}

interface Logged {
  readonly log: FastifyBaseLogger
}

/** Guidelines are logged at info, limits warned, or with `channelLimits: 'fail'` thrown as FST_HAPTIK_CHANNEL_LIMIT. */
export function checkChannelLimits (policy: ReplyPolicy, context: Logged, messages: readonly string[], step: string): void {
  if (policy.channels.length === 0) return
  const broken: string[] = []
  for (const { channel, rule, message, type, element, size, description } of channelFindings(policy.channels, messages)) {
    const fields = { channel, message, type, element, size, limit: rule.max, source: rule.source }
    if (rule.strength === 'guideline') context.log.info(fields, `channel guideline: ${description}`)
    else if (policy.channelLimits === 'warn') context.log.warn(fields, `over a channel limit: ${description}`)
    else broken.push(description)
  }
  if (broken.length > 0) throw new ChannelLimitError(step, broken.join('; '))
}

/** Logs a deliberate hand-over, warns of an accidental empty reply, else checks the channels. */
export function reviewReply (policy: ReplyPolicy, context: Logged, value: unknown, reply: HaptikReply, step: string): void {
  if (isHandoff(value)) {
    context.log.info({ reason: value.reason }, 'step hands the chat over to an agent (Haptik: Pending with Human Assistance on, else its bot-break message)')
  } else if (reply.response.length === 0) {
    context.log.warn('step returned no messages: Haptik shows a bot break, or hands over to an agent (return handoff() to hand over on purpose)')
  } else {
    checkChannelLimits(policy, context, reply.response, step)
  }
}
