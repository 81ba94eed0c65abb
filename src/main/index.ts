/**
 * The Electron host: one hardened window on the headless desk, the application menu, and the kill switch
 * handled here in the main process (menu accelerator and a global shortcut), so it works even when the
 * renderer is frozen. Thin by design: the desk, its validation and its stream are the same code that
 * `quotedesk serve` runs; this file only adds the window, the menu and the IPC transport.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, globalShortcut, Menu, session, type MenuItemConstructorOptions } from 'electron';
import { DEFAULT_PARAMS } from '../shared/params.js';
import { registerIpc } from './electron/ipc.js';
import { KeyStore } from './electron/key-store.js';
import { EngineLink } from './engine/engine-link.js';
import { redactingLogger, secretsOf } from './execution/live/credentials.js';
import { WINDOW_CSP, windowOptions } from './electron/window-options.js';

const KILL_ACCELERATOR = 'CommandOrControl+Shift+K';
const GLOBAL_KILL_ACCELERATOR = 'CommandOrControl+Alt+Shift+K';

let link: EngineLink | null = null;
let window: BrowserWindow | null = null;

/** An operator command from the menu or a shortcut, through the same validated path as the window's. */
function operate(name: 'kill' | 'pause' | 'resume' | 'reduce', source: string): void {
  if (!link) return;
  link.command(name, { who: source }, 'operator:electron').then(
    (result) => {
      if (!result.ok) console.error(`${name} from the ${source} was refused: ${result.error}`);
    },
    (error: unknown) => console.error(`${name} from the ${source} failed: ${(error as Error).message}`),
  );
}

function kill(source: string): void {
  operate('kill', source);
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    {
      label: 'Trading',
      submenu: [
        { label: 'Kill Switch (halt, cancel all)', accelerator: KILL_ACCELERATOR, click: () => kill('menu') },
        { type: 'separator' },
        { label: 'Pause Quoting', click: () => operate('pause', 'menu') },
        { label: 'Resume Quoting', click: () => operate('resume', 'menu') },
        { label: 'Reduce Only', click: () => operate('reduce', 'menu') },
      ],
    },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [WINDOW_CSP] } });
  });
}

app.on('web-contents-created', (_event, contents) => {
  // No navigation away from the monitor and no new windows, whatever a page might try.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

async function main(): Promise<void> {
  await app.whenReady();
  hardenSession();
  const nativeBinding = process.env['QUOTEDESK_SQLITE_BINDING'];
  const dataDir = app.getPath('userData');
  const dbPath = join(dataDir, 'quotedesk.db');
  // The engine runs on a worker thread of this process (DEVELOPERS.md, "Threads"): the window's IPC, the
  // menu and the kill shortcut stay on this thread, free while the engine works.
  // Live keys, when stored, are decrypted by the OS keychain for the engine only (never for the window).
  const keys = new KeyStore(join(dataDir, 'live-keys.json')).load();
  const created = await EngineLink.start(
    {
      dbPath,
      params: DEFAULT_PARAMS,
      recordingsDir: join(dataDir, 'recordings'),
      base: { ...(nativeBinding ? { nativeBinding } : {}), ...(keys ? { live: { credentials: keys, network: 'testnet' as const } } : {}) },
      trustedRecordings: [],
    },
    keys ? redactingLogger((line) => console.error(line), secretsOf(keys)) : (line) => console.error(line),
  );
  link = created;
  created.onFailure((reason) => console.error(`the engine stopped: ${reason}`));
  // LIVE in the window title whenever real orders can leave.
  created.onSession((session) => {
    const spec = session.spec;
    const live = spec?.execution === 'live' && session.status === 'running';
    window?.setTitle(live ? `Quotedesk — LIVE ${spec.venue} ${spec.symbol ?? ''} (${spec.mainnet ? 'MAINNET' : 'testnet'})` : 'Quotedesk');
  });
  const started = await created.startSession({ venue: 'sim' });
  if (!started.ok) console.error(`the simulated market could not start: ${started.error}`);

  const rendererDir = join(import.meta.dirname, '..', 'renderer');
  const rendererUrlPrefix = pathToFileURL(rendererDir).href;
  window = new BrowserWindow(windowOptions(join(import.meta.dirname, '..', 'preload', 'index.cjs')));
  const unregister = registerIpc(created, dbPath, window, rendererUrlPrefix, { preferencesFile: join(dataDir, 'preferences.json'), log: (line) => console.error(line) }, nativeBinding);
  buildMenu();
  if (!globalShortcut.register(GLOBAL_KILL_ACCELERATOR, () => kill('global-shortcut'))) {
    console.error(`could not register the global kill-switch shortcut ${GLOBAL_KILL_ACCELERATOR}`);
  }
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    unregister();
    window = null;
  });
  await window.loadFile(join(rendererDir, 'index.html'));
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', (event) => {
  globalShortcut.unregisterAll();
  if (link) {
    event.preventDefault();
    const closing = link;
    link = null;
    void closing.close().finally(() => app.quit());
  }
});

main().catch((error: unknown) => {
  console.error(`Quotedesk could not start: ${(error as Error).stack ?? String(error)}`);
  app.exit(1);
});
