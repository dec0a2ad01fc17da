/**
 * Header decoding against the oracle: Mesa's genxml gen9.xml, parsed here on its own (not with
 * scripts/gen-gen9-commands.mjs), so a wrong generator or a stale src/shared/gen9-commands.ts
 * fails these tests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BLT,
  COMMAND_SPECS,
  ENGINE,
  ENGINE_ALL,
  MI_BATCH_BUFFER_END,
  MI_FLUSH_DW,
  MI_NOOP,
  MI_STORE_DATA_IMM_GGTT,
  MI_USER_INTERRUPT,
  XY_COLOR_BLT_CMD,
  XY_SRC_COPY_BLT_CMD,
  commandCandidates,
  commandLength,
  commandName,
  decodeHeader,
  opcodeKey,
} from '../../../src/shared/commands';
import { GEN9_INSTRUCTIONS, GEN9_XML_SHA256 } from '../../../src/shared/gen9-commands';

const XML_PATH = path.resolve(__dirname, '../../../../shared/testdata/genxml/gen9.xml');
const xmlBytes = readFileSync(XML_PATH);
const xml = xmlBytes.toString('utf8');

type Attrs = Record<string, string>;
interface XmlInstruction {
  name: string;
  attrs: Attrs;
  /** Fields outside any <group>, in document order. */
  fields: Attrs[];
}

