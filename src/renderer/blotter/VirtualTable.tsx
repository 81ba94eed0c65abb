/**
 * A virtualised, sortable table: only the rows in view (plus a small overscan) are in the DOM, whatever
 * the number of rows, so a blotter of thousands of fills costs the same as one of twenty. Rows have a
 * fixed height; a spacer gives the scroll height. Clicking a header sorts by it (again: reverse). Rows are
 * keyed by their position, as react-window keys them: when fills arrive at the top of a newest-first
 * blotter, the rows in view keep their elements and only their text changes. Keyed by fill, every
 * reading created the rows in view anew and moved every row kept — the blotter was the largest part of a
 * reading-pace frame under a fast market. (No row holds state of its own, so nothing depends on identity.)
 * Every column has a minimum width (`column-track.ts`): in a window too narrow for their sum the table
 * scrolls sideways instead of cutting figures.
 */
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { columnTrack } from './column-track.js';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly width: string;
  readonly align?: 'left' | 'right';
  readonly title?: string;
  readonly render: (row: T) => ReactNode;
  readonly sort?: (row: T) => number | string;
}

export interface SortState {
  readonly key: string;
  readonly dir: 1 | -1;
}

const ROW_HEIGHT = 20;
const OVERSCAN = 6;

export function VirtualTable<T>({ rows, columns, rowClass, sort, onSort, testid, empty }: { rows: readonly T[]; columns: readonly Column<T>[]; rowClass?: (row: T) => string; sort: SortState | null; onSort: (s: SortState) => void; testid: string; empty: string }) {
  const bodyRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(200);

  useLayoutEffect(() => {
    const element = bodyRef.current;
    if (!element) return;
    const measure = (): void => setHeight(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const sorted = useMemo(() => {
    if (!sort) return rows;
    const column = columns.find((c) => c.key === sort.key);
    const by = column?.sort;
    if (!by) return rows;
    const copy = rows.slice();
    copy.sort((a, b) => {
      const x = by(a);
      const y = by(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
    return copy;
  }, [rows, columns, sort]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(sorted.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const { template, minWidth } = useMemo(() => {
    const tracks = columns.map((c) => columnTrack(c.width));
    return { template: tracks.map((t) => t.track).join(' '), minWidth: tracks.reduce((sum, t) => sum + t.minPx, 0) };
  }, [columns]);
  const visible: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const row = sorted[i] as T;
    visible.push(
      <div key={i} className={`vt-row ${rowClass?.(row) ?? ''}`} style={{ top: i * ROW_HEIGHT, gridTemplateColumns: template }} data-testid={`${testid}-row`} role="row">
        {columns.map((c) => (
          <span key={c.key} className={`vt-cell ${c.align === 'right' ? 'right' : ''}`} data-col={c.key}>
            {c.render(row)}
          </span>
        ))}
      </div>,
    );
  }
  return (
    <div className="vt" data-testid={testid} data-rows={sorted.length} role="table">
      <div className="vt-head" style={{ gridTemplateColumns: template, minWidth }} role="row">
        {columns.map((c) => (
          <button
            key={c.key}
            className={`vt-th ${c.align === 'right' ? 'right' : ''} ${sort?.key === c.key ? 'sorted' : ''}`}
            title={c.title ?? (c.sort ? `Sort by ${c.label}` : c.label)}
            disabled={!c.sort}
            data-testid={`${testid}-sort-${c.key}`}
            onClick={() => onSort({ key: c.key, dir: sort?.key === c.key ? ((-sort.dir) as 1 | -1) : -1 })}
          >
            {c.label}
            {sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
          </button>
        ))}
      </div>
      <div className="vt-body" ref={bodyRef} style={{ minWidth }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        {sorted.length === 0 ? (
          <div className="vt-empty">{empty}</div>
        ) : (
          <div className="vt-spacer" style={{ height: sorted.length * ROW_HEIGHT }}>
            {visible}
          </div>
        )}
      </div>
    </div>
  );
}
