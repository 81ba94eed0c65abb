/**
 * The desk's commands as every transport sends them: each payload is validated here, with the schemas of
 * `src/shared/contract.ts`, before it reaches the desk. This runs in the engine thread beside the desk;
 * the HTTP server and the Electron IPC handlers only forward the raw payload they received and the name
 * of who sent it, so both accept and refuse exactly the same inputs and neither validates on its own.
 */
import {
  CANCEL_ORDER_SCHEMA,
  FLATTEN_SCHEMA,
  OPERATOR_SCHEMA,
  REARM_SCHEMA,
  REPLAY_COMMAND_SCHEMA,
  describeSchemaError,
  type CommandResult,
} from '../../shared/contract.js';
import type { Desk } from '../desk/desk.js';

export const COMMAND_NAMES = ['kill', 'rearm', 'pause', 'resume', 'reduce', 'flatten', 'cancelFlatten', 'cancelOrder', 'setParams', 'replay', 'acceptPosition'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** A body that may be absent: `undefined`/`null`/`{}` all mean "no options". */
function optionalObject(payload: unknown): unknown {
  return payload === undefined || payload === null ? {} : payload;
}

export function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value);
}

/**
 * Validates `payload` for the command and runs it on the desk as `who`. The command takes effect at once
 * (a kill's cancels have left before this returns); the promise settles once the operator's action is on
 * disk (its audit row, the state change) and published on the stream, which is when the caller hears it
 * was done. The engine keeps processing the feed while that commit runs.
 */
export async function executeCommand(desk: Desk, name: CommandName, payload: unknown, actor: string): Promise<CommandResult> {
  const result = await runCommand(desk, name, payload, actor);
  if (result.ok) {
    await desk.persisted();
    // The stream (and every view built from it: the fleet overview) hears of the change before the caller
    // hears it was done, whatever pace the desk publishes at while nobody watches.
    desk.publishNow();
  }
  return result;
}

function runCommand(desk: Desk, name: CommandName, payload: unknown, actor: string): CommandResult | Promise<CommandResult> {
  switch (name) {
    case 'kill':
    case 'pause':
    case 'resume':
    case 'reduce':
    case 'cancelFlatten':
    case 'acceptPosition': {
      const parsed = OPERATOR_SCHEMA.safeParse(optionalObject(payload));
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      const who = operatorName(actor, parsed.data.who);
      if (name === 'kill') return desk.kill(who, parsed.data.why ?? 'kill switch');
      if (name === 'pause') return desk.pause(who);
      if (name === 'resume') return desk.resume(who);
      if (name === 'reduce') return desk.reduceOnly(who);
      if (name === 'acceptPosition') return desk.acceptPosition(who);
      return desk.cancelFlatten(who);
    }
    case 'rearm': {
      // Re-arming is explicit: an empty body or {"confirm": true}; anything else is refused.
      const body = optionalObject(payload);
      const candidate = typeof body === 'object' && body !== null && Object.keys(body).length === 0 ? { confirm: true } : body;
      const parsed = REARM_SCHEMA.safeParse(candidate);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return desk.rearm(operatorName(actor));
    }
    case 'flatten': {
      const parsed = FLATTEN_SCHEMA.safeParse(payload);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return desk.flatten(parsed.data, operatorName(actor));
    }
    case 'cancelOrder': {
      const parsed = CANCEL_ORDER_SCHEMA.safeParse(payload);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return desk.cancelOrder(parsed.data.clientOrderId, operatorName(actor, parsed.data.who));
    }
    case 'setParams':
      return desk.setParams(payload, operatorName(actor));
    case 'replay': {
      const parsed = REPLAY_COMMAND_SCHEMA.safeParse(payload);
      if (!parsed.success) return { ok: false, ...describeSchemaError(parsed.error) };
      return desk.replayCommand(parsed.data, operatorName(actor));
    }
  }
}

/**
 * Who acted, for the audit trail: the actor the transport names (`operator:http`, `operator:electron`,
 * `risk:firm`), with the sender's own `who` after it when it gave one.
 */
function operatorName(actor: string, who?: string): string {
  return who ? `${actor}:${who}` : actor;
}
