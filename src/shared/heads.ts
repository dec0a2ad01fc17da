/**
 * Display heads as frame sources. A frame message names its source with a u32; the two sources
 * that existed before multi-head keep their ids and meaning exactly:
 *
 * - a domid (0..0xffff) is that VM's pipe A, its first head;
 * - PHYSICAL_SOURCE (0xffffffff, API name `physical`) is the physical GPU's pipe A, i.e. its first
 *   connected monitor.
 *
 * The other heads get ids of their own: a VM's pipe B or C is `pipe << 16 | domid` (API name
 * `<domid>:B`, `<domid>:C`); a physical monitor other than the first is `0xffffff00 | port index`
 * (PORT_A = 0 .. PORT_E = 4; API name `physical:D`). Browser-safe.
 */
import { PHYSICAL_SOURCE } from './api';
import { PORT_NAMES, type PortName } from './ports';
import { PIPE_COUNT, PIPE_NAMES, type PipeName } from './regs';

/** Physical heads other than the first: PHYSICAL_HEAD_BASE | port index. */
export const PHYSICAL_HEAD_BASE = 0xffffff00;

/** The source id of VM `domid`'s pipe `pipe` (0 = A: the domid itself). */
export const vmHeadSource = (domid: number, pipe: number): number => ((pipe << 16) | domid) >>> 0;

/** The source id of the physical monitor on `port` when it is not the first head. */
export const physicalHeadSource = (port: PortName): number => (PHYSICAL_HEAD_BASE | PORT_NAMES.indexOf(port)) >>> 0;

/** Does `source` show a physical monitor (the first head or another)? */
export const isPhysicalSource = (source: number): boolean => headOf(source)?.kind === 'physical';

export type HeadOf = { kind: 'vm'; domid: number; pipe: PipeName } | { kind: 'physical'; port: PortName | null };

/** What a source id shows; null for an id no head can have. `port` null: the first physical head. */
export function headOf(source: number): HeadOf | null {
  if (source === PHYSICAL_SOURCE) return { kind: 'physical', port: null };
  const rel = (source >>> 0) - PHYSICAL_HEAD_BASE;
  if (rel >= 0 && rel < PORT_NAMES.length) return { kind: 'physical', port: PORT_NAMES[rel] };
  const pipe = PIPE_NAMES[source >>> 16];
  return pipe ? { kind: 'vm', domid: source & 0xffff, pipe } : null;
}

/** The API name of a source: a number for a VM's pipe A (its domid), else `physical`, `physical:D`, `5:B`. */
export function sourceName(source: number): number | string {
  const h = headOf(source);
  if (!h) return source;
  if (h.kind === 'physical') return h.port ? `physical:${h.port.slice(5)}` : 'physical';
  return h.pipe === 'A' ? h.domid : `${h.domid}:${h.pipe}`;
}

/**
 * A source id from its API name (`physical`, `physical:B`..`physical:E`, a domid, `<domid>:A|B|C`).
 * Throws RangeError naming the accepted forms for anything else.
 */
export function parseSourceName(name: number | string): number {
  if (typeof name === 'number') return name;
  if (name === 'physical') return PHYSICAL_SOURCE;
  const phys = /^physical:([A-E])$/.exec(name);
  if (phys) return physicalHeadSource(`PORT_${phys[1]}` as PortName);
  const vm = /^(\d{1,5}):([ABC])$/.exec(name);
  if (vm && Number(vm[1]) <= 0xffff) return vmHeadSource(Number(vm[1]), PIPE_NAMES.indexOf(vm[2] as PipeName));
  throw new RangeError(`source '${name}': expected physical, physical:B..physical:E, a domid, or <domid>:A|B|C`);
}

/**
 * Which physical port each physical pipe drives (index 0..PIPE_COUNT-1 = pipes A..C; null: no
 * monitor), given the physical ports that have a monitor: connected monitors in port order take
 * the pipes, as the host's i915 assigns its CRTCs. Extra monitors beyond the third get no pipe.
 */
export function physicalPipeOrder(connected: readonly PortName[]): (PortName | null)[] {
  const order = PORT_NAMES.filter((p) => connected.includes(p));
  return PIPE_NAMES.map((_, pipe) => order[pipe] ?? null);
}

/**
 * The frame source showing the physical monitor on `port`, given the physical ports that have a
 * monitor: connected monitors in port order take physical pipes A, B, C as the host's i915 assigns
 * its CRTCs (physicalPipeOrder), so the first is PHYSICAL_SOURCE (`physical`) and the
 * next two are physicalHeadSource(port). Throws RangeError for a port with no monitor (naming the
 * ports that have one) and for a monitor beyond the third, which no pipe drives.
 */
export function physicalSourceOfPort(port: PortName, connected: readonly PortName[]): number {
  const order = PORT_NAMES.filter((p) => connected.includes(p));
  if (!order.includes(port)) throw new RangeError(`no monitor on physical ${port} (${order.length ? `monitors on ${order.join(', ')}` : 'no physical monitor is connected'})`);
  const pipe = physicalPipeOrder(connected).indexOf(port);
  if (pipe < 0) throw new RangeError(`physical ${port} has a monitor but no pipe drives it: a Skylake GPU has ${PIPE_COUNT} pipes and ${order.slice(0, PIPE_COUNT).join(', ')} take them`);
  return pipe === 0 ? PHYSICAL_SOURCE : physicalHeadSource(port);
}
