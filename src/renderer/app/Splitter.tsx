/**
 * A drag handle between two panels of the desk grid: pointer drag or arrow keys (10 px a press, 50 with
 * Shift) change one size, clamped to the limits that keep every panel readable (shared/preferences.ts),
 * and the layout is kept as a preference. Vertical handles size a column, the horizontal one the bottom row.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export interface SplitterProps {
  readonly testid: string;
  readonly label: string;
  readonly orientation: 'vertical' | 'horizontal';
  /** The size now (px) and its limits. */
  readonly value: number;
  readonly min: number;
  readonly max: number;
  /** +1: moving the pointer right (or down) grows the size; −1: it shrinks it. */
  readonly direction: 1 | -1;
  readonly onChange: (px: number) => void;
  readonly className: string;
}

export function Splitter({ testid, label, orientation, value, min, max, direction, onChange, className }: SplitterProps) {
  const drag = useRef<{ start: number; from: number } | null>(null);
  const clamp = (px: number): number => Math.round(Math.min(max, Math.max(min, px)));
  const position = (event: PointerEvent<HTMLDivElement>): number => (orientation === 'vertical' ? event.clientX : event.clientY);
  return (
    <div
      className={`splitter splitter-${orientation} ${className}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      data-testid={testid}
      title={`${label}: drag, or arrow keys`}
      onPointerDown={(event) => {
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { start: position(event), from: value };
      }}
      onPointerMove={(event) => {
        const d = drag.current;
        if (d) onChange(clamp(d.from + direction * (position(event) - d.start)));
      }}
      onPointerUp={() => {
        drag.current = null;
      }}
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        const step = event.shiftKey ? 50 : 10;
        const grow = orientation === 'vertical' ? event.key === 'ArrowRight' : event.key === 'ArrowDown';
        const shrink = orientation === 'vertical' ? event.key === 'ArrowLeft' : event.key === 'ArrowUp';
        if (!grow && !shrink) return;
        event.preventDefault();
        event.stopPropagation();
        onChange(clamp(value + (grow ? step : -step) * direction));
      }}
    />
  );
}
