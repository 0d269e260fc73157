import type { AnyStep } from '../index.js'

function distance (a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index)
  for (let i = 1; i <= x.length; i++) {
    const row = [i]
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[y.length]
}

/** The closest candidate within a third of the longer name's length (at least one edit). */
function closestName (name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(name, candidate)
    if (d <= Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3)) && d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/**
 * What is wrong with the entity names given for a step (a misspelt one is ignored by the server), or undefined.
 *
 * @example
 * ```ts
 * undeclaredEntities(trip, { destnation: 'Goa', travel_date: '2026-01-02' })
 * // 'step "trip" has no entity "destnation" (did you mean "destination"?); the required "destination" is not given. Its entities: destination, travel_date'
 * ```
 */
export function undeclaredEntities (step: AnyStep, entities: Record<string, unknown>): string | undefined {
  const declared = Object.keys(step.entities.properties)
  const { required = [] } = step.entities as { required?: string[] }
  const given = Object.keys(entities).filter(name => entities[name] !== undefined)
  const undeclared = given.filter(name => !Object.hasOwn(step.entities.properties, name))
  if (undeclared.length === 0) return undefined
  const notGiven = declared.filter(name => !given.includes(name))
  const named = undeclared.map(name => {
    const meant = closestName(name, notGiven)
    return `"${name}"${meant === undefined ? '' : ` (did you mean "${meant}"?)`}`
  })
  const missing = required.filter(name => !given.includes(name)).map(name => `"${name}"`)
  const entitiesOf = declared.map(name => required.includes(name) ? name : `${name} (optional)`).join(', ')
  return `step "${step.name}" has no entity ${named.join(', ')}` +
    (missing.length === 0 ? '' : `; the required ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not given`) +
    `. ${declared.length === 0 ? 'It declares no entities' : `Its entities: ${entitiesOf}`}`
}
