/**
 * A blotter column's grid track and its minimum width: its px width, the first value of a `minmax`, or
 * MIN_FLEXIBLE_PX for a bare `fr` (which CSS would let shrink to nothing, cutting its figures). The table
 * is at least as wide as the sum, and scrolls sideways in a narrower window.
 */
/** The narrowest a bare `fr` column gets: a short figure or a header word and the cell's padding. */
const MIN_FLEXIBLE_PX = 48;

/** A column's grid track, and the width under which it would cut what it shows. */
export function columnTrack(width: string): { readonly track: string; readonly minPx: number } {
  const fixed = /^(\d+(?:\.\d+)?)px$/.exec(width);
  if (fixed) return { track: width, minPx: Number(fixed[1]) };
  const floor = /^minmax\((\d+(?:\.\d+)?)px,/.exec(width);
  if (floor) return { track: width, minPx: Number(floor[1]) };
  if (/^\d+(?:\.\d+)?fr$/.test(width)) return { track: `minmax(${MIN_FLEXIBLE_PX}px, ${width})`, minPx: MIN_FLEXIBLE_PX };
  throw new Error(`table column width "${width}": use px, fr or minmax(px, …)`);
}
