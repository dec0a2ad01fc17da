/**
 * Display heads beyond the first (src/shared/heads.ts): a running VM's pipes B and C and the
 * physical monitors other than the first, each shown in a compositor window of its own.
 *
 * A head is lit while its last frame had a size (a frame of 0x0 is "no signal": the host sends one
 * when the pipe turns off, e.g. its monitor was unplugged); before its first frame, a VM head counts
 * as lit when ports.list shows a connected monitor on that pipe. The state is kept here, not in the
 * frames store, because a window that closes drops its source's buffer there (frames.forget).
 *
 * Window keys: `vm:NAME:B` / `vm:NAME:C` (the first head keeps `vm:NAME`), `physical:D` (the first
 * physical monitor keeps `physical`).
 */
import { defineStore } from 'pinia';
import { computed, reactive, watch } from 'vue';
import { PHYSICAL_SOURCE, type FrameMessage, type CodedFrameMessage, type PortInfo } from '../../shared/api';
import { headOf, physicalHeadSource, vmHeadSource } from '../../shared/heads';
import { PORT_NAMES } from '../../shared/ports';
import type { PipeName } from '../../shared/regs';
import { useDomainsStore } from './domains';
import { usePortsStore } from './ports';
import { vmWindowKey } from './ui';

/** One head window: what it shows and how it is named. */
export interface HeadWindow {
  key: string;
  source: number;
  /** The domain's name, or null for a physical head. */
  vm: string | null;
  /** The DOM/testid suffix: `5-B`, `physical-D`. */
  suffix: string;
}

/** The window key of VM `name`'s pipe `pipe` (A keeps the plain VM key). */
export const vmHeadKey = (name: string, pipe: PipeName): string => (pipe === 'A' ? vmWindowKey(name) : `${vmWindowKey(name)}:${pipe}`);

/** "HDMI-B" for a port of type HDMI_B: the connector name the way DRM spells them (HDMI-A-1, DP-2). */
export const connectorName = (port: Pick<PortInfo, 'typeName'>): string => port.typeName.replace(/_/g, '-');

const EXTRA_PIPES: PipeName[] = ['B', 'C'];
/** Physical ports that can carry a head other than the first (the first monitor is PHYSICAL_SOURCE). */
const PHYSICAL_HEAD_PORTS = PORT_NAMES.map((p) => ({ port: p, source: physicalHeadSource(p) }));

export const useHeadsStore = defineStore('heads', () => {
  const domains = useDomainsStore();
  const ports = usePortsStore();
  /** source → the size of its last frame (0x0: no signal), for the heads other than the first. */
  const sizes = reactive(new Map<number, { width: number; height: number }>());

  /** Record a frame's size (every frame goes through here: cheap when nothing changed). */
  function note(frame: FrameMessage | CodedFrameMessage): void {
    const { source, width, height } = frame;
    // First heads (a domid, or the first physical monitor) have their own windows already.
    if (source <= 0xffff || source === PHYSICAL_SOURCE) return;
    const cur = sizes.get(source);
    if (cur && cur.width === width && cur.height === height) return;
    sizes.set(source, { width, height });
  }

  /** The port of VM `domid` that pipe `pipe` drives, if ports.list said. */
  const portOf = (domid: number, pipe: PipeName): PortInfo | undefined => ports.byDomid[domid]?.find((p) => p.connected && p.pipe === pipe);

  function lit(source: number, domid?: number, pipe?: PipeName): boolean {
    const s = sizes.get(source);
    if (s) return s.width > 0 && s.height > 0;
    return domid !== undefined && pipe !== undefined && portOf(domid, pipe) !== undefined;
  }

  /** The head windows to show now: physical heads in port order, then each running guest's pipes B, C. */
  const windows = computed<HeadWindow[]>(() => {
    const out: HeadWindow[] = [];
    for (const { port, source } of PHYSICAL_HEAD_PORTS)
      if (lit(source)) out.push({ key: `physical:${port.slice(5)}`, source, vm: null, suffix: `physical-${port.slice(5)}` });
    for (const d of domains.guests)
      for (const pipe of EXTRA_PIPES) {
        const source = vmHeadSource(d.domid, EXTRA_PIPES.indexOf(pipe) + 1);
        if (lit(source, d.domid, pipe)) out.push({ key: vmHeadKey(d.name, pipe), source, vm: d.name, suffix: `${d.domid}-${pipe}` });
      }
    return out;
  });

  /** Does VM `domid` show more than one head? */
  const multiHead = (domid: number): boolean => windows.value.some((w) => w.vm !== null && (w.source & 0xffff) === domid);

  /** The connector a head drives: "HDMI-B" (from ports.list), "pipe B" before the ports are known, "port D" for a physical head. */
  function connector(source: number): string {
    const h = headOf(source);
    if (h?.kind === 'physical') return `port ${h.port ? h.port.slice(5) : 'A'}`;
    if (!h) return '';
    const p = portOf(h.domid, h.pipe);
    return p ? connectorName(p) : `pipe ${h.pipe}`;
  }

  /** "HDMI-B 1920x1080": the connector and the mode (`mode`, else the last frame's size; "no signal" while off). */
  function describe(source: number, mode?: { width: number; height: number }): string {
    const m = mode ?? sizes.get(source);
    return `${connector(source)} ${m && m.width && m.height ? `${m.width}x${m.height}` : 'no signal'}`;
  }

  // A destroyed domain's heads go with it (a restarted one has a new domid).
  watch(
    () => domains.guests.map((d) => d.domid),
    (live) => {
      for (const source of sizes.keys()) {
        const h = headOf(source);
        if (h?.kind === 'vm' && !live.includes(h.domid)) sizes.delete(source);
      }
    },
  );

  return { sizes, note, windows, multiHead, connector, describe };
});
