/**
 * Checkpoints of an object graph (a venue adapter with its book, counters and sequencing state; a desk
 * with its orders, risk, strategy, analytics and paper venue) for the replay's fast and exact seek,
 * without the objects having to implement anything. `captureState` records, for every object reachable
 * through own properties, the object's identity and a copy of its property values (typed arrays copied
 * up to their trailing run of one repeated value, which is stored once: a large preallocated buffer that
 * is mostly empty costs what it holds); `restoreState` puts every property back to the recorded identity
 * and value, in place, so objects that others hold (the book the desk reads) stay the same objects.
 * Restoring an untouched shared constant rewrites it with its own values, which is harmless; identities
 * are exactly those at capture time. Functions are kept by reference, and so are frozen objects (they
 * cannot have changed) and whatever the caller names in `keep` (objects owned by someone else: a feed,
 * a store). `skipKeys` names properties of the root that are neither recorded nor restored (lifecycle and
 * I/O state). Limits: ECMAScript `#private` fields and closures are invisible here (the code uses
 * TypeScript `private` properties), Maps and Sets are restored by content, and a Promise, WeakMap or
 * buffer reachable without being kept is refused. No I/O.
 */

type Node =
  | { readonly kind: 'typed'; readonly ref: ArrayBufferView; readonly copy: ArrayBufferView; readonly length: number; readonly tail: unknown }
  | { readonly kind: 'array'; readonly ref: unknown[]; readonly items: unknown[]; readonly length: number; readonly tail: unknown }
  | { readonly kind: 'map'; readonly ref: Map<unknown, unknown>; readonly entries: Array<[unknown, unknown]> }
  | { readonly kind: 'set'; readonly ref: Set<unknown>; readonly values: unknown[] }
  | { readonly kind: 'object'; readonly ref: Record<PropertyKey, unknown>; readonly props: Array<[PropertyKey, unknown]> };

/** A recorded value that is an object whose content was recorded (anything else is stored as is). */
class Ref {
  constructor(readonly node: Node) {}
}

export interface StateSnapshot {
  readonly root: Node;
  /** Bytes of typed-array data copied (a cost figure for tuning checkpoint intervals). */
  readonly bytes: number;
  /** Root properties left alone by capture and restore. */
  readonly skipKeys: ReadonlySet<PropertyKey>;
}

export interface CaptureOptions {
  /** Objects recorded by identity only: restored as the same object, their content left alone. */
  readonly keep?: Iterable<object>;
  /** Properties of the root that are neither recorded nor restored. */
  readonly skipKeys?: Iterable<PropertyKey>;
}

interface TypedLike extends ArrayBufferView {
  slice(start?: number, end?: number): TypedLike;
  set(source: ArrayLike<number> | ArrayLike<bigint>, offset?: number): void;
  fill(value: unknown, start?: number, end?: number): void;
  readonly length: number;
  readonly [index: number]: number | bigint;
}

