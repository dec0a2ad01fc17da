/**
 * What the Dom0 shell needs from the host. Everything that changes state goes through `call`, the
 * same validated host API the UI and the CLI use; the rest are read-only views the API has no
 * method for (sysfs directory listings, the data dir, Dom0's kernel log, the machine).
 */
import type { MethodName, Params, Results } from '../../../shared/api';

/** The host API, validated as for every transport. Throws ApiError. */
export type Call = <M extends MethodName>(method: M, params: Params<M>) => Promise<Results[M]>;

/**
 * Reads a config file the user typed as an absolute path on the machine running GVT Desk
 * (`xl create /path/x.hvm`, as `gvt-desk xl create FILE` sends it): canonicalised, regular files
 * only, at most FILE_LIMITS.config bytes. Throws FileAccessError.
 */
export type ConfigReader = (path: string) => Promise<Uint8Array>;

/** An entry of a directory listing. */
export interface DirEntry {
  name: string;
  dir: boolean;
}

/**
 * The data dir as mounted in the Dom0 view, read-only; `rel` is a path relative to it ('' for the
 * data dir itself, '/'-separated, already normalised: no '.' or '..').
 */
export interface DataDirMount {
  /** Entries, sorted; null when `rel` is not a directory. Throws FsError (ENOENT, EIO). */
  list(rel: string): Promise<DirEntry[] | null>;
  /** A file's text (at most FILE_LIMITS.config bytes, regular files only). Throws FsError. */
  read(rel: string): Promise<string>;
}

/** The machine `xl info` describes (the one running GVT Desk). */
export interface MachineInfo {
  hostname: string;
  cpus: number;
  cpuMhz: number;
  totalMemoryMiB: number;
}

export interface Dom0Host {
  call: Call;
  /** Entries of a sysfs directory node (/sys/kernel/vgt/…, the mdev types), null when not a directory. */
  sysfsList(path: string): Promise<string[] | null>;
  readConfig: ConfigReader;
  dataDir: DataDirMount;
  /** Dom0's kernel log (the mediator's printk lines), oldest first, with printk timestamps. */
  dmesg(): Promise<string[]>;
  machine: MachineInfo;
}
