// The lower bound: node:http, the body read by hand, a hand-written check, no schema.
import { createServer } from 'node:http'
import { answer, productOf } from '../workload.mjs'
import { port, ready, validSignature } from './common.mjs'

const server = createServer((request, response) => {
  const chunks = []
  request.on('data', chunk => chunks.push(chunk))
  request.on('end', () => {
    const raw = Buffer.concat(chunks)
    if (!validSignature(raw, request.headers['x-hub-signature'])) {
      response.writeHead(401).end()
      return
    }
    let envelope
    try {
      envelope = JSON.parse(raw)
    } catch {
      response.writeHead(400).end()
      return
    }
    const payload = JSON.stringify(answer(productOf(envelope)))
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) }).end(payload)
  })
})
server.listen(port, '127.0.0.1', () => ready(server))
