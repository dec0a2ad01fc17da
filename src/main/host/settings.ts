/**
 * Host settings, persisted atomically as JSON in the data directory. A missing or corrupt file
 * falls back to the defaults (and is reported once), never blocking start-up.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { FILE_LIMITS, FileAccessError, readRegularFileSync, writeFileAtomicallySync } from '../files/checked-io';
import { ApertureMiB, type Settings } from '../../shared/api';

const SettingsSchema = z.object({ hvmBootForeground: z.boolean(), apertureMiB: ApertureMiB });
/** Defaults follow the seeds' grub line (i915.hvm_boot_foreground=1). */
export const DEFAULT_SETTINGS: Settings = { hvmBootForeground: true, apertureMiB: 512 };

export class SettingsStore {
  private current: Settings;
  private readonly file: string;
  /** Why the stored file was ignored, if it was. */
  readonly loadProblem: string | null = null;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'settings.json');
    let loaded: Settings = { ...DEFAULT_SETTINGS };
    try {
      const parsed = SettingsSchema.partial().safeParse(JSON.parse(readRegularFileSync(this.file, FILE_LIMITS.json, 'settings').toString('utf8')));
      if (parsed.success) loaded = { ...loaded, ...parsed.data };
      else this.loadProblem = `${this.file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    } catch (e) {
      if (e instanceof FileAccessError) {
        if (e.reason !== 'not_found') this.loadProblem = e.message;
      } else this.loadProblem = `${this.file}: not valid JSON`;
    }
    this.current = loaded;
  }

  get(): Settings {
    return { ...this.current };
  }

  /** Merge `patch` and write the file atomically. */
  set(patch: Partial<Settings>): Settings {
    this.current = { ...this.current, ...patch };
    writeFileAtomicallySync(this.file, JSON.stringify(this.current, null, 2) + '\n', 'settings');
    return this.get();
  }
}
