/**
 * Compositor thread entry (a worker): turns the planes the GPU thread plans at each vblank into
 * frame messages for the host (damage rectangles, RGBA coded RLE32 straight from each source's
 * picture: a desktop's flat colour and text shrink many times over, so every transport carries
 * less; see frame-messages.ts), reading the framebuffers itself through
 * the shared GGTT and guest RAM, so the GPU thread does only GPU work. When it falls behind, the
 * plans waiting for it are merged and only the newest state of each source is composed: stale
 * frames are dropped, never queued.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { Ggtt } from '../gpu/ggtt';
import { HostMemory } from '../gpu/memory';
import { FrameComposer, type ScanoutSource, mergePlans } from '../mediator/compositor-feed';
import { WatchGate } from '../mediator/watch-gate';
import { nativeSpanEqual } from './native-compare';
import { FRAME_HEADER_BYTES } from '../../shared/frame-message';
import { codedFrameMessage, frameMessages } from './frame-messages';
import type { FromCompositor, GpuToCompositor, ToCompositor } from './gpu-protocol';
import type { SnapshotRegion } from './host-api';

const host = parentPort!;
let memory = new HostMemory();
let composer: FrameComposer | null = null;
let ggttBuffer: { ptes: SharedArrayBuffer; totalGmBytes: number } | null = null;
let pending: ScanoutSource[] | null = null;
let seq = 0;
/** Only sources some client watches are composed (the host says which: 'watch'). */
const gate = new WatchGate();

function compose(): void {
  const plan = pending;
  pending = null;
  if (!plan || !composer) return;
  const out = frameMessages(composer.compose(gate.pass(plan)), seq);
  seq = out.seq;
  if (out.messages.length > 0) host.postMessage({ type: 'frames', messages: out.messages } satisfies FromCompositor, out.messages.map((m) => m.buffer as ArrayBuffer));
}

function onGpu(m: GpuToCompositor): void {
  switch (m.type) {
    case 'init':
      ggttBuffer = { ptes: m.ptes, totalGmBytes: m.totalGmBytes };
      composer = new FrameComposer(new Ggtt(m.totalGmBytes, memory, m.ptes), nativeSpanEqual);
      break;
    case 'memory': {
      // A fresh HostMemory per change: the composer's GGTT view is rebuilt around it.
      memory = new HostMemory();
      for (const r of m.regions) memory.attach(r.base, r.buffer, r.dirty);
      if (ggttBuffer && composer) composer.rebind(new Ggtt(ggttBuffer.totalGmBytes, memory, ggttBuffer.ptes));
      break;
    }
    case 'scanout':
      // Compose once the queue of messages is drained: plans that arrived meanwhile are merged.
      if (pending === null) setImmediate(compose);
      pending = pending ? mergePlans(pending, m.plan) : m.plan;
      break;
    case 'forget':
      composer?.forget(m.source);
      gate.forget(m.source);
      break;
  }
}

/**
 * The last frame of `source` as frame messages (binary), all from the same picture: one per
 * rectangle of `regions` when the frame still has their size and each fits, else the whole frame;
 * none when there is no frame yet.
 */
function snapshot(source: number, regions: SnapshotRegion[] | null): Uint8Array[] {
  // An unwatched source is brought up to its newest plan first; its damage goes nowhere (nobody watches it).
  const held = gate.take(source);
  if (held.length > 0) composer?.compose(held);
  const f = composer?.lastFrame(source);
  if (!f) return [];
  const fits = regions !== null && regions.length > 0 && regions.every((r) => r.width === f.width && r.height === f.height && r.x + r.w <= f.width && r.y + r.h <= f.height);
  const rects = fits ? regions : [{ x: 0, y: 0, w: f.width, h: f.height }];
  return rects.map((r) => codedFrameMessage({ source, width: f.width, height: f.height, x: r.x, y: r.y, w: r.w, h: r.h, seq: ++seq, flip: f.flip, vblankMs: f.vblankMs }, f.rle32(r, FRAME_HEADER_BYTES), true));
}

host.on('message', (m: ToCompositor) => {
  if (m.type === 'connect') {
    const gpu: MessagePort = m.port;
    gpu.on('message', onGpu);
  } else if (m.type === 'snapshot') {
    const messages = snapshot(m.source, m.regions);
    host.postMessage({ type: 'snapshot', id: m.id, messages } satisfies FromCompositor, messages.map((message) => message.buffer as ArrayBuffer));
  } else if (m.type === 'watch') {
    // Sources that became watched are composed now, before any snapshot asked after this message.
    const revived = gate.watch(m.sources);
    if (revived.length > 0) {
      pending = pending ? mergePlans(revived, pending) : revived;
      compose();
    }
  } else if (m.type === 'shutdown') host.close();
});