const attrsOf = (text: string): Attrs => Object.fromEntries([...text.matchAll(/([\w.-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

function parseInstructions(text: string): XmlInstruction[] {
  const out: XmlInstruction[] = [];
  for (const m of text.matchAll(/<instruction\s([^>]*)>([\s\S]*?)<\/instruction>/g)) {
    const attrs = attrsOf(m[1]);
    const body = m[2].replace(/<group\b[^>]*>[\s\S]*?<\/group>/g, '');
    if (body.includes('<group')) throw new Error(`${attrs.name}: nested groups`);
    const fields = [...body.matchAll(/<field\s([^>]*?)\/?>/g)].map((f) => attrsOf(f[1]));
    out.push({ name: attrs.name, attrs, fields });
  }
  return out;
}

const instructions = parseInstructions(xml);
const byName = new Map(instructions.map((i) => [i.name, i]));

const num = (v: string | undefined): number => {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`not a number: ${v}`);
  return Number(v);
};

interface Header {
  /** dw0 from the header fields' defaults, DWord Length left 0. */
  dw0: number;
  type: number;
  bias: number;
  lenEnd: number | undefined;
  lenDefault: number | undefined;
  length: number | undefined;
  engines: number;
}

const ENGINE_BY_NAME: Record<string, number> = { render: ENGINE.RENDER, blitter: ENGINE.BLITTER, video: ENGINE.VIDEO };
const engineAttr = (i: XmlInstruction): number =>
  i.attrs.engine === undefined ? ENGINE_ALL : i.attrs.engine.split('|').reduce((m, e) => m | ENGINE_BY_NAME[e], 0);

function header(i: XmlInstruction): Header {
  let dw0 = 0;
  let lenEnd: number | undefined;
  let lenDefault: number | undefined;
  for (const f of i.fields) {
    const start = num(f.start);
    const end = num(f.end);
    if (end >= 32) continue;
    if (f.name === 'DWord Length') {
      expect(start, `${i.name} DWord Length start`).toBe(0);
      lenEnd = end;
      lenDefault = f.default === undefined ? undefined : num(f.default);
    } else if (f.default !== undefined) {
      dw0 |= num(f.default) << start;
    }
  }
  return {
    dw0: dw0 >>> 0,
    type: dw0 >>> 29,
    bias: num(i.attrs.bias),
    lenEnd,
    lenDefault,
    length: i.attrs.length === undefined ? undefined : num(i.attrs.length),
    engines: engineAttr(i),
  };
}

const headers = new Map(instructions.map((i) => [i.name, header(i)]));
/** The lowest engine bit of the instruction (render < blitter < video), to pick among aliases. */
const firstEngine = (h: Header): number => h.engines & -h.engines;

/** Opcode bits: MI 31:23, type 3 31:16. */
const keyOf = (h: Header): number => (h.type === 0 ? h.dw0 >>> 23 : h.dw0 >>> 16);
const groups = new Map<number, string[]>();
for (const i of instructions) {
  const k = keyOf(headers.get(i.name)!);
  groups.set(k, [...(groups.get(k) ?? []), i.name]);
}

/** Keys genxml gives to two instructions: a render media command and a video MFX command each. */
const EXPECTED_ALIASES: Array<[number, string, string]> = [
  [0x7000, 'MEDIA_VFE_STATE', 'MFX_PIPE_MODE_SELECT'],
  [0x7001, 'MEDIA_CURBE_LOAD', 'MFX_SURFACE_STATE'],
  [0x7002, 'MEDIA_INTERFACE_DESCRIPTOR_LOAD', 'MFX_PIPE_BUF_ADDR_STATE'],
  [0x7004, 'MEDIA_STATE_FLUSH', 'MFX_BSP_BUF_BASE_ADDR_STATE'],
  [0x7100, 'MEDIA_OBJECT', 'MFX_AVC_IMG_STATE'],
  [0x7102, 'MEDIA_OBJECT_PRT', 'MFX_AVC_DIRECTMODE_STATE'],
  [0x7103, 'MEDIA_OBJECT_WALKER', 'MFX_AVC_SLICE_STATE'],
  [0x7105, 'GPGPU_WALKER', 'MFX_AVC_WEIGHTOFFSET_STATE'],
];

/** genxml engine attributes this model corrects (see ENGINE_OVERRIDES in commands.ts; the MI ones as GVT-g cmd_info's rings). */
const ENGINE_OVERRIDES: Record<string, number> = {
  MI_FLUSH_DW: ENGINE.BLITTER | ENGINE.VIDEO,
  MI_PREDICATE: ENGINE.RENDER,
  MI_LOAD_SCAN_LINES_INCL: ENGINE.RENDER | ENGINE.BLITTER,
};
/** genxml lengths this model replaces by GVT-g cmd_info's F_LEN_CONST (see LENGTH_OVERRIDES in commands.ts). */
const LENGTH_OVERRIDES: Record<string, number> = { MI_LOAD_SCAN_LINES_INCL: 2 };

describe('gen9.xml oracle', () => {
  it('has the 227 instructions the table was generated from', () => {
    expect(instructions).toHaveLength(227);
    expect(createHash('sha256').update(xmlBytes).digest('hex')).toBe(GEN9_XML_SHA256);
  });

  it('every instruction has a Command Type of 0 (MI) or 3 and an opcode no other shares, except the known aliases', () => {
    for (const h of headers.values()) expect([0, 3]).toContain(h.type);
    const aliases = [...groups].filter(([, names]) => names.length > 1).map(([k, names]) => [k, ...names.sort()]);
    expect(aliases.sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(EXPECTED_ALIASES);
  });
});

describe('generated table (src/shared/gen9-commands.ts)', () => {
  it('holds exactly the instructions of gen9.xml, in its order', () => {
    expect(GEN9_INSTRUCTIONS.map((r) => r.name)).toEqual(instructions.map((i) => i.name));
    expect(COMMAND_SPECS.filter((s) => s.source === 'genxml').map((s) => s.name)).toEqual(instructions.map((i) => i.name));
  });

  it('records each instruction’s opcode, bias, length field, length and engine as genxml does', () => {
    for (const row of GEN9_INSTRUCTIONS) {
      const h = headers.get(row.name)!;
      const i = byName.get(row.name)!;
      expect(row.type, row.name).toBe(h.type);
      if (h.type === 0) {
        expect(row.op, row.name).toBe((h.dw0 >>> 23) & 0x3f);
      } else {
        expect([row.sub, row.op, row.subop], row.name).toEqual([(h.dw0 >>> 27) & 3, (h.dw0 >>> 24) & 7, (h.dw0 >>> 16) & 0xff]);
      }
      expect(row.bias, row.name).toBe(h.bias);
      expect(row.lenEnd, row.name).toBe(h.lenEnd);
      expect(row.length, row.name).toBe(h.length);
      expect(row.engine, row.name).toBe(i.attrs.engine ?? 'all');
    }
  });

  it('lists every top-level address / offset field at its dword and bits', () => {
    let checked = 0;
    for (const i of instructions) {
      const spec = COMMAND_SPECS.find((s) => s.name === i.name)!;
      for (const f of i.fields.filter((f) => f.type === 'address' || f.type === 'offset')) {
        const start = num(f.start);
        const dword = Math.floor(start / 32);
        expect(spec.addressFields, `${i.name}: ${f.name}`).toContainEqual(
          expect.objectContaining({ name: f.name, dword, lo: start - dword * 32, hi: num(f.end) - dword * 32 }),
        );
        expect(spec.addressFields.find((a) => a.name === f.name && a.dword === dword)!.kind).toBe(
          f.type === 'address' ? 'address' : /Register/.test(f.name) ? 'register' : 'offset',
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('expands struct members and groups into repeating fields', () => {
    const fields = (dw0: number, engine?: number) => decodeHeader(dw0, engine)!.addressFields;
    const dw0 = (name: string) => headers.get(name)!.dw0;
    expect(fields(dw0('MI_STORE_DATA_IMM'))).toEqual([{ name: 'Address', kind: 'address', dword: 1, lo: 2, hi: 47 }]);
    expect(fields(dw0('MI_LOAD_REGISTER_IMM'))).toEqual([
      { name: 'Register Offset', kind: 'register', dword: 1, lo: 2, hi: 22 },
      { name: 'Register Offset', kind: 'register', dword: 3, lo: 2, hi: 22, stride: 2 },
    ]);
    expect(fields(dw0('3DSTATE_VERTEX_BUFFERS'))).toEqual([
      { name: 'Vertex Buffer State.Buffer Starting Address', kind: 'address', dword: 2, lo: 0, hi: 63, stride: 4 },
    ]);
    expect(fields(dw0('3DSTATE_CONSTANT_VS'))).toEqual([
      { name: 'Constant Body.Buffer', kind: 'address', dword: 3, lo: 5, hi: 63, stride: 2, count: 4 },
    ]);
    expect(fields(dw0('HUC_VIRTUAL_ADDR_STATE'), ENGINE.VIDEO)).toEqual([
      { name: 'HUC Virtual Address Region.Address', kind: 'address', dword: 1, lo: 0, hi: 63, stride: 3, count: 16 },
    ]);
  });
});

describe('decodeHeader on every genxml instruction', () => {
  const aliasDefault = new Map(EXPECTED_ALIASES.map(([k, render]) => [k, render]));

  for (const i of instructions) {
    const h = headers.get(i.name)!;
    it(i.name, () => {
      const base = (h.dw0 | (h.lenDefault ?? 0)) >>> 0;
      // With the instruction's engine the name is exact, aliases included.
      const info = decodeHeader(base, firstEngine(h))!;
      expect(info, i.name).toBeDefined();
      expect(info.name).toBe(i.name);
      expect(info.type).toBe(h.type);
      expect(info.engines).toBe(ENGINE_OVERRIDES[i.name] ?? h.engines);
      expect(commandName(base, firstEngine(h))).toBe(i.name);
      // Without an engine: the instruction itself, or for a shared key the render-engine alias.
      const key = keyOf(h);
      expect(opcodeKey(base)).toBe(key);
      expect(decodeHeader(base)!.name).toBe(aliasDefault.get(key) ?? i.name);
      expect(commandCandidates(base).map((s) => s.name).sort()).toEqual(groups.get(key)!.slice().sort());

      const fixed = LENGTH_OVERRIDES[i.name];
      if (fixed !== undefined) {
        // GVT-g cmd_parser.c cmd_info: F_LEN_CONST, whatever the DWord Length field holds.
        for (const v of [0, 1, 5, 63]) expect(decodeHeader((h.dw0 | v) >>> 0, firstEngine(h))!.length).toBe(fixed);
        expect(info.spec.lengthMask).toBe(0);
      } else if (h.lenEnd === undefined) {
        expect(info.length).toBe(h.length);
        expect(commandLength(base, firstEngine(h))).toBe(h.length);
        expect(info.spec.lengthMask).toBe(0);
      } else {
        const max = 2 ** (h.lenEnd + 1) - 1;
        const values = new Set([0, 1, h.lenDefault ?? 0, max >>> 1, max]);
        for (const v of values) {
          const dw0 = (h.dw0 | v) >>> 0;
          expect(decodeHeader(dw0, firstEngine(h))!.length, `${i.name} DWord Length ${v}`).toBe(v + h.bias);
          expect(commandLength(dw0, firstEngine(h))).toBe(v + h.bias);
        }
        expect(info.spec.lengthMask).toBe(max);
      }
      expect(info.spec.nominalLength).toBe(fixed ?? h.length);
    });
  }

  it('the default DWord Length gives genxml’s nominal length, except where gen9.xml disagrees with itself', () => {
    const disagree = [...headers]
      .filter(([, h]) => h.length !== undefined && h.lenDefault !== undefined && h.lenDefault + h.bias !== h.length)
      .map(([name]) => name);
    // MFD_AVC_DPB_STATE: length="27" but DWord Length default 9 (11 dwords). Decoding follows dw0.
    expect(disagree).toEqual(['MFD_AVC_DPB_STATE']);
  });
});

describe('unknown opcodes', () => {
  const knownKeys = new Set(groups.keys());
  const unusedMi = Array.from({ length: 64 }, (_, op) => op).filter((op) => !knownKeys.has(op));
  const unused3d = [0x6000, 0x6800, 0x7fff, 0x7e00, 0x7a01].filter((k) => !knownKeys.has(k));

  it('there are unused keys to try', () => {
    expect(unusedMi.length).toBeGreaterThan(5);
    expect(unused3d.length).toBeGreaterThanOrEqual(4);
  });

  const unknown = [
    ...unusedMi.slice(0, 4).map((op) => (op << 23) >>> 0),
    ...unusedMi.slice(-2).map((op) => ((op << 23) | 0x3f) >>> 0),
    ...unused3d.map((k) => ((k << 16) | 0xff) >>> 0),
    0x20000000, // Command Type 1
    0x80000000, // Command Type 4
    0xe0000000, // Command Type 7
    ((2 << 29) | (0x7f << 22) | 5) >>> 0, // 2D opcode 0x7f
    ((2 << 29) | (0x54 << 22) | 8) >>> 0, // XY_MONO_SRC_COPY_BLT: deliberately not modelled
  ];
  for (const dw0 of unknown) {
    it(`0x${dw0.toString(16).padStart(8, '0')} decodes to nothing`, () => {
      expect(decodeHeader(dw0)).toBeUndefined();
      expect(decodeHeader(dw0, ENGINE.RENDER)).toBeUndefined();
      expect(commandLength(dw0)).toBeUndefined();
      expect(commandCandidates(dw0)).toEqual([]);
      expect(commandName(dw0)).toBe(`UNKNOWN(0x${dw0.toString(16).padStart(8, '0')})`);
    });
  }
});

describe('existing encodings', () => {
  it('decode to the lengths and names the guest driver and scanner rely on', () => {
    expect([MI_NOOP, MI_USER_INTERRUPT, MI_BATCH_BUFFER_END].map((d) => [commandName(d), commandLength(d)])).toEqual([
      ['MI_NOOP', 1],
      ['MI_USER_INTERRUPT', 1],
      ['MI_BATCH_BUFFER_END', 1],
    ]);
    expect(decodeHeader(MI_STORE_DATA_IMM_GGTT)).toMatchObject({ name: 'MI_STORE_DATA_IMM', length: 4, engines: ENGINE_ALL });
    expect(decodeHeader(MI_FLUSH_DW, ENGINE.BLITTER)).toMatchObject({ name: 'MI_FLUSH_DW', length: 5 });
    expect(decodeHeader(MI_FLUSH_DW)!.engines & ENGINE.BLITTER).toBeTruthy();
    expect(decodeHeader(XY_COLOR_BLT_CMD)).toMatchObject({ name: 'XY_COLOR_BLT', length: 7, engines: ENGINE.BLITTER });
    expect(decodeHeader(XY_SRC_COPY_BLT_CMD)!.addressFields.map((a) => a.dword)).toEqual([4, 8]);
    expect(commandLength(XY_SRC_COPY_BLT_CMD)).toBe(10);
    const setup = ((2 << 29) | (BLT.XY_SETUP_BLT << 22) | 8) >>> 0;
    expect(decodeHeader(setup)).toMatchObject({ name: 'XY_SETUP_BLT', length: 10, type: 2 });
    expect(commandLength(((2 << 29) | (BLT.XY_COLOR_BLT << 22) | 0xff) >>> 0)).toBe(0x101);
  });

  it('opcode flag bits outside the opcode do not change the decode', () => {
    const sdi = decodeHeader(MI_STORE_DATA_IMM_GGTT | (1 << 21))!;
    expect(sdi.name).toBe('MI_STORE_DATA_IMM');
    expect(decodeHeader(0x0000_0001 | (1 << 22))!.name).toBe('MI_NOOP');
  });
});
