import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, type ExportFormat } from '../../../../src/shared/export-formats';
import { exportDomain, exportEntry } from '../../../../src/main/vm/export';
import { apiError, hvm, withLibrary } from './helpers';

describe('exportDomain', () => {
  it('exports a library domain in every format with a suggested file name', () => {
    const names = withLibrary((lib) => {
      lib.import('xlexample.hvm', hvm);
      return EXPORT_FORMATS.map((f) => exportDomain(lib, 'vgtHVMDomain', f).suggestedName);
    });
    expect(names).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.kvmgt.sh', 'vgtHVMDomain.qemu.sh', 'vgtHVMDomain.xml', 'vgtHVMDomain.mdevctl.json']);
  });

  it('refuses an unknown domain, Domain-0 and an unknown format, saying which', () => {
    withLibrary((lib) => {
      lib.import('xlexample.hvm', hvm);
      const unknown = apiError(() => exportDomain(lib, 'ghost', 'xl'));
      expect([unknown.code, unknown.message]).toEqual(['not_found', "no domain named 'ghost' in the library"]);
      const dom0 = apiError(() => exportDomain(lib, 'Domain-0', 'libvirt'));
      expect([dom0.code, dom0.message]).toEqual(['invalid', 'Domain-0 is the host (Dom0): it has no domain config to export']);
      const format = apiError(() => exportDomain(lib, 'vgtHVMDomain', 'vmx' as ExportFormat));
      expect([format.code, format.message]).toEqual(['invalid', "unknown export format 'vmx'"]);
      expect(apiError(() => exportDomain(lib, 'toString', 'xl')).code).toBe('not_found');
    });
  });

  it('refuses a domain whose config has errors, listing them at file:line:col as xl create does', () => {
    withLibrary((lib) => {
      const entry = lib.import('broken.cfg', "name = 'broken'\nvgt = 1\nvgt_low_gm_sz = 'abc'\n");
      for (const f of EXPORT_FORMATS) {
        const err = apiError(() => exportEntry(entry, f));
        expect(err.code).toBe('config');
        expect(err.message).toBe("broken cannot be exported: its config has errors; fix them first:\nbroken.cfg:3:1: error: vgt_low_gm_sz: must be a number of MiB, got 'abc'");
      }
    });
  });
});
