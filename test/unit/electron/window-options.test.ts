/**
 * The Electron window is hardened: the options the host passes (and the built bundle contains) keep
 * context isolation and the sandbox on and Node integration off, and the CSP allows only our own scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOW_CSP, windowOptions } from '../../../src/main/electron/window-options.js';
import { PROJECT_ROOT } from '../../support/serve-process.js';

describe('the Quotedesk window', () => {
  it('is created with context isolation, the sandbox, and no Node integration', () => {
    const prefs = windowOptions('/app/preload/index.cjs').webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has a strict content security policy', () => {
    expect(WINDOW_CSP).toContain("script-src 'self'");
    expect(WINDOW_CSP).toContain("object-src 'none'");
    expect(WINDOW_CSP).not.toMatch(/unsafe-eval/);
    expect(WINDOW_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('ships the policy in the page itself, since a file:// load gets no response headers', () => {
    const html = readFileSync(join(PROJECT_ROOT, 'src', 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(meta).toContain("script-src 'self'");
    expect(meta).toContain("object-src 'none'");
    expect(meta).not.toMatch(/unsafe-eval/);
    expect(meta).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('uses exactly these options in the built host, which denies navigation and new windows', () => {
    const source = readFileSync(join(PROJECT_ROOT, 'src', 'main', 'index.ts'), 'utf8');
    expect(source).toMatch(/new BrowserWindow\(windowOptions\(/);
    expect(source).toMatch(/will-navigate', \(event\) => event\.preventDefault\(\)/);
    expect(source).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
    const built = join(PROJECT_ROOT, 'out', 'main', 'index.js');
    if (existsSync(built)) {
      const bundle = readFileSync(built, 'utf8');
      for (const option of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false']) expect(bundle).toContain(option);
    }
  });

  it('has a preload that exposes the typed API only, never ipcRenderer itself', () => {
    const preload = readFileSync(join(PROJECT_ROOT, 'src', 'preload', 'index.ts'), 'utf8');
    expect(preload).toMatch(/contextBridge\.exposeInMainWorld\('quotedesk', bridge\)/);
    expect(preload).toMatch(/satisfies DesktopBridge/);
    // Every desk's API is the typed DeskApi, bound to the desk by name.
    expect(preload).toMatch(/function deskApi\(name: string\): DeskApi/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
