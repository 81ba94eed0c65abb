/**
 * What a database read for a transport produces, as lines of text generated row by row from a read-only
 * store: a CSV export (fills, orders, audit), a JSON array of fills (newest first, each on its own
 * session's instrument grid, as the stream shows them), or the JSON list of sessions. Run in a read
 * worker (`read-worker.ts`), which sends the lines on in chunks; the generators hold a read transaction
 * until they finish or are returned.
 */
import type { FillView } from '../../shared/contract.js';
import { gridCache } from '../../shared/units.js';
import { fillView, sessionSummaryView } from '../desk/views.js';
import { csvLines, type CsvKind, type SqliteStore } from '../storage/index.js';

export type ReadRequest =
  | { readonly kind: 'csv'; readonly csv: CsvKind; readonly sessionId: number }
  | { readonly kind: 'fills'; readonly sessionId: number; readonly limit: number }
  | { readonly kind: 'sessions'; readonly limit: number };

/** A read that cannot be served, with the HTTP status that says why. */
export class ReadRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function* fillViews(store: SqliteStore, query: { sessionId?: number; limit: number }): Generator<FillView> {
  const gridOf = gridCache();
  for (const fill of store.iterateNewestFills(query)) yield fillView(fill, gridOf(fill.tickSize), gridOf(fill.lotSize));
}

function* jsonArray<T>(items: Iterable<T>): Generator<string> {
  let first = true;
  yield '[';
  for (const item of items) {
    yield (first ? '' : ',') + JSON.stringify(item);
    first = false;
  }
  yield ']';
}

/** The request's lines; refuses (ReadRefusal) a session the database does not hold. */
export function readLines(store: SqliteStore, request: ReadRequest): Iterator<string> {
  switch (request.kind) {
    case 'csv':
      if (store.session(request.sessionId) === null) throw new ReadRefusal(404, `no session ${request.sessionId} in this database`);
      return csvLines(request.csv, store, { sessionId: request.sessionId });
    case 'fills':
      return jsonArray(fillViews(store, { sessionId: request.sessionId, limit: request.limit }));
    case 'sessions':
      return jsonArray(store.sessions(request.limit).map(sessionSummaryView));
  }
}
