/** Pixels for frame tests in the renderer. */

/** A w×h RGBA rect whose pixel (i, j) is [i, j, seed, 255]: every byte says where it came from. */
export function rgbaRect(w: number, h: number, seed: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out.set([i, j, seed, 255], (j * w + i) * 4);
  return out;
}
