/**
 * The parameter editor: every strategy, execution and risk parameter as a field, validated on each
 * keystroke with the SAME `validateParams` the server runs (src/shared/params.ts), the error shown next to
 * the offending field; the diff against the desk's live parameters (`diffParams`); Apply sends only the
 * changed leaves as a patch (`setParams`, validated again and audited by the desk) and shows the desk's
 * refusal next to its field; Revert returns to the live values.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { diffParams, validateParams } from '../../shared/params.js';
import type { RunCommand } from '../app/App.js';
import { useDesk, usePacedState } from '../desk-client/hooks.js';

const ENUMS: Record<string, readonly (string | number)[]> = {
  'strategy.model': ['heuristic', 'avellaneda-stoikov', 'glft'],
  'strategy.adverseSelection.horizonSec': [1, 5, 30, 60],
  'strategy.avellanedaStoikov.horizon': ['infinite', 'session'],
  'strategy.avellanedaStoikov.intensity': ['calibrated', 'fixed'],
  'strategy.glft.intensity': ['calibrated', 'fixed'],
  'execution.fillModel': ['queue', 'touch'],
  'execution.queueModel': ['power', 'log'],
  'risk.adverseBreakerAction': ['widen', 'pause'],
};

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setAt(tree: Tree, path: readonly string[], value: unknown): Tree {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const child = tree[head];
  return { ...tree, [head]: rest.length === 0 ? value : setAt(isTree(child) ? child : {}, rest, value) };
}

/** Builds the minimal patch (changed leaves only) from a diff. */
export function patchFromDiff(diff: ReadonlyArray<{ field: string; after: unknown }>): Tree {
  let patch: Tree = {};
  for (const change of diff) patch = setAt(patch, change.field.split('.'), change.after);
  return patch;
}

