/**
 * The Electron host: one hardened window on the app's desks — the desks of `desks.json` in the user-data
 * folder, each on its own engine thread with its own database (the `DeskFleet` that `quotedesk serve
 * --desks` runs), or the one simulated desk — the application menu, and the kill switches handled here in
 * the main process (the menu and a global shortcut kill every desk), so they work even when the renderer is
 * frozen. Thin by design: the desks, their validation and their streams are the same code that `quotedesk
 * serve` runs; this file only adds the window, the menu, the live keys kept by the OS keychain and the IPC
 * transport. The window title says LIVE whenever any desk trades for real.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, globalShortcut, Menu, session, type MenuItemConstructorOptions } from 'electron';
import { DEFAULT_PARAMS } from '../shared/params.js';
import { fleetSpecs, type ServeDesks } from './cli/desk-specs.js';
import { credentialsFrom, desktopDesks, keysView, windowTitle } from './electron/desktop-desks.js';
import { registerIpc } from './electron/ipc.js';
import { KeyStore } from './electron/key-store.js';
import { DeskFleet } from './engine/desk-fleet.js';
import { redactingLogger, secretsOf } from './execution/live/credentials.js';
import { WINDOW_CSP, windowOptions } from './electron/window-options.js';

const DESK_KILL_ACCELERATOR = 'CommandOrControl+Shift+K';
const KILL_ALL_ACCELERATOR = 'CommandOrControl+Alt+Shift+K';

let fleet: DeskFleet | null = null;
let window: BrowserWindow | null = null;

/** An operator command from the menu, through the same validated path as the window's. */
function operate(desk: string, name: 'kill' | 'pause' | 'resume' | 'reduce', source: string): void {
  const link = fleet?.get(desk)?.link;
  if (!link) return;
  link.command(name, { who: source }, 'operator:electron').then(
    (result) => {
      if (!result.ok) console.error(`${name} of desk ${desk} from the ${source} was refused: ${result.error}`);
    },
    (error: unknown) => console.error(`${name} of desk ${desk} from the ${source} failed: ${(error as Error).message}`),
  );
}

/** Halts every desk, each through its own kill (audited in each desk). */
function killAll(source: string): void {
  if (!fleet) return;
  fleet.killAll(`operator:electron:${source}`, `kill-all from the ${source}`).then(
    (answers) => {
      for (const answer of answers) if (!answer.ok) console.error(`kill-all: desk ${answer.name} did not confirm: ${answer.error ?? 'no answer'}`);
    },
    (error: unknown) => console.error(`kill-all from the ${source} failed: ${(error as Error).message}`),
  );
}

function buildMenu(names: readonly string[]): void {
  const single = names.length === 1 ? names[0] : undefined;
  const perDesk = (name: 'kill' | 'pause' | 'resume' | 'reduce', label: string): MenuItemConstructorOptions =>
    single !== undefined
      ? { label, ...(name === 'kill' ? { accelerator: DESK_KILL_ACCELERATOR } : {}), click: () => operate(single, name, 'menu') }
      : { label, submenu: names.map((desk) => ({ label: desk, click: () => operate(desk, name, 'menu') })) };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    {
      label: 'Trading',
      submenu: [
        { label: 'Kill All Desks (halt, cancel all)', accelerator: KILL_ALL_ACCELERATOR, click: () => killAll('menu') },
        perDesk('kill', single !== undefined ? 'Kill Switch (halt, cancel all)' : 'Kill Switch of One Desk'),
        { type: 'separator' },
        perDesk('pause', 'Pause Quoting'),
        perDesk('resume', 'Resume Quoting'),
        perDesk('reduce', 'Reduce Only'),
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
  // Live keys, when stored, are decrypted by the OS keychain for the engines only (never for the window).
  const keyStore = new KeyStore(join(dataDir, 'live-keys.json'));
  const keys = keyStore.load();
  // why: a secret must never reach a log line; the list follows the keys the operator stores at run time.
  let secrets = keys ? secretsOf(keys) : [];
  const log = (line: string): void => redactingLogger((text) => console.error(text), secrets)(line);
  let chosen: ServeDesks;
  try {
    chosen = desktopDesks(dataDir, DEFAULT_PARAMS);
  } catch (error) {
    dialog.showErrorBox('Quotedesk: the desks file is not valid', (error as Error).message);
    app.exit(2);
    return;
  }
  // Each desk runs on a worker thread of this process (DEVELOPERS.md, "Threads"): the window's IPC, the
  // menu and the kill shortcuts stay on this thread, free while the engines work.
  const base = { ...(nativeBinding ? { nativeBinding } : {}), ...(keys ? { live: { credentials: keys, network: 'testnet' as const } } : {}) };
  const started = await DeskFleet.start(fleetSpecs(chosen, base, join(dataDir, 'recordings'), null), log);
  fleet = started;
  if (chosen.firmLimits) started.setFirmLimits(chosen.firmLimits);
  const several = started.size > 1;
  // LIVE in the window title whenever real orders can leave from any desk.
  const retitle = (): void => {
    window?.setTitle(windowTitle(started.names.map((name) => ({ name, session: started.get(name)?.link.session() ?? { status: 'stopped', spec: null, loading: null, error: null, sessionId: null } })), several));
  };
  for (const name of started.names) started.get(name)?.link.onSession(retitle);

  const liveKeys = {
    status: () => keysView(keyStore.status()),
    save: async (input: Parameters<typeof credentialsFrom>[0]) => {
      const credentials = credentialsFrom(input);
      keyStore.save(credentials);
      secrets = secretsOf(credentials);
      await Promise.all(started.names.map((name) => started.get(name)?.link.configureLive({ credentials, network: 'testnet' })));
      return keysView(keyStore.status());
    },
    clear: async () => {
      keyStore.clear();
      await Promise.all(started.names.map((name) => started.get(name)?.link.configureLive(null)));
      return keysView(keyStore.status());
    },
  };

  const rendererDir = join(import.meta.dirname, '..', 'renderer');
  const rendererUrlPrefix = pathToFileURL(rendererDir).href;
  window = new BrowserWindow(windowOptions(join(import.meta.dirname, '..', 'preload', 'index.cjs')));
  // The title is ours (LIVE when it must say so), never the page's.
  window.on('page-title-updated', (event) => event.preventDefault());
  const unregister = registerIpc(started, window, rendererUrlPrefix, {
    preferencesFile: join(dataDir, 'preferences.json'),
    log,
    keys: liveKeys,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  buildMenu(started.names);
  if (!globalShortcut.register(KILL_ALL_ACCELERATOR, () => killAll('global-shortcut'))) {
    console.error(`could not register the global kill-all shortcut ${KILL_ALL_ACCELERATOR}`);
  }
  retitle();
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
  if (fleet) {
    event.preventDefault();
    const closing = fleet;
    fleet = null;
    void closing.close().finally(() => app.quit());
  }
});

main().catch((error: unknown) => {
  console.error(`Quotedesk could not start: ${(error as Error).stack ?? String(error)}`);
  app.exit(1);
});
