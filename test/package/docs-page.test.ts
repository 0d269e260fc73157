// The example's docs page in a real browser (Debian's chromium, driven by
// puppeteer-core): Try it out signs the call with the secret entered under
// Authorize, and the examples and entity schemas show. Skipped where chromium
// is not installed, except in CI, which installs it (.ci/run).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fastifyHaptik, { haptikSwaggerUiConfig } from '../../lib/index.js'
import { build } from '../../example/server.js'
import { productPrice } from '../../example/steps.js'
import { requires } from '../helpers/requires.js'

// A loaded 2-core machine starts a browser and renders swagger-ui slowly; no assertion depends on speed.
t.setTimeout(120_000)

const SECRET = 'docs-page-secret'
const PRICE = '#operations-shop-post_haptik_product_price'
// Waits are bounded by the file's timeout, not by puppeteer's default 30 s.
const WAIT = { timeout: 110_000 }

// The page's globals, as far as the checks run in it use them (the project compiles without the DOM library).
// Those checks run in the browser, so they name everything they use themselves.
interface PageElement { textContent: string | null, value?: string, innerText?: string }
interface PageGlobals { document: { querySelector: (selector: string) => PageElement | null } }

const chromium = requires(t, 'chromium', 'the docs page in a browser')
if (chromium !== undefined) {
  const app = await build({ secret: SECRET })
  t.teardown(() => app.close())
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const profile = mkdtempSync(join(tmpdir(), 'haptik-chromium-'))
  t.teardown(() => rmSync(profile, { recursive: true, force: true }))
  // Teardowns run last first: the browser closes, then its profile goes, then the server.
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    protocolTimeout: 110_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(() => browser.close())

  t.test('Try it out signs the call with the secret entered under Authorize: 200 and the step\'s reply', async t => {
    const { page, errors } = await docsPage(t, browser, base)
    await authorize(page, SECRET)
    await openOperation(page)
    const signatures = sentSignatures(page)
    const result = await execute(page)
    t.equal(result.status, '200')
    t.same(JSON.parse(result.body), { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] })
    t.match(signatures, [/^sha1=[0-9a-f]{40}$/], 'the page sent a signature')
    t.notMatch(result.curl, SECRET, 'the request shown is the signed one, without the secret')

    // Another example is another body: the page signs the bytes it sends.
    await page.select(`${PRICE} .opblock-section-request-body .examples-select select`, 'example2')
    await page.waitForFunction(selector => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.value?.includes('"powerbank"'), WAIT, `${PRICE} textarea.body-param__text`)
    const powerbank = await execute(page, 'Rs.1799')
    t.equal(powerbank.status, '200')
    t.same(JSON.parse(powerbank.body), { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] })
    t.same(errors, [], 'no script error on the page')
  })

  t.test('a wrong secret is refused: 401 FST_HAPTIK_INVALID_SIGNATURE', async t => {
    const { page, errors } = await docsPage(t, browser, base)
    await authorize(page, 'not-the-secret')
    await openOperation(page)
    const result = await execute(page)
    t.equal(result.status, '401')
    t.match(JSON.parse(result.body), { statusCode: 401, code: 'FST_HAPTIK_INVALID_SIGNATURE' })
    t.same(errors, [], 'no script error on the page')
  })

  t.test('signing works under @fastify/swagger-ui\'s strict content security policy (staticCSP)', async t => {
    const strict = Fastify()
    t.teardown(() => strict.close())
    await strict.register(swagger, { openapi: { info: { title: 'strict', version: '1.0.0' } } })
    await strict.register(swaggerUi, { routePrefix: '/documentation', staticCSP: true, uiConfig: haptikSwaggerUiConfig() })
    await strict.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice] })
    const base = await strict.listen({ host: '127.0.0.1', port: 0 })
    t.match((await strict.inject('/documentation')).headers['content-security-policy'], "script-src 'self' ;", 'scripts only from the server')
    const { page } = await docsPage(t, browser, base)
    await authorize(page, SECRET)
    await openOperation(page)
    const result = await execute(page)
    t.equal(result.status, '200', 'the interceptor is part of the page\'s own script: no inline script, no eval')
  })

  t.test('the page shows each error\'s own example, the failure path and the entity values', async t => {
    const { page, errors } = await docsPage(t, browser, base)
    await openOperation(page)
    const example = (status: string) => page.$eval(`${PRICE} .responses-table tr.response[data-code="${status}"] .example`, element => element.textContent ?? '')
    for (const [status, code] of [['400', 'FST_HAPTIK_INVALID_JSON'], ['401', 'FST_HAPTIK_MISSING_SIGNATURE'], ['413', 'FST_HAPTIK_BODY_TOO_LARGE'], ['415', 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE'], ['500', 'FST_HAPTIK_INTERNAL']]) {
      t.match(JSON.parse(await example(status)), { statusCode: Number(status), code }, `${status} shows its own status and code`)
    }
    await page.select(`${PRICE} .responses-table tr.response[data-code="401"] .examples-select select`, 'FST_HAPTIK_INVALID_SIGNATURE')
    await page.waitForFunction(selector => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent?.includes('FST_HAPTIK_INVALID_SIGNATURE'), WAIT, `${PRICE} .responses-table tr.response[data-code="401"] .example`)
    t.match(JSON.parse(await example('401')), { statusCode: 401, code: 'FST_HAPTIK_INVALID_SIGNATURE' }, 'another code of the same status')

    t.same(JSON.parse(await example('200')), { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] }, 'the step\'s own reply')
    await page.select(`${PRICE} .responses-table tr.response[data-code="200"] .examples-select select`, 'failure')
    await page.waitForFunction(selector => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent?.includes('false'), WAIT, `${PRICE} .responses-table tr.response[data-code="200"] .example`)
    t.match(JSON.parse(await example('200')), { status: false, response: [/^Sorry/] }, 'the failure path')

    await page.click(`${PRICE} .opblock-section-request-body .tablinks[data-name="model"]`)
    const schema = await page.waitForSelector(`${PRICE} .opblock-section-request-body .model-box`, WAIT)
    const text = await schema?.evaluate(element => (element as PageElement).innerText) ?? ''
    t.match(text, /product_name\*[\s\S]*entity_value\*[\s\S]*The product the user picked: alone, or as \{ "value": … \}/, 'the entity schema is open down to its value')
    t.match(text, 'Enum:', 'with its values')
    t.same(errors, [], 'no script error on the page')
  })
}

