/**
 * Host side of the GPU thread: starts the worker, turns requests into promises, and fans out its
 * events (frames, failsafe, foreground changes). Errors keep their ApiError code across threads.
 */
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { ApiError, type PortInfo } from '../../shared/api';
import { RpcClient } from '../../shared/rpc';
import type { SnapshotRegion } from './host-api';
import type { FromCompositor, FromGpu, GpuOp, GpuRequests, GpuThreadData, ToCompositor, ToGpu } from './gpu-protocol';

export interface GpuClientEvents {
  frame(message: Uint8Array): void;
  failsafe(domid: number, reason: string): void;
  foreground(domid: number): void;
  ports(domid: number, ports: PortInfo[]): void;
}

export class GpuClient {
  private readonly worker: Worker;
  /** Decodes the planes the GPU thread plans and sends the frames (see compositor-thread.ts). */
  private readonly compositor: Worker;
  /** Calls into the GPU thread, through the shared RPC core. */
  private readonly rpc: RpcClient;
  /** Ids of snapshot requests to the compositor thread. */
  private nextSnapshotId = 1;
  /** The GPU thread's doorbell, shared with every guest (ready() resolves once it is known). */
  doorbell: SharedArrayBuffer | null = null;
  private readonly readyPromise: Promise<void>;

  /** `apertureMiB`: the emulated GPU's aperture size (fixed for the GPU thread's life). */
  constructor(workerDir: string, events: GpuClientEvents, apertureMiB = 512) {
    this.worker = new Worker(join(workerDir, 'gpu-thread.js'), { workerData: { apertureMiB } satisfies GpuThreadData });
    this.rpc = new RpcClient({
      send: (request) => {
        this.worker.postMessage({ type: 'call', request } satisfies ToGpu);
        return true;
      },
    });
    this.compositor = new Worker(join(workerDir, 'compositor-thread.js'));
    // A direct line between the two threads: scanout plans never pass through the main thread.
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ type: 'compositor', port: port1 } satisfies ToGpu, [port1]);
    this.compositor.postMessage({ type: 'connect', port: port2 } satisfies ToCompositor, [port2]);
    this.compositor.on('message', (m: FromCompositor) => {
      if (m.type === 'frames') for (const message of m.messages) events.frame(message);
      else {
        this.snapshots.get(m.id)?.(m.messages);
        this.snapshots.delete(m.id);
      }
    });
    this.compositor.on('error', (e) => console.error('gvt-desk: the compositor thread failed', e));
    this.readyPromise = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: FromGpu) => {
        switch (m.type) {
          case 'ready':
            this.doorbell = m.doorbell;
            resolve();
            break;
          case 'response':
            this.rpc.receive(m.response);
            break;
          case 'failsafe':
            events.failsafe(m.domid, m.reason);
            break;
          case 'foreground':
            events.foreground(m.domid);
            break;
          case 'ports':
            events.ports(m.domid, m.ports);
            break;
        }
      });
    });
    this.worker.on('error', (e) => this.rpc.failAll(() => new ApiError('internal', `GPU thread failed: ${e.message}`)));
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  private readonly snapshots = new Map<number, (messages: Uint8Array[]) => void>();

  /**
   * The last frame the compositor thread composed for `source` (domid or PHYSICAL_SOURCE) as frame
   * messages (see encodeFrame) taken in one step of that thread: one per rectangle of `regions`
   * while the frame has their size and each fits, else the whole frame (0x0 while the display is
   * off); [] when it has none.
   */
  snapshotFrame(source: number, regions: readonly SnapshotRegion[] | null): Promise<Uint8Array[]> {
    const id = this.nextSnapshotId++;
    return new Promise((resolve) => {
      this.snapshots.set(id, resolve);
      this.compositor.postMessage({ type: 'snapshot', id, source, regions: regions ? [...regions] : null } satisfies ToCompositor);
    });
  }

  /**
   * Compose only `sources` (source ids; null: every source) from now on: the compositor thread
   * keeps the newest plan of the others and composes it when one becomes watched or is snapshotted.
   */
  watchSources(sources: number[] | null): void {
    this.compositor.postMessage({ type: 'watch', sources } satisfies ToCompositor);
  }

  /** Run one GPU-thread operation; rejects with ApiError. */
  call<K extends GpuOp>(op: K, args: GpuRequests[K][0]): Promise<GpuRequests[K][1]> {
    // The one place a result meets its type: the GPU thread answered this op from its handler table.
    return this.rpc.call(op, args) as Promise<GpuRequests[K][1]>;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'shutdown' } satisfies ToGpu);
    this.compositor.postMessage({ type: 'shutdown' } satisfies ToCompositor);
    for (const answer of this.snapshots.values()) answer([]);
    this.snapshots.clear();
    await Promise.all([this.worker.terminate(), this.compositor.terminate()]);
  }
}
