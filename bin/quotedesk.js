#!/usr/bin/env node
// The `quotedesk` command: runs the built CLI (out/main/cli.js). `npm install` builds it (prepare).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('quotedesk: the app is not built yet: run `npm run build` in the project folder\n');
  process.exit(1);
}
process.env.QUOTEDESK_CLI_MAIN = '1';
await import(pathToFileURL(cli).href);