/** A fresh page (its own browser context, so no authorization carries over) showing the docs, and its script errors. */
async function docsPage (t: Test, browser: Browser, base: string): Promise<{ page: Page, errors: string[] }> {
  const context = await browser.createBrowserContext()
  t.teardown(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT.timeout)
  const errors: string[] = []
  page.on('pageerror', error => { errors.push(String(error)) })
  await page.goto(`${base}/documentation`)
  await page.waitForSelector(PRICE)
  return { page, errors }
}

async function authorize (page: Page, secret: string): Promise<void> {
  await page.click('.auth-wrapper .btn.authorize')
  await page.type('.modal-ux input[type="text"]', secret)
  await page.click('.modal-ux .auth-btn-wrapper button[type="submit"]')
  await page.click('.modal-ux .btn-done')
  await page.waitForSelector('.modal-ux', { ...WAIT, hidden: true })
}

async function openOperation (page: Page): Promise<void> {
  await page.click(`${PRICE} .opblock-summary-control`)
  await page.waitForSelector(`${PRICE} .responses-table`)
}

/** The X-Hub-Signature headers of the step calls the page sends from now on. */
function sentSignatures (page: Page): string[] {
  const signatures: string[] = []
  page.on('request', request => {
    if (request.method() === 'POST') signatures.push(request.headers()['x-hub-signature'])
  })
  return signatures
}

/** Try it out (once), Execute, and what the page shows of the response once it contains `expected`. */
async function execute (page: Page, expected = '') {
  if (await page.$(`${PRICE} .try-out__btn.cancel`) === null) await page.click(`${PRICE} .try-out__btn`)
  await page.click(`${PRICE} .execute`)
  const body = `${PRICE} .live-responses-table tbody .response-col_description .highlight-code code`
  await page.waitForFunction((selector, expected) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent?.includes(expected), WAIT, body, expected)
  return {
    status: (await page.$eval(`${PRICE} .live-responses-table tbody .response-col_status`, element => element.textContent ?? '')).trim(),
    body: await page.$eval(body, element => element.textContent ?? ''),
    curl: await page.$eval(`${PRICE} .curl-command`, element => element.textContent ?? '')
  }
}
