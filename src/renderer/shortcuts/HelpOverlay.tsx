/**
 * The `?` overlay: every keyboard shortcut, read from the same table the key handler uses, and how paper
 * fills are decided (one paragraph per fill model, `help-text.ts`).
 */
import { FILL_MODEL_HELP } from './help-text.js';
import { SHORTCUTS } from './shortcuts.js';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal help" data-testid="help-overlay" role="dialog" aria-label="Keyboard shortcuts and paper fills" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td className="keys">
                  <kbd>{s.keys}</kbd>
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Shortcuts are ignored while typing in a field, except Ctrl/⌘+Shift+K (kill) and Esc.</p>
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
