/** Shared fixtures of the export tests: the guide's domain, specs with changes, a temp library. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ApiError } from '../../../../src/shared/api';
import { readDomainConfig, type DomainSpec } from '../../../../src/main/vm/domain-spec';
import { Library } from '../../../../src/main/vm/library';

export const SHARED = path.resolve(__dirname, '../../../../../shared');
/** The XenGT guide's example config (vgtHVMDomain: 2048 MiB, 128/384/4, tablet, a monitor.config). */
export const hvm = readFileSync(`${SHARED}/examples/xlexample.hvm`, 'utf8');

/** The spec of xl text (fails the test on config errors). */
export function specOf(text: string): DomainSpec {
  const { spec, findings } = readDomainConfig(text, 'test.cfg');
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  return spec!;
}

/** The guide's domain spec, with `changes` applied. */
export function guideSpec(changes: Partial<DomainSpec> = {}): DomainSpec {
  return { ...specOf(hvm), ...changes };
}

/** Run `fn` with a library in a fresh temp dir, removed afterwards. */
export function withLibrary<T>(fn: (lib: Library) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'gvt-export-'));
  try {
    return fn(new Library(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ApiError a call throws (fails the test if it throws nothing or something else). */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected an ApiError');
}
