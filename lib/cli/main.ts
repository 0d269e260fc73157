#!/usr/bin/env node
// The `fastify-haptik` command (package.json "bin").
import { processIo } from './io.js'
import { run } from './program.js'

run(process.argv.slice(2), processIo()).then(code => { process.exitCode = code })
