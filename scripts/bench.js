#!/usr/bin/env node
/**
 * `npm run bench`: runs every benchmark in test/bench (standalone scripts that print their figures, each
 * as a ratio to the physical limit measured in the same run where the issue asks for one). Benchmarks are
 * never tests: this machine is shared and noisy. `npm run bench -- book` runs the files whose name
 * contains "book".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'test', 'bench');
const filter = process.argv[2] ?? '';
const files = readdirSync(dir).filter((name) => name.endsWith('.bench.ts') && name.includes(filter)).sort();
let failures = 0;
for (const file of files) {
  process.stdout.write(`\n### ${file}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, file)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    failures++;
    process.stdout.write(`(${file} exited with ${result.status})\n`);
  }
}
process.exit(failures > 0 ? 1 : 0);
