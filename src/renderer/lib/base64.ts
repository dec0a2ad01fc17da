/** Decode base64 into a fresh RGBA buffer (frame snapshots travel as base64 inside JSON). */
export function base64ToBytes(b64: string): Uint8ClampedArray<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8ClampedArray(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
