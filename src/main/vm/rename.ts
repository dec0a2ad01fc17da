/**
 * A config under another name (Clone, Import as a copy): name= rewritten, and what must be unique
 * per domain replaced — a uuid= (xl.cfg(5): "must be unique", a fresh random one) and every vif's
 * mac= (a fresh address with Xen's 00:16:3e prefix, as libxl picks when none is given). Everything
 * else is kept verbatim, including disk= (GVT Desk's guests have no disks; on a real host two
 * domains writing one image would corrupt it, which the user has to decide, not a rename).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/api';
import { formatXlValue, parseXlConfig, type XlEntry, type XlValue } from './xlcfg';

export interface Renamed {
  text: string;
  /** What was rewritten besides name=, e.g. "uuid", "vif mac 00:16:3e:12:34:56 (was 00:16:3e:aa:bb:cc)". */
  changed: string[];
}

export interface RenameRandom {
  uuid(): string;
  /** Three random bytes for a MAC's NIC-specific half. */
  nic(): Uint8Array;
}

const CRYPTO: RenameRandom = { uuid: () => randomUUID(), nic: () => randomBytes(3) };
const MAC = /\bmac=([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})/g;

/**
 * @throws ApiError('config') when the text sets no name= or builds it with += (which a rename
 *   cannot rewrite safely)
 */
export function renameConfig(text: string, fileName: string, newName: string, random: RenameRandom = CRYPTO): Renamed {
  const { config } = parseXlConfig(text, fileName);
  const entries = config.entries();
  const names = entries.filter((e) => e.key === 'name');
  if (names.length === 0) throw new ApiError('config', `${fileName} has no name = '…' to rewrite`);
  if (names.some((e) => e.op === '+=')) throw new ApiError('config', `${fileName} builds name with +=; write it as one name = '…' first`);
  const edits: { entry: XlEntry; value: XlValue }[] = names.map((entry) => ({ entry, value: { kind: 'string', value: newName } }));
  const changed: string[] = [];
  for (const entry of entries) {
    if (entry.key === 'uuid' && entry.op === '=') {
      edits.push({ entry, value: { kind: 'string', value: random.uuid() } });
      if (!changed.includes('uuid')) changed.push('uuid');
    } else if (entry.key === 'vif') {
      const fresh = freshMacs(entry.value, random, changed);
      if (fresh) edits.push({ entry, value: fresh });
    }
  }
  let out = text;
  for (const { entry, value } of edits.sort((a, b) => b.entry.valueStart - a.entry.valueStart)) {
    out = out.slice(0, entry.valueStart) + formatXlValue(value) + out.slice(entry.end);
  }
  return { text: out, changed };
}

/** The vif value with every mac= replaced, or null when it has none. */
function freshMacs(value: XlValue, random: RenameRandom, changed: string[]): XlValue | null {
  if (value.kind === 'string') {
    if (!new RegExp(MAC.source).test(value.value)) return null;
    return {
      kind: 'string',
      value: value.value.replace(MAC, (_m, old: string) => {
        const mac = `00:16:3e:${[...random.nic()].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
        changed.push(`vif mac ${mac} (was ${old})`);
        return `mac=${mac}`;
      }),
    };
  }
  if (value.kind === 'list') {
    let any = false;
    const items = value.items.map((i) => {
      const f = freshMacs(i, random, changed);
      any ||= f !== null;
      return f ?? i;
    });
    return any ? { kind: 'list', items } : null;
  }
  return null;
}
