/**
 * Finds a worker thread's entry file beside the module that starts it: the built `NAME.js` (electron-vite
 * puts every entry and shared chunk in out/main, see electron.vite.config.ts) or, when running from source
 * under tsx, `NAME.ts`. A missing entry is an error that says to build.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerEntry(base: string, name: string): URL {
  for (const file of [`./${name}.js`, `./${name}.ts`]) {
    const url = new URL(file, base);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`the ${name} worker is not built beside ${fileURLToPath(base)}: run \`npm run build\``);
}
