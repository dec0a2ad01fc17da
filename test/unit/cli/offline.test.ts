/** `gvt-desk edid decode` and `gvt-desk monitor-config check`: files only, no running instance. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/program';
import { edidToHex, fixChecksums } from '../../../src/shared/edid';
import { libraryMonitor } from '../../../src/shared/edid-library';

const SHARED = path.resolve(__dirname, '../../../../shared');
const ASUS = libraryMonitor('asus-pa238')!.bytes;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gvt-cli-offline-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run the CLI with no socket at all: these commands must not need one. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: { GVT_DESK_SOCKET: path.join(dir, 'no-such.sock') }, cwd: dir }, {
    createHost: async () => {
      throw new Error('no host in these tests');
    },
    workerDir: dir,
    rendererDir: dir,
    waitForShutdown: () => new Promise(() => undefined),
    timeoutMs: 1000,
  });
  return { code, out, err };
}

describe('gvt-desk edid decode', () => {
  it('binary input: a summary, exit 0', async () => {
    await writeFile(path.join(dir, 'asus.bin'), ASUS);
    const r = await cli(['edid', 'decode', 'asus.bin']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('asus.bin: 128 bytes');
    expect(r.out).toMatch(/^Vendor: +ACI, product 0x23b1 \(9137\)$/m);
    expect(r.out).toMatch(/^Serial: +63533, "C4LMTF063533"$/m);
    expect(r.out).toMatch(/^Made: +week 15 of 2012$/m);
    expect(r.out).toMatch(/^Version: +EDID 1\.3, digital$/m);
    expect(r.out).toMatch(/^Preferred: +1920x1080@60\.00 Hz, pixel clock 148\.500 MHz, \+hsync \+vsync$/m);
    expect(r.out).toMatch(/^ +h: 1920 active, 280 blank \(front 88, sync 44, back 148\)$/m);
    expect(r.out).toMatch(/^Name: +ASUS PA238$/m);
    expect(r.out).toMatch(/^Range limits: 50-75 Hz V, 24-83 kHz H, max 170 MHz \(GTF\)$/m);
    expect(r.out).toMatch(/^Findings: +none$/m);
  });

  it('hex text and edid-decode output in, JSON out', async () => {
    const src = path.join(SHARED, 'testdata/edid/Analog_AIC7450_9287B5DA419F.decode.txt');
    await writeFile(path.join(dir, 'aic.txt'), await readFile(src));
    const r = await cli(['edid', 'decode', 'aic.txt', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ file: 'aic.txt', valid: true, length: 128, preferredMode: { width: 1280, height: 1024, refreshHz: 60.02 }, findings: [] });
    expect(j.edid).toMatchObject({ vendor: 'AIC', productCode: 29776, serialNumber: 5317, monitorName: 'F-417', rangeLimits: { minVRateHz: 49, maxVRateHz: 75 } });
    expect(j.edid.raw).toBe(j.hex.replace(/\n/g, '').slice(0, 256));
    await writeFile(path.join(dir, 'asus.hex'), edidToHex(ASUS));
    expect((await cli(['edid', 'decode', path.join(dir, 'asus.hex')])).code).toBe(0);
  });

  it('errors: exit 1 with the findings', async () => {
    const bad = Uint8Array.from(ASUS, (v, i) => (i === 127 ? 0 : v));
    await writeFile(path.join(dir, 'bad.bin'), bad);
    const r = await cli(['edid', 'decode', 'bad.bin']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Findings: +1 error\(s\), 0 warning\(s\)$/m);
    expect(r.out).toContain('  error at byte 127: block 0: bad checksum 0x00 (should be 0xe0)');
    const j = JSON.parse((await cli(['edid', 'decode', 'bad.bin', '--json'])).out);
    expect(j.valid).toBe(false);
    expect(j.findings).toEqual([{ severity: 'error', offset: 127, message: 'block 0: bad checksum 0x00 (should be 0xe0)' }]);
  });

  it('warnings alone keep exit 0', async () => {
    const extra = new Uint8Array(256);
    extra.set(ASUS);
    await writeFile(path.join(dir, 'extra.bin'), extra);
    const r = await cli(['edid', 'decode', 'extra.bin']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning at byte 128: 1 block(s) beyond the extension count 0');
  });

  it('bad hex text: file:line on stderr, exit 1', async () => {
    await writeFile(path.join(dir, 'bad.hex'), '00ffffffffffff00\nnot hex\n');
    expect(await cli(['edid', 'decode', 'bad.hex'])).toEqual({ code: 1, out: '', err: 'bad.hex:2: not EDID hex: "not hex"\n' });
  });

  it('a missing file or argument', async () => {
    const r = await cli(['edid', 'decode', 'nope.bin']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`gvt-desk: EDID file ${path.join(dir, 'nope.bin')}: No such file or directory\n`);
    expect((await cli(['edid', 'decode'])).code).toBe(2);
  });

  it('a FIFO, a device or an oversized file is refused before reading (the checked reader, EDID 32 KiB, monitor.config 64 KiB)', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo.bin')]);
    expect(await cli(['edid', 'decode', 'fifo.bin'])).toMatchObject({ code: 1, err: expect.stringMatching(/fifo.bin: is a FIFO, not a regular file/) });
    expect(await cli(['monitor-config', 'check', '/dev/zero'])).toMatchObject({ code: 1, err: 'gvt-desk: monitor.config /dev/zero: is a character device, not a regular file\n' });
    await writeFile(path.join(dir, 'big.hex'), Buffer.alloc(32 * 1024 + 1, 0x30));
    expect((await cli(['edid', 'decode', 'big.hex'])).err).toMatch(/big.hex: is 32769 bytes; the limit is 32768 bytes/);
    await writeFile(path.join(dir, 'big.config'), Buffer.alloc(64 * 1024 + 1, 0x30));
    expect((await cli(['monitor-config', 'check', 'big.config'])).err).toMatch(/big.config: is 65537 bytes; the limit is 65536 bytes/);
  });

  it('truncated input', async () => {
    await writeFile(path.join(dir, 'short.bin'), ASUS.subarray(0, 60));
    const r = await cli(['edid', 'decode', 'short.bin']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error at byte 60: truncated: 60 bytes, block 0 needs 128');
  });
});

describe('gvt-desk monitor-config check', () => {
  it('the seed file: OK, exit 0', async () => {
    await writeFile(path.join(dir, 'monitor.config'), await readFile(path.join(SHARED, 'examples/monitor.config')));
    const r = await cli(['monitor-config', 'check', 'monitor.config']);
    expect(r).toEqual({ code: 0, err: '', out: 'monitor.config: OK, text mode, 1 record(s)\n  PORT_E (VGA) overrides PORT_B: ASUS PA238 1920x1080@60.00\n' });
    const j = JSON.parse((await cli(['monitor-config', 'check', 'monitor.config', '--json'])).out);
    expect(j).toMatchObject({ file: 'monitor.config', valid: true, mode: 'text', findings: [] });
    expect(j.records).toEqual([
      { virtualPort: 'PORT_E', portType: 'VGA', vgtPortType: 0, overridePort: 'PORT_B', monitorName: 'ASUS PA238', vendor: 'ACI', preferredMode: { width: 1920, height: 1080, refreshHz: 60 }, edid: edidToHex(ASUS) },
    ]);
  });

  it('a malformed file: file:line:column findings, exit 1', async () => {
    await writeFile(path.join(dir, 'm.config'), `# x\n13\n0401\n${edidToHex(ASUS)}`);
    const r = await cli(['monitor-config', 'check', 'm.config']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('m.config:11:33: error: record 2 of 3: the file ends after 0 of 130 bytes (port byte, override byte, 128-byte EDID)\nm.config: 1 error(s)\n');
    const j = JSON.parse((await cli(['monitor-config', 'check', 'm.config', '--json'])).out);
    expect(j).toMatchObject({ valid: false, mode: null, records: [], findings: [{ line: 11, column: 33, severity: 'error' }] });
  });

  it('warnings keep exit 0; binary files work', async () => {
    const bad = Uint8Array.from(ASUS, (v, i) => (i === 127 ? 0 : v));
    await writeFile(path.join(dir, 'w.bin'), Uint8Array.from([0, 1, 0x04, 0x01, ...fixChecksums(ASUS).subarray(0, 127), bad[127]!]));
    const r = await cli(['monitor-config', 'check', 'w.bin']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^w\.bin:1:132: warning: record 1, EDID: block 0: bad checksum 0x00/m);
    expect(r.out).toMatch(/^w\.bin: OK, binary mode, 1 record\(s\), 1 warning\(s\)$/m);
  });
});
