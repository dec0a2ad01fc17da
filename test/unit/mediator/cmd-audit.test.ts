/**
 * The scanner's audit table (cmd-audit.ts) against its oracles: the register and address fields it
 * audits sit where Mesa's genxml gen9.xml puts them (read here on its own, not through the
 * generated gen9-commands.ts); what it accepts the engine can execute, and what the engine
 * executes it accepts (bar the commands only the host may use); and each handler has a test named
 * after its GVT-g cmd_parser.c function.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_AUDITS, commandAudit } from '../../../src/main/mediator/cmd-audit';
import { MI_EXECUTORS, engineExecutes } from '../../../src/main/gpu/mi-dispatch';
import { type AddressField, CMD_TYPE_MI, COMMAND_SPECS, ENGINE, MI, PIPE_CONTROL_KEY, miKey } from '../../../src/shared/commands';

const xml = readFileSync(path.resolve(__dirname, '../../../../shared/testdata/genxml/gen9.xml'), 'utf8');

/** Where gen9.xml puts field `field` of `instruction`: top-level [start, end] bits, and groups' [start, size] with the field's bits inside. */
function genxmlField(instruction: string, field: string): { top: [number, number][]; groups: { start: number; size: number; bits: [number, number] }[] } {
  const body = new RegExp(`<instruction name="${instruction}"[^>]*>([\\s\\S]*?)</instruction>`).exec(xml)?.[1];
  if (body === undefined) throw new Error(`gen9.xml has no ${instruction}`);
  const fieldsIn = (text: string): [number, number][] =>
    [...text.matchAll(/<field name="([^"]*)" start="(\d+)" end="(\d+)"/g)].filter((m) => m[1] === field).map((m) => [Number(m[2]), Number(m[3])]);
  const groups = [...body.matchAll(/<group count="\d+" start="(\d+)" size="(\d+)">([\s\S]*?)<\/group>/g)].flatMap((g) =>
    fieldsIn(g[3]).map((bits) => ({ start: Number(g[1]), size: Number(g[2]), bits })),
  );
  return { top: fieldsIn(body.replace(/<group\b[\s\S]*?<\/group>/g, '')), groups };
}

/** The field's bits as gen9.xml places them (top-level, or the first repetition of a group). */
function expectAtGenxmlPosition(instruction: string, f: AddressField): void {
  const where = genxmlField(instruction, f.name);
  if (f.stride === undefined) {
    expect(where.top, `${instruction}: ${f.name}`).toContainEqual([f.dword * 32 + f.lo, f.dword * 32 + f.hi]);
  } else {
    expect(where.groups, `${instruction}: ${f.name}`).toContainEqual({ start: f.dword * 32, size: f.stride * 32, bits: [f.lo, f.hi] });
  }
}

const specOf = (key: number) => COMMAND_SPECS.find((s) => s.key === key)!;

describe('command audit table', () => {
  it('audits register and address fields at their genxml dword and bits (MI_*, PIPE_CONTROL); the XY_* layouts come from i915', () => {
    let checked = 0;
    for (const [key, a] of COMMAND_AUDITS) {
      const spec = specOf(key);
      const fields = [...a.registers.map((r) => r.field), ...a.gm.map((g) => g.field), ...Object.values(a.fields)];
      for (const f of fields) {
        if (spec.source === 'i915') {
          // Gen8 XY_* with 64-bit addresses: destination at dword 4, source / pattern at dword 8 (Mesa intel_blit.c).
          expect([4, 8], `${spec.name}: ${f.name}`).toContain(f.dword);
          continue;
        }
        expectAtGenxmlPosition(spec.name, f);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
    // The positions the handlers used to hard-code, now read from the table.
    const at = (key: number, name: string) => {
      const f = COMMAND_AUDITS.get(key)!.fields[name];
      return [f.dword, f.lo, f.hi];
    };
    expect(at(miKey(MI.STORE_DATA_IMM), 'Address')).toEqual([1, 2, 47]);
    expect(at(miKey(MI.FLUSH_DW), 'Address')).toEqual([1, 3, 47]);
    expect(at(PIPE_CONTROL_KEY, 'Address')).toEqual([2, 2, 47]);
    expect(at(miKey(MI.LOAD_REGISTER_MEM), 'Memory Address')).toEqual([2, 2, 63]);
    expect(at(miKey(MI.BATCH_BUFFER_START), 'Batch Buffer Start Address')).toEqual([1, 2, 63]);
    expect(at(miKey(MI.DISPLAY_FLIP), 'Display Buffer Base Address')).toEqual([2, 12, 31]);
    // LRI's register offsets: dword 1, then every 2 dwords for as long as the command is.
    expect(COMMAND_AUDITS.get(miKey(MI.LOAD_REGISTER_IMM))!.registers.map((r) => [r.field.dword, r.field.stride])).toEqual([
      [1, undefined],
      [3, 2],
    ]);
  });

  it('every command the scanner accepts on RCS or BCS is one the engine executes there', () => {
    let accepted = 0;
    for (const spec of COMMAND_SPECS) {
      for (const engine of [ENGINE.RENDER, ENGINE.BLITTER]) {
        if ((spec.engines & engine) === 0 || commandAudit(spec).refuse !== undefined) continue;
        expect(engineExecutes(spec), `${spec.name} is accepted by the scanner but the engine cannot execute it`).toBe(true);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('every MI command the engine executes has a scanner entry, and only MI_SEMAPHORE_WAIT (host-only, unexpected_cmd upstream) is refused', () => {
    const refused: string[] = [];
    for (const key of MI_EXECUTORS.keys()) {
      const spec = specOf(key);
      expect(spec, `executor for MI opcode 0x${key.toString(16)} decodes to no command`).toBeDefined();
      expect(COMMAND_AUDITS.has(key), `${spec.name} is executed by the engine but absent from the audit table`).toBe(true);
      if (commandAudit(spec).refuse !== undefined) refused.push(spec.name);
    }
    expect(refused).toEqual(['MI_SEMAPHORE_WAIT']);
    // And the MI commands the scanner accepts are exactly the executable ones minus that.
    const acceptedMi = COMMAND_SPECS.filter((s) => s.type === CMD_TYPE_MI && commandAudit(s).refuse === undefined).map((s) => s.key);
    expect(new Set(acceptedMi)).toEqual(new Set([...MI_EXECUTORS.keys()].filter((k) => k !== miKey(MI.SEMAPHORE_WAIT))));
  });

  it('each audited, post-handled or refused entry has a test named after its upstream function (or its command, where upstream has no handler)', () => {
    const titles = ['cmd-scan-policy.test.ts', 'cmd-scan.test.ts'].flatMap((file) =>
      [...readFileSync(path.resolve(__dirname, file), 'utf8').matchAll(/\bit\('((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]),
    );
    for (const [key, a] of COMMAND_AUDITS) {
      const spec = specOf(key);
      const handled = a.audit !== undefined || a.post !== undefined || a.refuse !== undefined || a.registers.length > 0 || a.gm.length > 0;
      if (!handled) continue;
      const name = a.upstream ?? spec.name;
      expect(
        titles.some((t) => t.includes(name)),
        `no test title names ${name} (${spec.name})`,
      ).toBe(true);
    }
  });
});