function isTyped(value: object): value is TypedLike {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** Same value, NaN equal to NaN (a buffer preallocated with NaN is one run). */
function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

export function captureState(root: object, options: CaptureOptions = {}): StateSnapshot {
  const seen = new Map<object, Node>();
  const keep = new Set<object>(options.keep ?? []);
  const skipKeys = new Set<PropertyKey>(options.skipKeys ?? []);
  let bytes = 0;
  const slot = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (keep.has(value) || (Object.isFrozen(value) && !isTyped(value))) return value;
    return new Ref(visit(value));
  };
  const visit = (obj: object): Node => {
    const known = seen.get(obj);
    if (known) return known;
    let node: Node;
    if (isTyped(obj)) {
      // Only what precedes the trailing run of one value is copied; the run is stored as its value.
      let end = obj.length;
      const tail = end > 0 ? obj[end - 1] : 0;
      while (end > 0 && same(obj[end - 1], tail)) end--;
      node = { kind: 'typed', ref: obj, copy: obj.slice(0, end), length: obj.length, tail };
      bytes += end * (obj.byteLength / Math.max(1, obj.length));
      seen.set(obj, node);
      return node;
    }
    if (Array.isArray(obj)) {
      // A trailing run of one primitive (a preallocated ring of ids) is stored once, like a typed array's.
      let end = obj.length;
      const last: unknown = end > 0 ? obj[end - 1] : undefined;
      const primitiveTail = last === null || (typeof last !== 'object' && typeof last !== 'function');
      if (primitiveTail) while (end > 0 && same(obj[end - 1], last)) end--;
      const items: unknown[] = new Array<unknown>(end);
      node = { kind: 'array', ref: obj, items, length: obj.length, tail: last };
      seen.set(obj, node);
      for (let i = 0; i < end; i++) items[i] = slot(obj[i]);
      return node;
    }
    if (obj instanceof Map) {
      const entries: Array<[unknown, unknown]> = [];
      node = { kind: 'map', ref: obj as Map<unknown, unknown>, entries };
      seen.set(obj, node);
      for (const [k, v] of obj as Map<unknown, unknown>) entries.push([k, slot(v)]);
      return node;
    }
    if (obj instanceof Set) {
      const values: unknown[] = [];
      node = { kind: 'set', ref: obj as Set<unknown>, values };
      seen.set(obj, node);
      for (const v of obj as Set<unknown>) values.push(v);
      return node;
    }
    if (obj instanceof ArrayBuffer || obj instanceof DataView || obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet) {
      throw new TypeError(`captureState: cannot checkpoint a ${obj.constructor.name}`);
    }
    const props: Array<[PropertyKey, unknown]> = [];
    const record = obj as Record<PropertyKey, unknown>;
    node = { kind: 'object', ref: record, props };
    seen.set(obj, node);
    for (const key of Reflect.ownKeys(obj)) {
      if (obj === root && skipKeys.has(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      if (!desc || !('value' in desc)) continue; // accessors hold no state of their own
      props.push([key, slot(desc.value)]);
    }
    return node;
  };
  const rootNode = visit(root);
  return { root: rootNode, bytes, skipKeys };
}

export function restoreState(root: object, snapshot: StateSnapshot): void {
  if (snapshot.root.ref !== root) throw new Error('restoreState: the snapshot was taken of another object');
  const done = new Set<Node>();
  const value = (recorded: unknown): unknown => {
    if (recorded instanceof Ref) {
      restore(recorded.node);
      return recorded.node.ref;
    }
    return recorded;
  };
  const restore = (node: Node): void => {
    if (done.has(node)) return;
    done.add(node);
    switch (node.kind) {
      case 'typed': {
        const target = node.ref as TypedLike;
        target.set(node.copy as TypedLike as unknown as ArrayLike<number>);
        if (node.copy.byteLength < target.byteLength) target.fill(node.tail, (node.copy as TypedLike).length, node.length);
        return;
      }
      case 'array':
        node.ref.length = node.length;
        for (let i = 0; i < node.items.length; i++) node.ref[i] = value(node.items[i]);
        for (let i = node.items.length; i < node.length; i++) node.ref[i] = node.tail;
        return;
      case 'map':
        node.ref.clear();
        for (const [k, v] of node.entries) node.ref.set(k, value(v));
        return;
      case 'set':
        node.ref.clear();
        for (const v of node.values) node.ref.add(v);
        return;
      case 'object': {
        const target = node.ref;
        const keep = new Set<PropertyKey>();
        for (const [key, recorded] of node.props) {
          keep.add(key);
          const v = value(recorded);
          if (target[key] !== v) target[key] = v;
        }
        // Properties added after the capture go away (an adapter that grew a field mid-way); the root's
        // skipped properties were never recorded and stay as they are.
        for (const key of Reflect.ownKeys(target)) {
          if (!keep.has(key) && !(target === root && snapshot.skipKeys.has(key))) delete target[key];
        }
        return;
      }
    }
  };
  restore(snapshot.root);
}
