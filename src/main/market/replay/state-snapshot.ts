/**
 * Checkpoints of an object graph (a venue adapter with its book, counters and sequencing state) for the
 * replay's fast seek, without the adapters having to implement anything. `captureState` records, for
 * every object reachable through own properties, the object's identity and a copy of its property
 * values (typed arrays copied whole); `restoreState` puts every property back to the recorded identity
 * and value, in place, so objects that others hold (the book the desk reads) stay the same objects.
 * Restoring an untouched shared constant rewrites it with its own values, which is harmless; identities
 * are exactly those at capture time. Functions are kept by reference. Limits: ECMAScript `#private`
 * fields and closures are invisible here (adapters use TypeScript `private` properties), Maps and Sets
 * are restored by content, and whatever the caller wants left alone (the adapter's sink, which points
 * back into the desk) must be detached before capturing. No I/O.
 */

type Node =
  | { readonly kind: 'typed'; readonly ref: ArrayBufferView; readonly copy: ArrayBufferView }
  | { readonly kind: 'array'; readonly ref: unknown[]; readonly items: unknown[] }
  | { readonly kind: 'map'; readonly ref: Map<unknown, unknown>; readonly entries: Array<[unknown, unknown]> }
  | { readonly kind: 'set'; readonly ref: Set<unknown>; readonly values: unknown[] }
  | { readonly kind: 'object'; readonly ref: Record<PropertyKey, unknown>; readonly props: Array<[PropertyKey, unknown]> };

/** A value in a snapshot: a primitive, a function, or a reference to a node. */
type Slot = { readonly node: Node } | { readonly value: unknown };

export interface StateSnapshot {
  readonly root: Node;
  /** Bytes of typed-array data copied (a cost figure for tuning checkpoint intervals). */
  readonly bytes: number;
}

interface TypedLike extends ArrayBufferView {
  slice(): TypedLike;
  set(source: ArrayLike<number> | ArrayLike<bigint>): void;
  readonly length: number;
}

function isTyped(value: object): value is TypedLike {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

export function captureState(root: object): StateSnapshot {
  const seen = new Map<object, Node>();
  let bytes = 0;
  const slot = (value: unknown): Slot => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { value };
    if (typeof value === 'function') return { value };
    return { node: visit(value) };
  };
  const visit = (obj: object): Node => {
    const known = seen.get(obj);
    if (known) return known;
    let node: Node;
    if (isTyped(obj)) {
      node = { kind: 'typed', ref: obj, copy: obj.slice() };
      bytes += obj.byteLength;
      seen.set(obj, node);
      return node;
    }
    if (Array.isArray(obj)) {
      const items: unknown[] = [];
      node = { kind: 'array', ref: obj, items };
      seen.set(obj, node);
      for (let i = 0; i < obj.length; i++) items.push(slot(obj[i]));
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
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      if (!desc || !('value' in desc)) continue; // accessors hold no state of their own
      props.push([key, slot(desc.value)]);
    }
    return node;
  };
  const rootNode = visit(root);
  return { root: rootNode, bytes };
}

export function restoreState(root: object, snapshot: StateSnapshot): void {
  if (snapshot.root.ref !== root) throw new Error('restoreState: the snapshot was taken of another object');
  const done = new Set<Node>();
  const value = (s: unknown): unknown => {
    const sl = s as Slot;
    if ('node' in sl) {
      restore(sl.node);
      return sl.node.ref;
    }
    return sl.value;
  };
  const restore = (node: Node): void => {
    if (done.has(node)) return;
    done.add(node);
    switch (node.kind) {
      case 'typed':
        (node.ref as TypedLike).set(node.copy as TypedLike as unknown as ArrayLike<number>);
        return;
      case 'array':
        node.ref.length = node.items.length;
        for (let i = 0; i < node.items.length; i++) node.ref[i] = value(node.items[i]);
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
        for (const [key, s] of node.props) {
          keep.add(key);
          const v = value(s);
          if (target[key] !== v) target[key] = v;
        }
        // Properties added after the capture go away (an adapter that grew a field mid-way).
        for (const key of Reflect.ownKeys(target)) {
          if (!keep.has(key)) delete target[key];
        }
        return;
      }
    }
  };
  restore(snapshot.root);
}
