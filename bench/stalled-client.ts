/**
 * stalled-client: what a page that stops reading costs the host. Three guests at 1920x1080 (as in
 * frame-delivery) run while one browser-mode client connects and then never reads its socket nor
 * acknowledges a frame (a hidden tab, a stalled network); a second client reads normally, so frames
 * keep flowing. The host's RSS is sampled every 10 s for STALL_SECONDS (default 300). Frames to the
 * stalled client stop at its flow-control window (frame-window.ts), so its cost is that window,
 * not a queue: the ratio is the host's RSS at the end ÷ at the start of the stall (1.0 = flat).
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { benchLine, fmt, header } from './lib/common';
import { startServe } from './lib/browser-mode';
import { createPa238Guests } from './lib/guests';

const ROOT = process.cwd();
const SECONDS = Number(process.env.STALL_SECONDS ?? 300);
const SAMPLE_MS = 10_000;

/** Resident set of process `pid`, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A browser-mode API client on the app's URL; `reader` takes and acknowledges every frame batch. */
function connect(url: string, reader: boolean): Promise<WebSocket> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`, { headers: { origin: `http://${u.host}` } });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      if (reader) {
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (isBinary) ws.send(`{"ack":${data.readUInt32LE(4)}}`);
        });
      } else ws.pause(); // never reads again: the kernel's buffers fill, then the host's
      resolve(ws);
    });
  });
}

async function main(): Promise<void> {
  header('stalled-client', `host RSS for ${SECONDS} s while one browser-mode client never reads (3 guests at 1920x1080, one reading client)`);
  const app = await startServe(ROOT);
  try {
    await createPa238Guests(app, ROOT, 3, 'st');
    const reading = await connect(app.url, true);
    await new Promise((r) => setTimeout(r, 10_000)); // guests booted and drawing
    const stalled = await connect(app.url, false);
    const start = rssMiB(app.pid);
    let peak = start;
    console.log(`t=0 s: host RSS ${fmt(start)} MiB`);
    for (let t = SAMPLE_MS; t <= SECONDS * 1000; t += SAMPLE_MS) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const rss = rssMiB(app.pid);
      peak = Math.max(peak, rss);
      if (t % 60_000 === 0 || t === SECONDS * 1000) console.log(`t=${t / 1000} s: host RSS ${fmt(rss)} MiB`);
    }
    const end = rssMiB(app.pid);
    stalled.terminate();
    reading.terminate();
    benchLine('stalled-client', end / start, `host RSS end ÷ start over ${SECONDS} s with a client that never reads (${fmt(start)} → ${fmt(end)} MiB, peak ${fmt(peak)})`);
  } finally {
    await app.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
