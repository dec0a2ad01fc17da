/**
 * The WebAssembly the renderer ships (src/renderer/wasm/*-wasm.ts, base64) is built from its text
 * source beside it (*.wat): `scripts/build-wasm.mjs --check` reassembles each with wabt and fails
 * when the committed bytes differ, so no module is an opaque blob.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('shipped WebAssembly', () => {
  it('is what wabt assembles from the .wat sources (scripts/build-wasm.mjs --check)', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
