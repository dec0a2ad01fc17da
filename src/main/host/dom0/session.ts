/**
 * Dom0 shell sessions: the state one console keeps between console.exec calls (its variables,
 * working directory and last exit status), looked up by the client-chosen session id. Sessions
 * are bounded in number (least recently used forgotten first) and in what they hold; calls on one
 * session run one after another, so two racing inputs cannot interleave their commands.
 */
import { MAX_SESSIONS, MAX_SESSION_BYTES, MAX_VALUE, MAX_VARIABLES } from './limits';
import { ShellLimitError } from './syntax';

/** root's home directory in Dom0: the default working directory and `cd`'s target without operands. */
export const HOME = '/root';

export class ShellSession {
  cwd = HOME;
  /** Exit status of the last pipeline ($?). */
  status = 0;
  private readonly vars = new Map<string, string>([
    ['HOME', HOME],
    ['PWD', HOME],
  ]);
  private bytes = this.size();
  /** The tail of this session's queue of calls. */
  private queue: Promise<unknown> = Promise.resolve();

  /** A variable's value, or undefined when unset. */
  get(name: string): string | undefined {
    return this.vars.get(name);
  }

  /** Variables by name, sorted (for `export` and completion). */
  entries(): [string, string][] {
    return [...this.vars].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Set a variable.
   * @throws ShellLimitError when the value is longer than MAX_VALUE, or the session would hold more
   *   than MAX_VARIABLES variables or MAX_SESSION_BYTES of names and values
   */
  set(name: string, value: string): void {
    if (value.length > MAX_VALUE) throw new ShellLimitError(`${name}: the value is ${value.length} bytes; the limit is ${MAX_VALUE} bytes (1 MiB)`);
    const old = this.vars.get(name);
    if (old === undefined && this.vars.size >= MAX_VARIABLES) throw new ShellLimitError(`${name}: a session holds at most ${MAX_VARIABLES} variables; unset some first`);
    const bytes = this.bytes - (old === undefined ? 0 : name.length + old.length) + name.length + value.length;
    if (bytes > MAX_SESSION_BYTES) throw new ShellLimitError(`${name}: the session's variables would hold ${bytes} bytes; the limit is ${MAX_SESSION_BYTES} bytes`);
    this.vars.set(name, value);
    this.bytes = bytes;
  }

  unset(name: string): void {
    const old = this.vars.get(name);
    if (old === undefined) return;
    this.vars.delete(name);
    this.bytes -= name.length + old.length;
  }

  /** Run `task` after every call queued on this session before it. */
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private size(): number {
    let n = 0;
    for (const [k, v] of this.vars) n += k.length + v.length;
    return n;
  }
}

/** Sessions by id, at most MAX_SESSIONS, least recently used evicted. */
export class SessionStore {
  private readonly sessions = new Map<string, ShellSession>();

  /** The session with this id (created when new); a fresh, unkept session when id is undefined. */
  get(id: string | undefined): ShellSession {
    if (id === undefined) return new ShellSession();
    let s = this.sessions.get(id);
    if (s) this.sessions.delete(id);
    else s = new ShellSession();
    this.sessions.set(id, s);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return s;
  }
}
