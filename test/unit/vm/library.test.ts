import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../../src/main/vm/library';
import { apiError } from './export/helpers';

const SHARED = path.resolve(__dirname, '../../../../shared');
const hvm = readFileSync(`${SHARED}/examples/xlexample.hvm`, 'utf8');
const conf2013 = readFileSync(`${SHARED}/examples/xmexample-2013.conf`, 'utf8');
const qemu = readFileSync(`${SHARED}/examples/kvmgt-qemu.sh`, 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gvt-library-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every file in the library dir, sorted; write-file-atomic temp files would show up as `x.cfg.<n>`. */
const files = (): string[] => readdirSync(dir).sort();

describe('Library', () => {
  it('creates its directory', () => {
    const nested = path.join(dir, 'a', 'b');
    new Library(nested);
    expect(existsSync(nested)).toBe(true);
  });

  it('imports an xl config verbatim under its name=, with metadata', () => {
    const lib = new Library(dir);
    const before = Date.now();
    const entry = lib.import('/home/user/xlexample.hvm', hvm);
    expect(entry.name).toBe('vgtHVMDomain');
    expect(entry.fileName).toBe('xlexample.hvm');
    expect(entry.text).toBe(hvm);
    expect(entry.findings).toEqual([]);
    expect(entry.spec).toMatchObject({ name: 'vgtHVMDomain', memoryMiB: 2048, vgt: true, lowGmMiB: 128, highGmMiB: 384, fences: 4 });
    expect(files()).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.meta.json']);
    expect(readFileSync(path.join(dir, 'vgtHVMDomain.cfg'), 'utf8')).toBe(hvm);
    const meta = JSON.parse(readFileSync(path.join(dir, 'vgtHVMDomain.meta.json'), 'utf8'));
    expect(meta.fileName).toBe('xlexample.hvm');
    expect(Date.parse(meta.importedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(lib.list()).toEqual([entry]);
    expect(lib.get('vgtHVMDomain')).toEqual(entry);
    // A fresh Library over the same dir sees the same thing.
    expect(new Library(dir).list()).toEqual([entry]);
  });

  it('refuses a second import of the same name unless replace, which overwrites', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    const changed = hvm.replace('memory = 2048', 'memory = 1024');
    const err = apiError(() => lib.import('copy.hvm', changed));
    expect(err.code).toBe('exists');
    expect(err.message).toContain("'vgtHVMDomain'");
    expect(lib.get('vgtHVMDomain').text).toBe(hvm);
    const replaced = lib.import('copy.hvm', changed, { replace: true });
    expect(replaced.spec?.memoryMiB).toBe(1024);
    expect(replaced.fileName).toBe('copy.hvm');
    expect(files()).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.meta.json']);
  });

  it('refuses a config without a usable name, listing the findings, and writes nothing', () => {
    const lib = new Library(dir);
    const noName = apiError(() => lib.import('anon.cfg', 'memory = 64\n'));
    expect(noName.code).toBe('config');
    expect(noName.message).toContain("anon.cfg:1:1: error: name: required: add name = '…'");
    const broken = apiError(() => lib.import('broken.cfg', "memory = 64\nname = 'unterminated\n"));
    expect(broken.code).toBe('config');
    expect(broken.message).toContain('broken.cfg:2:8: error: name: unterminated string');
    const badName = apiError(() => lib.import('x.cfg', "name = '../etc/passwd'\n"));
    expect(badName.code).toBe('config');
    expect(files()).toEqual([]);
  });

  it('imports a config whose other keys have errors, keeping it for the editor (spec null)', () => {
    const lib = new Library(dir);
    const text = "name = 'needs-fixing'\nvgt = 1\nvgt_low_gm_sz = 'abc'\nvcpus = 12abc\n";
    const entry = lib.import('needs-fixing.cfg', text);
    expect(entry.text).toBe(text);
    expect(entry.spec).toBeNull();
    expect(entry.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.field}`)).toEqual(['3:1 error vgt_low_gm_sz', '4:9 error vcpus']);
  });

  it('imports the 2013 config for the editor: its upper-case Kernel is an error (spec null), typographic quotes warnings', () => {
    const entry = new Library(dir).import('xmexample-2013.conf', conf2013);
    expect(entry.name).toBe('vgtHVMDomain');
    expect(entry.findings.map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual(['1:1 error', '1:10 warning', '1:20 warning', '2:11 warning', '2:15 warning', '4:8 warning', '4:21 warning']);
    expect(entry.spec).toBeNull();
  });

  it('imports a KVMGT command line as xl, named after the file', () => {
    const lib = new Library(dir);
    const entry = lib.import('kvmgt-qemu.sh', qemu);
    expect(entry.name).toBe('kvmgt-qemu');
    expect(entry.fileName).toBe('kvmgt-qemu.cfg');
    expect(entry.findings).toEqual([]);
    expect(entry.spec).toEqual({
      name: 'kvmgt-qemu', memoryMiB: 2048, vcpus: 2, vgt: true, lowGmMiB: 128, highGmMiB: 384, fences: 4, monitorConfigFile: null, workload: 'desktop', vgpuType: null, weight: 4, keymap: 'en-us', tablet: false, displayLayout: 'extended',
    });
    expect(entry.text).toContain("name = 'kvmgt-qemu'\n");
    expect(entry.text).toContain('#   -hda /path/to/Guest_OS.img\n');
    const meta = JSON.parse(readFileSync(path.join(dir, 'kvmgt-qemu.meta.json'), 'utf8'));
    expect(meta.convertedFrom).toEqual({ format: 'kvmgt', fileName: 'kvmgt-qemu.sh' });
    expect(lib.import('My Guest (1).sh', qemu).name).toBe('My_Guest_1_');
    const err = apiError(() => lib.import('bad.sh', 'qemu-system-x86_64 -m lots -vgt\n'));
    expect(err.code).toBe('config');
    expect(err.message).toContain("bad.sh:1:23: error: -m: must be a size in MiB (e.g. 2048, 2048M or 2G), got 'lots'");
    expect(files()).toEqual(['My_Guest_1_.cfg', 'My_Guest_1_.meta.json', 'kvmgt-qemu.cfg', 'kvmgt-qemu.meta.json']);
  });

  it("names a KVMGT command line by its -name when it has one", () => {
    const entry = new Library(dir).import('whatever (2).sh', qemu.replace('-m 2048', '-name kvm-guest -m 2048'));
    expect(entry.name).toBe('kvm-guest');
    expect(entry.fileName).toBe('kvm-guest.cfg');
    expect(entry.spec).toMatchObject({ memoryMiB: 2048, lowGmMiB: 128 });
  });

  it('saves new text; refuses errors and renames, leaving the stored file untouched', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    const cfg = path.join(dir, 'vgtHVMDomain.cfg');
    const edited = hvm.replace('vgt_fence_sz=4', 'vgt_fence_sz=8');
    const saved = lib.save('vgtHVMDomain', edited);
    expect(saved.spec?.fences).toBe(8);
    expect(readFileSync(cfg, 'utf8')).toBe(edited);
    const meta = JSON.parse(readFileSync(path.join(dir, 'vgtHVMDomain.meta.json'), 'utf8'));
    expect(meta.fileName).toBe('xlexample.hvm');
    expect(typeof meta.savedAt).toBe('string');

    const syntax = apiError(() => lib.save('vgtHVMDomain', `${edited}vif = [ 'a'\n`));
    expect(syntax.code).toBe('config');
    expect(syntax.message).toContain('xlexample.hvm:24:7: error: vif: unterminated list');
    const range = apiError(() => lib.save('vgtHVMDomain', edited.replace('vgt_fence_sz=8', 'vgt_fence_sz=99')));
    expect(range.message).toContain('xlexample.hvm:20:1: error: vgt_fence_sz: must be 0..32, got 99');
    const renamed = apiError(() => lib.save('vgtHVMDomain', edited.replace("'vgtHVMDomain'", "'other'")));
    expect(renamed.code).toBe('config');
    expect(renamed.message).toContain("name = 'other'");
    expect(readFileSync(cfg, 'utf8')).toBe(edited);
    expect(files()).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.meta.json']);

    // Warnings alone do not stop a save.
    const quoted = edited.replace("usbdevice='tablet'", 'usbdevice=‘tablet’');
    expect(lib.save('vgtHVMDomain', quoted).findings.map((f) => f.severity)).toEqual(['warning', 'warning']);
    expect(readFileSync(cfg, 'utf8')).toBe(quoted);
  });

  it('get/save/remove: not_found for unknown names, invalid for malformed ones', () => {
    const lib = new Library(dir);
    expect(apiError(() => lib.get('nope')).code).toBe('not_found');
    expect(apiError(() => lib.save('nope', "name='nope'\n")).code).toBe('not_found');
    expect(apiError(() => lib.remove('nope')).code).toBe('not_found');
    expect(apiError(() => lib.get('../etc')).code).toBe('invalid');
    expect(apiError(() => lib.remove('a/b')).code).toBe('invalid');
    expect(files()).toEqual([]);
  });

  it('removes a domain and its metadata', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    lib.import('kvmgt-qemu.sh', qemu);
    lib.remove('vgtHVMDomain');
    expect(files()).toEqual(['kvmgt-qemu.cfg', 'kvmgt-qemu.meta.json']);
    expect(lib.list().map((e) => e.name)).toEqual(['kvmgt-qemu']);
    expect(apiError(() => lib.remove('vgtHVMDomain')).code).toBe('not_found');
  });

  it('lists a directory full of junk without failing', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    writeFileSync(path.join(dir, 'bad name.cfg'), "name = 'bad name'\n");
    writeFileSync(path.join(dir, 'binary.cfg'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe, 0x00, 0x0a]));
    writeFileSync(path.join(dir, 'garbage.cfg'), '\u0000\u0001 }{ [[[ "');
    writeFileSync(path.join(dir, 'mismatch.cfg'), "name = 'other'\n");
    writeFileSync(path.join(dir, 'mismatch.meta.json'), '{ not json');
    writeFileSync(path.join(dir, 'orphan.meta.json'), '{"fileName":"x","importedAt":"y"}');
    writeFileSync(path.join(dir, 'vgtHVMDomain.cfg.1234567'), 'half-written');
    mkdirSync(path.join(dir, 'folder.cfg'));

    const entries = lib.list();
    expect(entries.map((e) => e.name)).toEqual(['binary', 'folder', 'garbage', 'mismatch', 'vgtHVMDomain']);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    for (const name of ['binary', 'folder', 'garbage', 'mismatch']) {
      expect(byName[name]!.spec).toBeNull();
      expect(byName[name]!.findings.some((f) => f.severity === 'error')).toBe(true);
    }
    expect(byName.binary!.findings[0]!.message).toMatch(/not UTF-8/);
    expect(byName.folder!.findings[0]!.message).toMatch(/cannot read the stored config/);
    expect(byName.mismatch!.findings.map((f) => `${f.file} ${f.severity} ${f.field ?? '-'}`)).toEqual(['mismatch.meta.json warning -', 'mismatch.cfg error name']);
    expect(byName.vgtHVMDomain!.spec?.name).toBe('vgtHVMDomain');
    // The junk is left where it was.
    expect(files()).toContain('notes.txt');
    expect(files()).toContain('vgtHVMDomain.cfg.1234567');
  });

  it('a failed write leaves no temp file and reports internal', () => {
    const lib = new Library(dir);
    mkdirSync(path.join(dir, 'vgtHVMDomain.cfg'));
    expect(apiError(() => lib.import('xlexample.hvm', hvm)).code).toBe('exists');
    const err = apiError(() => lib.import('xlexample.hvm', hvm, { replace: true }));
    expect(err.code).toBe('internal');
    expect(files()).toEqual(['vgtHVMDomain.cfg']);
  });

  it('leaves only .cfg and .meta.json files after a run of operations', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    lib.import('xmexample-2013.conf', conf2013.replace('vgtHVMDomain', 'vm2013'));
    lib.import('kvmgt-qemu.sh', qemu);
    lib.save('vm2013', conf2013.replace('vgtHVMDomain', 'vm2013').replace('memory = 2048', 'memory = 4096').replace('Kernel', 'kernel'));
    lib.import('xlexample.hvm', hvm, { replace: true });
    lib.remove('kvmgt-qemu');
    expect(files()).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.meta.json', 'vm2013.cfg', 'vm2013.meta.json']);
    expect(lib.get('vm2013').spec?.memoryMiB).toBe(4096);
  });
});
