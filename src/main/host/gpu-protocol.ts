/**
 * Messages between the host (main thread), the GPU thread and the compositor thread. Requests to
 * the GPU thread carry an id; it answers each with a result or an { code, message } error. Events
 * flow GPU -> host. The GPU thread tells the compositor thread (over a MessagePort the host gives
 * both) where the GGTT and guest RAM are and, at each vblank, which planes to scan out; the
 * compositor thread sends the host the frames.
 */
import type { EdidRegionInfo, GpuStats, GpuTimeline, PortInfo, VgpuLog, VgpuTypeInfo } from '../../shared/api';
import type { RpcRequest, RpcResponse } from '../../shared/rpc';
import type { ScanoutSource } from '../mediator/compositor-feed';
import type { MessagePort } from 'node:worker_threads';
import type { SnapshotRegion } from './host-api';
import type { VirtualPort } from '../mediator/vdisplay';
import type { VgpuRequest, VgpuSummary } from '../vm/domains';

export type VgpuCreate = VgpuRequest;

export interface VgpuStatus extends VgpuSummary {
  vgtId: number;
  weight: number;
  /** Distinct untracked MMIO offsets the guest touched. */
  untrackedMmio: number;
  stats: VgpuSummary['stats'] & { commands: number; mmioTraps: number };
}

export interface GpuStatus {
  foreground: number;
  apertureBytes: number;
  totalGmBytes: number;
  fences: number;
  free: { lowGmBytes: number; highGmBytes: number; fences: number; liveVgpus: number };
  vgpus: VgpuStatus[];
}

export interface GpuRequests {
  createVgpu: [VgpuCreate, VgpuStatus];
  destroyVgpu: [{ domid: number }, null];
  setForeground: [{ domid: number }, { foreground: number }];
  status: [Record<string, never>, GpuStatus];
  sysfsRead: [{ path: string }, { value: string }];
  sysfsWrite: [{ path: string; value: string }, null];
  sysfsList: [{ path: string }, { entries: string[] | null }];
  hostConsole: [{ lines: string[] }, null];
  /** Dom0's kernel log (the mediator's printk lines), oldest first. */
  dmesg: [Record<string, never>, { lines: string[] }];
  types: [Record<string, never>, VgpuTypeInfo[]];
  ports: [{ domid: number }, PortInfo[]];
  hotplug: [{ domid: number; port: PortInfo['name']; connected: boolean; edid?: Uint8Array; type?: number }, PortInfo[]];
  edidRegion: [{ domid: number; edid?: Uint8Array; linkState?: 1 | 2 }, EdidRegionInfo];
  physicalPorts: [{ ports: VirtualPort[] }, null];
  /** The dashboard's statistics, scheduler timeline and a vGPU's audit log (mediator/vgpu-stats.ts). */
  stats: [Record<string, never>, GpuStats];
  timeline: [Record<string, never>, GpuTimeline];
  vgpuLog: [{ domid: number; since?: number }, VgpuLog];
}
export type GpuOp = keyof GpuRequests;

/** What the GPU thread is started with. */
export interface GpuThreadData {
  apertureMiB: number;
}

/** A call's request and response are the shared RPC core's envelopes (src/shared/rpc.ts); method is a GpuOp. */
export type ToGpu = { type: 'call'; request: RpcRequest } | { type: 'compositor'; port: MessagePort } | { type: 'shutdown' };

export type FromGpu =
  | { type: 'response'; response: RpcResponse }
  | { type: 'failsafe'; domid: number; reason: string }
  | { type: 'foreground'; domid: number }
  | { type: 'ports'; domid: number; ports: PortInfo[] }
  | { type: 'ready'; doorbell: SharedArrayBuffer };

/** GPU thread -> compositor thread. */
export type GpuToCompositor =
  /** The GGTT's PTE table (shared) and the GM size it maps. */
  | { type: 'init'; ptes: SharedArrayBuffer; totalGmBytes: number }
  /** Every RAM region the GGTT may point into (Dom0 and the VMs), after any change. */
  | { type: 'memory'; regions: { base: number; buffer: SharedArrayBuffer; dirty?: SharedArrayBuffer }[] }
  /** The planes to decode at this vblank. */
  | { type: 'scanout'; plan: ScanoutSource[] }
  /** A vGPU was destroyed: drop its last frame. */
  | { type: 'forget'; source: number };

/**
 * Host -> compositor thread; `snapshot` asks for regions (null: all) of the last frame of a source
 * (domid or PHYSICAL_SOURCE); `watch` names the sources some client watches (null: all), the only
 * ones composed from then on.
 */
export type ToCompositor =
  | { type: 'connect'; port: MessagePort }
  | { type: 'snapshot'; id: number; source: number; regions: SnapshotRegion[] | null }
  | { type: 'watch'; sources: number[] | null }
  | { type: 'shutdown' };

/**
 * Compositor thread -> host: the encoded frame messages of one compose (see encodeFrame), in order,
 * in one message (each transferred: one postMessage per compose, not per damage piece), or the
 * answer to a snapshot request: its region messages or a whole-frame message, none when the source
 * has no frame yet.
 */
export type FromCompositor = { type: 'frames'; messages: Uint8Array[] } | { type: 'snapshot'; id: number; messages: Uint8Array[] };
