/**
 * The blotter tables' columns: each has a minimum width, so a window too narrow for all of them scrolls the
 * table sideways instead of cutting figures (column-track.ts).
 */
import { describe, expect, it } from 'vitest';
import { columnTrack } from '../../../src/renderer/blotter/column-track.js';

describe('columnTrack', () => {
  it('keeps a fixed width as it is, and as its minimum', () => {
    expect(columnTrack('106px')).toEqual({ track: '106px', minPx: 106 });
  });
  it('takes the minimum of a minmax track from its first value', () => {
    expect(columnTrack('minmax(62px, 1fr)')).toEqual({ track: 'minmax(62px, 1fr)', minPx: 62 });
  });
  it('gives a bare fraction a floor, so it cannot shrink to nothing', () => {
    expect(columnTrack('1.4fr')).toEqual({ track: 'minmax(48px, 1.4fr)', minPx: 48 });
  });
  it('refuses a width it cannot take a minimum from, naming it', () => {
    expect(() => columnTrack('auto')).toThrow('table column width "auto"');
    expect(() => columnTrack('20%')).toThrow('"20%"');
  });
});
