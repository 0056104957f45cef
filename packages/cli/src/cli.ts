#!/usr/bin/env node
// The packed CLI's entry (scripts/pack.mjs bundles it); bin/rollgate.js runs the same main through tsx.
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
