/**
 * Messages between the host (main thread) and the GPU thread. Requests carry an id; the GPU
 * thread answers each with a result or an { code, message } error. Events flow GPU -> host.
 */
import type { ApiErrorShape, EdidRegionInfo, PortInfo, VgpuTypeInfo } from '../../shared/api';
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
  snapshot: [{ source: number | 'physical' }, { width: number; height: number; rgba: Uint8Array } | null];
  hostConsole: [{ lines: string[] }, null];
  types: [Record<string, never>, VgpuTypeInfo[]];
  ports: [{ domid: number }, PortInfo[]];
  hotplug: [{ domid: number; port: PortInfo['name']; connected: boolean; edid?: Uint8Array; type?: number }, PortInfo[]];
  edidRegion: [{ domid: number; edid?: Uint8Array; linkState?: 1 | 2 }, EdidRegionInfo];
  physicalPorts: [{ ports: VirtualPort[] }, null];
}
export type GpuOp = keyof GpuRequests;

/** What the GPU thread is started with. */
export interface GpuThreadData {
  apertureMiB: number;
}

export type ToGpu = { type: 'call'; id: number; op: GpuOp; args: unknown } | { type: 'shutdown' };

export type FromGpu =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: ApiErrorShape }
  | { type: 'frame'; message: Uint8Array }
  | { type: 'failsafe'; domid: number; reason: string }
  | { type: 'foreground'; domid: number }
  | { type: 'ports'; domid: number; ports: PortInfo[] }
  | { type: 'ready'; doorbell: SharedArrayBuffer };
