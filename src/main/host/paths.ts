/**
 * Where an instance keeps its data and its CLI socket. Several instances can run side by side by
 * giving each its own data directory (or socket path).
 * Precedence: explicit option > environment (GVT_DESK_DATA_DIR, GVT_DESK_SOCKET) > default.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR_ENV = 'GVT_DESK_DATA_DIR';
export const SOCKET_ENV = 'GVT_DESK_SOCKET';
export const SOCKET_FILE_NAME = 'gvt-desk.sock';

export interface PathOptions {
  /** --data-dir, if given. */
  dataDir?: string;
  /** --socket, if given. */
  socket?: string;
}

export interface ResolvedPaths {
  /** Absolute data directory (library, settings). */
  dataDir: string;
  /** Absolute Unix socket path for the CLI. */
  socketPath: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/gvt-desk` when XDG_CONFIG_HOME is an absolute path, else `~/.config/gvt-desk`. */
export function defaultDataDir(env: Env = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(base, 'gvt-desk');
}

/**
 * Resolve the data directory and socket path. Relative paths are taken against `cwd`; empty
 * strings count as unset. The socket defaults to `<data-dir>/gvt-desk.sock`.
 */
export function resolvePaths(options: PathOptions = {}, env: Env = process.env, cwd: string = process.cwd(), home: string = homedir()): ResolvedPaths {
  const dataDir = resolve(cwd, nonEmpty(options.dataDir) ?? nonEmpty(env[DATA_DIR_ENV]) ?? defaultDataDir(env, home));
  const socket = nonEmpty(options.socket) ?? nonEmpty(env[SOCKET_ENV]);
  return { dataDir, socketPath: socket ? resolve(cwd, socket) : join(dataDir, SOCKET_FILE_NAME) };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
