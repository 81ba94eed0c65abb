/**
 * Strict command-line parsing for `quotedesk`: each command declares its flags and their kinds; an
 * unknown command or flag, a missing value, a malformed number or a missing required flag is a
 * `UsageError` naming it (the CLI turns it into one line and exit code 2). No positional arguments are
 * accepted besides the command name, so a typo never silently becomes an argument.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'string' | 'number' | 'boolean';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly required?: boolean;
  /** A string flag that may be given more than once; its values are collected in order (`list`). */
  readonly repeatable?: boolean;
  readonly help: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Paragraphs printed after the flags in `--help`. */
  readonly notes?: readonly string[];
}

export type ParsedFlags = Map<string, string | number | boolean | string[]>;

export function parseFlags(command: string, spec: CommandSpec, argv: readonly string[]): ParsedFlags {
  const out: ParsedFlags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" for \`quotedesk ${command}\` (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const flag = spec.flags[name];
    if (!flag) throw new UsageError(`unknown flag --${name} for \`quotedesk ${command}\` (see quotedesk ${command} --help)`);
    if (out.has(name) && !flag.repeatable) throw new UsageError(`flag --${name} given twice`);
    if (flag.kind === 'boolean') {
      if (eq >= 0) {
        const text = arg.slice(eq + 1);
        if (text !== 'true' && text !== 'false') throw new UsageError(`flag --${name} takes no value or true/false, got "${text}"`);
        out.set(name, text === 'true');
      } else {
        out.set(name, true);
      }
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`flag --${name} needs a value`);
    if (flag.kind === 'number') {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`flag --${name} must be a number, got "${value}"`);
      out.set(name, number);
    } else if (flag.repeatable) {
      const values = out.get(name);
      out.set(name, Array.isArray(values) ? [...values, value] : [value]);
    } else {
      out.set(name, value);
    }
  }
  // why: `quotedesk inspect --help` must show the flags, not complain that the required ones are missing.
  if (out.get('help') === true) return out;
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.required && !out.has(name)) throw new UsageError(`missing required flag --${name} for \`quotedesk ${command}\``);
  }
  return out;
}

export function str(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable flag, in the order given (empty when absent). */
export function list(flags: ParsedFlags, name: string): string[] {
  const value = flags.get(name);
  return Array.isArray(value) ? value : [];
}

export function num(flags: ParsedFlags, name: string): number | undefined {
  const value = flags.get(name);
  return typeof value === 'number' ? value : undefined;
}

export function bool(flags: ParsedFlags, name: string): boolean {
  return flags.get(name) === true;
}

export function requireStr(flags: ParsedFlags, name: string): string {
  const value = str(flags, name);
  if (value === undefined) throw new UsageError(`missing required flag --${name}`);
  return value;
}

export function helpText(command: string, spec: CommandSpec): string {
  const lines = [`quotedesk ${command}: ${spec.summary}`, ''];
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = flag.kind === 'boolean' ? '' : flag.kind === 'number' ? ' N' : ' VALUE';
    lines.push(`  --${name}${value}${flag.required ? ' (required)' : ''}${flag.repeatable ? ' …' : ''}`.padEnd(34) + flag.help);
  }
  for (const note of spec.notes ?? []) lines.push('', ...wrap(note, 100));
  return lines.join('\n');
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) out.push(line);
  return out;
}
