/**
 * The `?` overlay: every keyboard shortcut, read from the same tables the key handlers use (the desk's,
 * and the overview's when several desks run), and how paper fills are decided (one paragraph per fill
 * model, `help-text.ts`).
 */
import { FILL_MODEL_HELP } from './help-text.js';
import { OVERVIEW_SHORTCUTS, SHORTCUTS } from './shortcuts.js';

export function HelpOverlay({ onClose, overview = false }: { onClose: () => void; overview?: boolean }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal help" data-testid="help-overlay" role="dialog" aria-label="Keyboard shortcuts and paper fills" onClick={(e) => e.stopPropagation()}>
        {overview && (
          <>
            <h2>The overview</h2>
            <KeysTable rows={OVERVIEW_SHORTCUTS} testId="help-overview-keys" />
          </>
        )}
        <h2>{overview ? 'In a desk' : 'Keyboard shortcuts'}</h2>
        <KeysTable rows={SHORTCUTS} testId="help-desk-keys" />
        <p className="muted">Shortcuts are ignored while typing in a field, except the kill chords (Ctrl/⌘+Shift+K, Ctrl/⌘+Alt+Shift+K) and Esc.</p>
        <h2>Paper fills</h2>
        <div data-testid="help-fill-models">
          {FILL_MODEL_HELP.map((p) => (
            <p key={p.title} className="help-paragraph">
              <b>{p.title}.</b> {p.text}
            </p>
          ))}
        </div>
        <div className="modal-actions">
          <button onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function KeysTable({ rows, testId }: { rows: ReadonlyArray<{ readonly action: string; readonly keys: string; readonly description: string }>; testId: string }) {
  return (
    <table data-testid={testId}>
      <tbody>
        {rows.map((s) => (
          <tr key={s.action}>
            <td className="keys">
              <kbd>{s.keys}</kbd>
            </td>
            <td>{s.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
