/**
 * The desktop app's bridge between its window and its main process (`window.quotedesk`, exposed by the
 * sandboxed preload): the desk API of any desk by name (every call carries the name), the overview of
 * every desk, the kill-all, the live keys (stored by the main process in the OS keychain; the window
 * gets back only "configured, key …abcd", never a secret) — and the schemas the main process validates
 * every payload with before anything acts on it (the desk API's own payloads are validated in the
 * engine, as for HTTP). Pure: no node, electron or DOM imports.
 */
import { z } from 'zod';
import type { CommandResult, DeskApi, LiveKeysView } from './contract.js';
import type { DeskKillResult, DeskSummaryView, OverviewMessage } from './desks.js';
import { DESK_NAME_SCHEMA } from './fleet.js';

/** A desk name as the window sends it: one of the fleet's names (checked against them after this). */
export const BRIDGE_DESK_NAME_SCHEMA = DESK_NAME_SCHEMA;

/** `killAll({why})`: the reason goes to every desk's audit trail. */
export const KILL_ALL_SCHEMA = z.strictObject({ why: z.string().trim().min(1).max(500).optional() });
export type KillAllRequest = z.infer<typeof KILL_ALL_SCHEMA>;

/** Printable, no spaces: an API key or an HMAC secret as venues issue them. */
const KEY_TEXT = /^[\x21-\x7e]+$/;
const API_KEY_SCHEMA = z.string().trim().min(8, 'the API key is at least 8 characters').max(256).regex(KEY_TEXT, 'the API key holds printable characters only, no spaces');

/** The keys the operator types into the session dialog's "API keys" section. */
export const LIVE_KEYS_INPUT_SCHEMA = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('hmac'),
    apiKey: API_KEY_SCHEMA,
    secret: z.string().min(8, 'the secret is at least 8 characters').max(512).regex(KEY_TEXT, 'the secret holds printable characters only, no spaces'),
  }),
  z.strictObject({
    kind: z.literal('ed25519'),
    apiKey: API_KEY_SCHEMA,
    privateKeyPem: z
      .string()
      .max(8192)
      .regex(/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/, 'a PEM private key (PKCS#8, "BEGIN PRIVATE KEY")'),
  }),
]);
export type LiveKeysInput = z.infer<typeof LIVE_KEYS_INPUT_SCHEMA>;

/** The answer to storing or forgetting keys: what is configured now (never the keys). */
export type KeysAnswer = CommandResult & { readonly keys?: LiveKeysView };

/** What the kill-all answers: each desk's own answer (its trading state after its kill). */
export interface KillAllAnswer {
  readonly ok: boolean;
  readonly desks: readonly DeskKillResult[];
}

/** `window.quotedesk` in the desktop app. */
export interface DesktopBridge {
  /** The desk API of desk `name` (each call names the desk; the main process refuses an unknown one). */
  desk(name: string): DeskApi;
  /** Every desk's one-line summary now (the first is the desk a single-desk window shows). */
  overview(): Promise<DeskSummaryView[]>;
  /** The summaries and the firm limits' use, pushed whenever a desk changed, at most four times a second. */
  subscribeOverview(listener: (overview: OverviewMessage) => void): () => void;
  /** Halts every desk through its own kill; each desk's answer. */
  killAll(request: KillAllRequest): Promise<KillAllAnswer>;
  /** Stores the live keys encrypted by the OS keychain and hands them to every desk's engine. */
  saveKeys(keys: LiveKeysInput): Promise<KeysAnswer>;
  /** Forgets the stored keys (running live sessions keep theirs until they end). */
  clearKeys(): Promise<KeysAnswer>;
}
