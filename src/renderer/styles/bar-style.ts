/**
 * Inline styles for the bars and the gauge needle that move with the desk's figures. They move by
 * `transform` (a fill scaled from its left edge, a full-width track slid across), never by `width` or
 * `left`: a transform animates on the compositor, where an animated width re-lays out and repaints its
 * panel on the main thread every frame of the transition — with the figures published four times a second
 * and a 0.2 s transition, that was a layout on most frames of a busy market.
 */
import type { CSSProperties } from 'react';

function clamp01(fraction: number): number {
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}

/** A `.bar-fill` showing `fraction` (clamped to 0…1) of its bar. */
export function barFill(fraction: number): CSSProperties {
  return { transform: `scaleX(${clamp01(fraction)})` };
}

/** A `.gauge-needle-track` putting its needle `percent` (0…100) of the way across the gauge. */
export function needleAt(percent: number): CSSProperties {
  return { transform: `translateX(${clamp01(percent / 100) * 100}%)` };
}