function label(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function ParamsEditor({ run, onClose }: { run: RunCommand; onClose: () => void }) {
  const state = usePacedState();
  const { api, canWrite } = useDesk();
  const live = state?.params ?? null;
  const [draft, setDraft] = useState<Tree | null>(() => (live ? (structuredClone(live) as unknown as Tree) : null));
  const [jsonText, setJsonText] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<{ field: string; error: string } | null>(null);

  const validation = useMemo(() => (draft ? validateParams(draft) : null), [draft]);
  const diff = useMemo(() => (draft && live ? diffParams(live, draft) : []), [draft, live]);
  const localIssue = validation && !validation.ok ? validation.issue : null;
  const jsonIssue = Object.entries(jsonText).find(([, text]) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

  if (!live || !draft) {
    return (
      <div className="modal-backdrop" onClick={onClose}>
        <div className="modal">Waiting for the desk…</div>
      </div>
    );
  }

  const errorFor = (path: string): string | null => {
    if (jsonIssue && jsonIssue[0] === path) return 'not valid JSON';
    if (localIssue && (localIssue.field === path || localIssue.field.startsWith(`${path}.`))) return localIssue.message;
    if (serverError && serverError.field === path) return serverError.error;
    return null;
  };

  const update = (path: string, value: unknown): void => {
    setServerError(null);
    setDraft((d) => (d ? setAt(d, path.split('.'), value) : d));
  };

  const apply = async (): Promise<void> => {
    if (diff.length === 0 || localIssue || jsonIssue) return;
    const result = await run(`Parameters (${diff.length} change${diff.length > 1 ? 's' : ''})`, () => api.setParams(patchFromDiff(diff)));
    if (!result.ok) setServerError({ field: result.field ?? '', error: result.error });
  };

  const revert = (): void => {
    setDraft(structuredClone(live) as unknown as Tree);
    setJsonText({});
    setServerError(null);
  };

  const renderField = (path: string, key: string, value: unknown, liveValue: unknown) => {
    const error = errorFor(path);
    const changed = JSON.stringify(value) !== JSON.stringify(liveValue);
    let input;
    const options = ENUMS[path];
    if (options) {
      input = (
        <select value={String(value)} data-testid={`param-${path}`} onChange={(e) => update(path, typeof options[0] === 'number' ? Number(e.target.value) : e.target.value)}>
          {options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
    } else if (typeof value === 'boolean') {
      input = <input type="checkbox" checked={value} data-testid={`param-${path}`} onChange={(e) => update(path, e.target.checked)} />;
    } else if (Array.isArray(value) || (typeof liveValue === 'object' && liveValue !== null)) {
      input = (
        <textarea
          rows={2}
          data-testid={`param-${path}`}
          value={jsonText[path] ?? JSON.stringify(value)}
          onChange={(e) => {
            const text = e.target.value;
            setJsonText((t) => ({ ...t, [path]: text }));
            try {
              update(path, JSON.parse(text) as unknown);
              setJsonText((t) => {
                const { [path]: _drop, ...rest } = t;
                return rest;
              });
            } catch {
              /* kept as text until it parses */
            }
          }}
        />
      );
    } else {
      input = (
        <input
          type="text"
          inputMode="decimal"
          data-testid={`param-${path}`}
          value={typeof value === 'number' ? String(value) : String(value ?? '')}
          onChange={(e) => {
            const text = e.target.value.trim();
            const parsed = text === '' ? Number.NaN : Number(text);
            update(path, Number.isFinite(parsed) ? parsed : text);
          }}
        />
      );
    }
    return (
      <label key={path} className={`param-field ${changed ? 'changed' : ''} ${error ? 'invalid' : ''}`}>
        <span className="param-name" title={path}>
          {label(key)}
        </span>
        {input}
        {error && (
          <span className="field-error" data-testid={`param-error-${path}`}>
            {error}
          </span>
        )}
      </label>
    );
  };

  const renderGroup = (path: string, tree: Tree, liveTree: Tree, depth: number): ReactNode => {
    const leaves: ReactNode[] = [];
    const groups: ReactNode[] = [];
    for (const [key, value] of Object.entries(tree)) {
      const childPath = path ? `${path}.${key}` : key;
      const liveValue = liveTree[key];
      if (isTree(value) && isTree(liveValue)) groups.push(renderGroup(childPath, value, liveValue, depth + 1));
      else leaves.push(renderField(childPath, key, value, liveValue));
    }
    return (
      <fieldset key={path} className={`param-group depth-${depth}`}>
        <legend>{label(path.split('.').pop() ?? path)}</legend>
        {leaves}
        {groups}
      </fieldset>
    );
  };

  const liveTree = live as unknown as Tree;
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal params-editor" role="dialog" aria-label="Parameters" data-testid="params-editor" onClick={(e) => e.stopPropagation()}>
        <div className="params-head">
          <h2>Parameters</h2>
          <span className="muted">validated as a whole before anything changes; every change is audited</span>
        </div>
        <div className="params-columns">
          {(['strategy', 'execution', 'risk'] as const).map((section) => (
            <div className="params-column" key={section}>
              {renderGroup(section, draft[section] as Tree, liveTree[section] as Tree, 0)}
            </div>
          ))}
        </div>
        <div className="params-foot">
          <div className="params-diff" data-testid="params-diff" data-count={diff.length}>
            {diff.length === 0 ? (
              <span className="muted">No changes.</span>
            ) : (
              diff.map((d) => (
                <div key={d.field} className="diff-row">
                  <code>{d.field}</code> <span className="neg">{show(d.before)}</span> → <span className="pos">{show(d.after)}</span>
                </div>
              ))
            )}
            {localIssue && !localIssue.field && <div className="field-error">{localIssue.message}</div>}
            {serverError && !serverError.field && <div className="field-error">{serverError.error}</div>}
          </div>
          <div className="modal-actions">
            <button className="btn" data-testid="params-revert" onClick={revert} disabled={diff.length === 0 && Object.keys(jsonText).length === 0}>
              Revert
            </button>
            <button className="btn" onClick={onClose}>
              Close
            </button>
            <button className="btn btn-primary" data-testid="params-apply" disabled={!canWrite || diff.length === 0 || localIssue !== null || jsonIssue !== undefined} onClick={() => void apply()}>
              Apply {diff.length > 0 ? `${diff.length} change${diff.length > 1 ? 's' : ''}` : ''}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}

