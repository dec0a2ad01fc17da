/** Clone, Import as a copy and Import with replace in the library; the rename they share. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { Library } from '../../../src/main/vm/library';
import { renameConfig } from '../../../src/main/vm/rename';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';
import { apiError, hvm } from './export/helpers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gvt-library-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = (): string[] => readdirSync(dir).sort();
const fixed = { uuid: () => '6b1d3e0c-0000-4000-8000-000000000001', nic: () => Uint8Array.of(0x12, 0x34, 0x56) };

describe('renameConfig', () => {
  it('rewrites name= only, keeping every other byte (the guide\'s xlexample.hvm)', () => {
    const { text, changed } = renameConfig(hvm, 'xlexample.hvm', 'copy1', fixed);
    expect(text).toBe(hvm.replace("name = 'vgtHVMDomain'", "name = 'copy1'"));
    expect(changed).toEqual([]);
  });

  it('gives a copy a fresh uuid= and fresh vif mac= addresses with Xen\'s 00:16:3e prefix', () => {
    const src = "name = 'a'\nuuid = 'a1b2c3d4-0000-4000-8000-00000000000a' # keep me\nvif = [ 'mac=00:16:3e:aa:bb:cc,bridge=xenbr0', 'bridge=xenbr1' ]\nmemory = 512\n";
    const { text, changed } = renameConfig(src, 'a.cfg', 'b', fixed);
    expect(text).toBe("name = 'b'\nuuid = '6b1d3e0c-0000-4000-8000-000000000001' # keep me\nvif = [ 'mac=00:16:3e:12:34:56,bridge=xenbr0', 'bridge=xenbr1' ]\nmemory = 512\n");
    expect(changed).toEqual(['uuid', 'vif mac 00:16:3e:12:34:56 (was 00:16:3e:aa:bb:cc)']);
    expect(readDomainConfig(text, 'b.cfg').findings).toEqual([]);
  });

  it('refuses a config without name= or one that builds it with +=', () => {
    expect(() => renameConfig('memory = 512\n', 'x.cfg', 'b')).toThrow(ApiError);
    expect(apiError(() => renameConfig("name = 'a'\nname += 'b'\n", 'x.cfg', 'c')).message).toContain('+=');
  });
});

describe('Library copies', () => {
  it('clones under a new name; the source is untouched and the copy is marked in its metadata', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    expect(lib.freeName('vgtHVMDomain', 'clone')).toBe('vgtHVMDomain-clone');
    const clone = lib.clone('vgtHVMDomain', 'vgtHVMDomain-clone');
    expect(clone.spec).toMatchObject({ name: 'vgtHVMDomain-clone', memoryMiB: 2048, lowGmMiB: 128 });
    expect(clone.findings).toEqual([]);
    expect(lib.get('vgtHVMDomain').text).toBe(hvm);
    expect(JSON.parse(readFileSync(path.join(dir, 'vgtHVMDomain-clone.meta.json'), 'utf8')).copiedFrom).toBe('vgtHVMDomain');
    expect(lib.freeName('vgtHVMDomain', 'clone')).toBe('vgtHVMDomain-clone-2');
  });

  it('refuses a clone onto a taken name (or Domain-0, or a missing source) and writes nothing', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    const before = files();
    expect(apiError(() => lib.clone('vgtHVMDomain', 'vgtHVMDomain')).code).toBe('exists');
    expect(apiError(() => lib.clone('vgtHVMDomain', 'Domain-0')).code).toBe('exists');
    expect(apiError(() => lib.clone('nope', 'x')).code).toBe('not_found');
    expect(apiError(() => lib.clone('vgtHVMDomain', 'bad name')).code).toBe('invalid');
    expect(files()).toEqual(before);
  });

  it('imports as a copy under "<name>-2", "<name>-3" when the name is taken, and as itself when it is free', () => {
    const lib = new Library(dir);
    const first = lib.import('xlexample.hvm', hvm, { copy: true });
    expect(first.name).toBe('vgtHVMDomain');
    expect(first.text).toBe(hvm);
    expect(lib.import('xlexample.hvm', hvm, { copy: true }).name).toBe('vgtHVMDomain-2');
    const third = lib.import('xlexample.hvm', hvm, { copy: true });
    expect(third.name).toBe('vgtHVMDomain-3');
    expect(third.spec?.name).toBe('vgtHVMDomain-3');
    expect(lib.get('vgtHVMDomain').text).toBe(hvm);
  });

  it('a second import without copy or replace is refused naming both ways out', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    const err = apiError(() => lib.import('xlexample.hvm', hvm));
    expect(err.code).toBe('exists');
    expect(err.message).toMatch(/import it as a copy .* or with replace/);
  });

  it('a refused replace (the domain runs) loses nothing: the stored config and its metadata stay as they were', () => {
    const lib = new Library(dir);
    lib.import('xlexample.hvm', hvm);
    const cfg = readFileSync(path.join(dir, 'vgtHVMDomain.cfg'), 'utf8');
    const meta = readFileSync(path.join(dir, 'vgtHVMDomain.meta.json'), 'utf8');
    const refuse = (name: string): void => {
      throw new ApiError('busy', `domain '${name}' is running`);
    };
    const err = apiError(() => lib.import('other.hvm', hvm.replace('memory = 2048', 'memory = 1024'), { replace: true, beforeReplace: refuse }));
    expect(err.code).toBe('busy');
    expect(readFileSync(path.join(dir, 'vgtHVMDomain.cfg'), 'utf8')).toBe(cfg);
    expect(readFileSync(path.join(dir, 'vgtHVMDomain.meta.json'), 'utf8')).toBe(meta);
    expect(files()).toEqual(['vgtHVMDomain.cfg', 'vgtHVMDomain.meta.json']);
    // Allowed: replaced.
    expect(lib.import('other.hvm', hvm.replace('memory = 2048', 'memory = 1024'), { replace: true, beforeReplace: () => undefined }).spec?.memoryMiB).toBe(1024);
  });

  it('creates a New VM config only under a free name and only without errors', () => {
    const lib = new Library(dir);
    const text = "name = 'n1'\nmemory = 512\nvgt = 1\ngvt_vgpu_type = 'GVTg_V5_8'\n";
    expect(lib.create('n1', text).spec).toMatchObject({ name: 'n1', vgpuType: 'GVTg_V5_8' });
    expect(apiError(() => lib.create('n1', text)).code).toBe('exists');
    expect(apiError(() => lib.create('n2', "name = 'n2'\nmemory = 1\n")).code).toBe('config');
    expect(apiError(() => lib.create('n3', text)).code).toBe('config');
    expect(files()).toEqual(['n1.cfg', 'n1.meta.json']);
  });
});
