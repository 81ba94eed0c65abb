/**
 * The monitor's preferences, one validated model for every host: the ladder's grouping, centring and
 * volume column, the blotter's tab, the panel sizes, the alerts (which kinds are muted, sound, desktop
 * notifications), the time zone times are shown in, and whether cancelling an order from the ladder asks
 * first. The Electron host keeps them as a JSON file in the app's user-data folder (written through a
 * validated IPC channel); a browser keeps them in `localStorage`. Whatever is read back is checked by the
 * same schema: a missing or invalid file gives the defaults (and says which field was wrong), never a
 * half-read layout. Pure: no storage here.
 */
import { z } from 'zod';

/** What the monitor alerts on: each kind can be muted. */
export const ALERT_KINDS = ['kill', 'breaker', 'disconnect', 'stale-feed', 'loss-warning'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_KIND_TEXT: Readonly<Record<AlertKind, string>> = {
  kill: 'Kill switch',
  breaker: 'Breaker trips',
  disconnect: 'Disconnects',
  'stale-feed': 'Stale feed',
  'loss-warning': 'Loss-limit warnings',
};

export const LADDER_GROUP_CHOICES = ['auto', 1, 2, 5, 10] as const;
export const BLOTTER_TAB_CHOICES = ['fills', 'orders', 'sessions', 'events'] as const;

/** Panel sizes in CSS pixels, each within what keeps every panel readable. */
export const LAYOUT_LIMITS = {
  ladderWidthPx: { min: 260, max: 640 },
  sideWidthPx: { min: 300, max: 620 },
  bottomHeightPx: { min: 150, max: 520 },
} as const;

const px = (limits: { readonly min: number; readonly max: number }) => z.number().int().min(limits.min).max(limits.max).nullable();

export const PREFERENCES_SCHEMA = z.strictObject({
  version: z.literal(1),
  ladder: z.strictObject({
    group: z.union([z.literal('auto'), z.literal(1), z.literal(2), z.literal(5), z.literal(10)]),
    autoCentre: z.boolean(),
    volumeColumn: z.boolean(),
    /** Clicking our order on the ladder asks before it cancels. */
    confirmCancel: z.boolean(),
  }),
  blotterTab: z.enum(BLOTTER_TAB_CHOICES),
  /** Null: the layout's own size for the window. */
  layout: z.strictObject({
    ladderWidthPx: px(LAYOUT_LIMITS.ladderWidthPx),
    sideWidthPx: px(LAYOUT_LIMITS.sideWidthPx),
    bottomHeightPx: px(LAYOUT_LIMITS.bottomHeightPx),
  }),
  alerts: z.strictObject({
    muted: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length),
    sound: z.boolean(),
    desktop: z.boolean(),
  }),
  timeZone: z.enum(['utc', 'local']),
});
export type Preferences = z.infer<typeof PREFERENCES_SCHEMA>;

export const DEFAULT_PREFERENCES: Preferences = {
  version: 1,
  ladder: { group: 'auto', autoCentre: true, volumeColumn: true, confirmCancel: false },
  blotterTab: 'fills',
  layout: { ladderWidthPx: null, sideWidthPx: null, bottomHeightPx: null },
  alerts: { muted: [], sound: false, desktop: true },
  timeZone: 'utc',
};

/** The preferences a stored value holds, or the defaults with the reason (field and words) it was refused. */
export function readPreferences(value: unknown): { readonly preferences: Preferences; readonly issue: string | null } {
  if (value === undefined || value === null) return { preferences: DEFAULT_PREFERENCES, issue: null };
  const parsed = PREFERENCES_SCHEMA.safeParse(value);
  if (parsed.success) return { preferences: parsed.data, issue: null };
  const first = parsed.error.issues[0];
  const field = first ? first.path.map(String).join('.') : '';
  return { preferences: DEFAULT_PREFERENCES, issue: `${field || 'preferences'}: ${first?.message ?? 'invalid'}` };
}
