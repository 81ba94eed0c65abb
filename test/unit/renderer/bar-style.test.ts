/**
 * The bars and the inventory needle move by transform: a fill is its bar scaled from the left edge by the
 * fraction shown (clamped, and empty for a figure that is not a number), the needle's full-width track
 * slides by the gauge position.
 */
import { describe, expect, it } from 'vitest';
import { barFill, needleAt } from '../../../src/renderer/styles/bar-style.js';

describe('barFill', () => {
  it('scales the fill by the fraction, clamped to the bar', () => {
    expect(barFill(0.25)).toEqual({ transform: 'scaleX(0.25)' });
    expect(barFill(1.7)).toEqual({ transform: 'scaleX(1)' });
    expect(barFill(-0.3)).toEqual({ transform: 'scaleX(0)' });
  });

  it('shows an empty bar for a figure that is not a number', () => {
    expect(barFill(Number.NaN)).toEqual({ transform: 'scaleX(0)' });
    expect(barFill(Number.POSITIVE_INFINITY)).toEqual({ transform: 'scaleX(0)' });
  });

  it('never sets width, which would lay out the panel on every frame of the transition', () => {
    expect(Object.keys(barFill(0.5))).toEqual(['transform']);
  });
});

describe('needleAt', () => {
  it('slides the track by the position across the gauge, clamped to its ends', () => {
    expect(needleAt(50)).toEqual({ transform: 'translateX(50%)' });
    expect(needleAt(0)).toEqual({ transform: 'translateX(0%)' });
    expect(needleAt(130)).toEqual({ transform: 'translateX(100%)' });
    expect(needleAt(-5)).toEqual({ transform: 'translateX(0%)' });
  });
});
