/**
 * The live part of the session dialog: paper or live execution on a live venue, and for live the API keys
 * (where they come from and whether they are configured — the key's last four characters at most, never a
 * secret; in the desktop app a form that hands them to the main process, which stores them encrypted by
 * the OS keychain and never sends them back), the network (the venue's testnet unless the mainnet switch
 * is on) and the confirmation the engine asks for: the venue and symbol typed. The dialog never decides
 * whether live may start: it sends what the operator typed and shows the engine's refusal in its words.
 */
import { useEffect, useState } from 'react';
import type { LiveKeysView } from '../../shared/contract.js';
import { LIVE_KEYS_INPUT_SCHEMA } from '../../shared/desktop-bridge.js';
import { describeSchemaError } from '../../shared/contract.js';
import type { KeysStore } from '../desk-client/connect.js';
import { useDesk } from '../desk-client/hooks.js';

export interface LiveChoice {
  readonly execution: 'paper' | 'live';
  readonly mainnet: boolean;
  readonly confirm: string;
}

export interface LiveSessionFieldsProps {
  readonly venue: string;
  readonly symbol: string;
  readonly choice: LiveChoice;
  readonly onChange: (choice: LiveChoice) => void;
  /** The engine's refusal of the last start, when it named one of these fields. */
  readonly error: { readonly error: string; readonly field: string } | null;
}

export function LiveSessionFields({ venue, symbol, choice, onChange, error }: LiveSessionFieldsProps) {
  const { api, keys: store } = useDesk();
  const [keys, setKeys] = useState<LiveKeysView | null>(null);
  const [keysError, setKeysError] = useState<string | null>(null);
  useEffect(() => {
    api.getLive().then(setKeys, (e: unknown) => setKeysError(`keys: ${(e as Error).message}`));
  }, [api]);
  const expected = `${venue} ${symbol.trim()}`;
  const live = choice.execution === 'live';
  return (
    <div className="live-fields" data-testid="session-live-fields">
      <fieldset className="style-choice">
        <legend>Execution</legend>
        <label>
          <input type="radio" name="execution" checked={!live} onChange={() => onChange({ ...choice, execution: 'paper' })} data-testid="session-execution-paper" /> Paper: simulated fills on the venue&apos;s
          live feed
        </label>
        <label className={live ? 'live-choice' : ''}>
          <input type="radio" name="execution" checked={live} onChange={() => onChange({ ...choice, execution: 'live' })} data-testid="session-execution-live" /> LIVE: real orders at the venue
        </label>
        {error?.field === 'execution' && <span className="field-error">{error.error}</span>}
      </fieldset>
      {live && (
        <>
          <KeysSection keys={keys} error={keysError} store={store ?? null} onKeys={setKeys} />
          <label className="toggle-line">
            <input type="checkbox" checked={choice.mainnet} onChange={(e) => onChange({ ...choice, mainnet: e.target.checked })} data-testid="session-mainnet" />
            <span>
              {choice.mainnet ? (
                <b className="neg">MAINNET — REAL MONEY</b>
              ) : (
                <>
                  Mainnet (off: the venue&apos;s <b>testnet</b>, or the endpoints the host was started with)
                </>
              )}
            </span>
          </label>
          {error?.field === 'mainnet' && <span className="field-error">{error.error}</span>}
          <label className="field">
            <span>
              Type <code data-testid="session-confirm-expected">{expected}</code> to confirm real orders
            </span>
            <input value={choice.confirm} onChange={(e) => onChange({ ...choice, confirm: e.target.value })} placeholder={expected} autoComplete="off" spellCheck={false} data-testid="session-confirm" />
            {error?.field === 'confirm' && (
              <span className="field-error" data-testid="session-confirm-error">
                {error.error}
              </span>
            )}
          </label>
        </>
      )}
    </div>
  );
}

function KeysSection({ keys, error, store, onKeys }: { keys: LiveKeysView | null; error: string | null; store: KeysStore | null; onKeys: (keys: LiveKeysView) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [secret, setSecret] = useState('');
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const save = async (): Promise<void> => {
    if (!store) return;
    const parsed = LIVE_KEYS_INPUT_SCHEMA.safeParse({ kind: 'hmac', apiKey, secret });
    if (!parsed.success) return setMessage({ text: describeSchemaError(parsed.error).error, ok: false });
    const answer = await store.save(parsed.data);
    // why: the secret leaves the page's state as soon as it is handed over, stored or not.
    setSecret('');
    if (answer.ok && answer.keys) {
      onKeys(answer.keys);
      setApiKey('');
      setMessage({ text: 'stored', ok: true });
    } else setMessage({ text: answer.ok ? 'stored' : answer.error, ok: answer.ok });
  };
  const forget = async (): Promise<void> => {
    if (!store) return;
    const answer = await store.clear();
    if (answer.ok && answer.keys) onKeys(answer.keys);
    setMessage(answer.ok ? { text: 'forgotten', ok: true } : { text: answer.error, ok: false });
  };
  return (
    <fieldset className="style-choice keys-section" data-testid="session-keys" data-configured={keys === null ? '' : keys.configured ? 'true' : 'false'}>
      <legend>API keys</legend>
      {keys === null ? (
        <span className="muted">{error ?? 'asking the host…'}</span>
      ) : (
        <>
          <span data-testid="session-keys-status" className={keys.configured ? 'pos' : 'neg'}>
            {keys.configured ? `Configured: API key …${keys.apiKeyHint ?? ''} (${keys.kind === 'ed25519' ? 'Ed25519' : 'HMAC'})` : 'Not configured: live execution is refused without keys'}
          </span>
          <span className="muted" data-testid="session-keys-source">
            {keys.configured ? `From ${keys.source}.` : keys.source}
          </span>
        </>
      )}
      {keys?.storable && store !== null && (
        <div className="keys-form">
          <input value={apiKey} onChange={(e) => setApiKey(e.target.value)} placeholder="API key" autoComplete="off" spellCheck={false} data-testid="session-keys-api-key" />
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} placeholder="secret (HMAC)" autoComplete="off" data-testid="session-keys-secret" />
          <button className="btn btn-small" onClick={() => void save()} disabled={apiKey === '' || secret === ''} data-testid="session-keys-save">
            Store in the OS keychain
          </button>
          {keys.configured && (
            <button className="btn btn-small" onClick={() => void forget()} data-testid="session-keys-forget">
              Forget keys
            </button>
          )}
          {message && <span className={message.ok ? 'pos' : 'field-error'}>{message.text}</span>}
        </div>
      )}
    </fieldset>
  );
}
