#!/usr/bin/env node
import { runCommand } from './program.js';

// The command, unbundled (`npm start` runs it); the package's `bin` is program.ts bundled.
await runCommand(process.argv);
