import { describe, expect, it } from 'vitest';
import { exportEntry } from '../../../../src/main/vm/export';
import { hvm, withLibrary } from './helpers';

describe('xl export', () => {
  it('is the stored text verbatim and imports back unchanged (same text, same spec)', () => {
    const [before, exported] = withLibrary((lib) => {
      const entry = lib.import('xlexample.hvm', hvm);
      return [entry, exportEntry(entry, 'xl')] as const;
    });
    expect(exported).toEqual({ text: hvm, suggestedName: 'vgtHVMDomain.cfg' });
    const after = withLibrary((lib) => lib.import(exported.suggestedName, exported.text));
    expect(after.text).toBe(before.text);
    expect(after.spec).toEqual(before.spec);
    expect(after.findings).toEqual([]);
  });

  it('keeps comments, unknown keys and odd spacing (it is the file, not a re-rendering)', () => {
    const text = "# my guest\nname='odd'   # trailing\nmemory=\"1024\"\nfuture_key = [ 'x' ,\n 'y' ]\n";
    const exported = withLibrary((lib) => exportEntry(lib.import('odd.cfg', text), 'xl'));
    expect(exported.text).toBe(text);
  });
});
