// Express 5: express.json({ verify }) keeps the raw bytes, then a hand-written check.
import express from 'express'
import { answer, productOf } from '../workload.mjs'
import { port, ready, validSignature } from './common.mjs'

const app = express()
app.use(express.json({ limit: '1mb', verify: (request, _response, raw) => { request.rawBody = raw } }))
app.post('/product_price', (request, response) => {
  if (!validSignature(request.rawBody, request.get('x-hub-signature'))) {
    response.status(401).json({ error: 'bad signature' })
    return
  }
  response.json(answer(productOf(request.body)))
})
const server = app.listen(port, '127.0.0.1', () => ready(server))
