#!/usr/bin/env node
/**
 * `npm start`: the desktop app on the simulated market. Builds the app if needed, makes sure the Electron
 * runtime is there (fetching it on a machine with internet: the install step skips the download so that
 * `npm install` works offline), builds better-sqlite3 once for Electron's ABI into a separate folder (Node,
 * the CLI and the tests keep the Node build), and launches the window. Where the runtime cannot be had, it
 * says so in one line and serves the same monitor in the browser instead, printing the URL.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

function built() {
  return ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((file) => existsSync(join(root, file)));
}

function quiet(command, args, options = {}) {
  return spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...options });
}

/** Path of the Electron binary, fetching it once if the install skipped it; null if it cannot be had. */
function electronBinary() {
  const electronDir = join(root, 'node_modules', 'electron');
  if (!existsSync(electronDir)) return null;
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    const fetched = quiet(process.execPath, [join(electronDir, 'install.js')], { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' }, timeout: 300_000 });
    if (fetched.status !== 0 || !existsSync(pathFile)) return null;
  }
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** better-sqlite3 built for Electron's ABI, in a folder of its own; null if it cannot be built. */
function electronSqliteBinding(electronVersion) {
  const target = join(process.env.QUOTEDESK_HOME ?? join(homedir(), '.cache', 'quotedesk'), `better-sqlite3-electron-${electronVersion}`);
  const binding = join(target, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  mkdirSync(target, { recursive: true });
  const source = join(root, 'node_modules', 'better-sqlite3');
  // The copy leaves out the Node build: this folder gets its own, for Electron's ABI.
  cpSync(source, target, { recursive: true, filter: (src) => !src.startsWith(join(source, 'build')) });
  const prebuilt = quiet(process.execPath, [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronVersion], { cwd: target, timeout: 300_000 });
  if (prebuilt.status !== 0 || !existsSync(binding)) {
    const npmDir = join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const gyp = existsSync(npmDir) ? npmDir : 'node-gyp';
    quiet(process.execPath, [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], { cwd: target, timeout: 600_000 });
  }
  return existsSync(binding) ? binding : null;
}

function serveInBrowser(reason) {
  process.stdout.write(`Electron runtime not available (${reason}): serving the Quotedesk monitor in your browser instead.\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'quotedesk.js'), 'serve'], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (!built()) {
  process.stdout.write('Building Quotedesk (first start)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
}

const binary = electronBinary();
if (!binary) {
  serveInBrowser('it could not be downloaded: offline install');
} else {
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const binding = electronSqliteBinding(version);
  if (!binding) {
    serveInBrowser(`better-sqlite3 could not be built for Electron ${version}`);
  } else {
    const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env: { ...process.env, QUOTEDESK_SQLITE_BINDING: binding } });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
