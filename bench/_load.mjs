import autocannon from 'autocannon'
import { body, signature } from './workload.mjs'
const payload = body('speaker')
const r = await autocannon({ url: `http://127.0.0.1:${process.argv[2]}`, connections: 10, duration: 8, requests: [{ method: 'POST', path: '/product_price', headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload) }, body: payload }] })
console.log(r.requests.average, r.non2xx)
