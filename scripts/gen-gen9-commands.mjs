#!/usr/bin/env node
// Generates src/shared/gen9-commands.ts — the Gen9 command table (every <instruction> of Mesa's
// genxml gen9.xml: opcode, length encoding, engines, address fields) — from gen9.xml.
//
//   node scripts/gen-gen9-commands.mjs [path/to/gen9.xml] [--check]
//
// Default input: ../shared/testdata/genxml/gen9.xml next to the project root. --check writes
// nothing and exits 1 when the generated file is stale. Plain Node, no dependencies: gen9.xml is
// regular (attributes in double quotes, no entities, no CDATA), so a small tag scanner suffices;
// anything unexpected makes the script fail loudly rather than emit a wrong table.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const xmlPath = resolve(args.find((a) => !a.startsWith('--')) ?? resolve(root, '../shared/testdata/genxml/gen9.xml'));
const outPath = resolve(root, 'src/shared/gen9-commands.ts');

const fail = (msg) => {
  console.error(`gen-gen9-commands: ${msg}`);
  process.exit(1);
};

/** Parse the XML into { tag, attrs, children } nodes (elements only; text is ignored). */
function parseXml(text) {
  const src = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  const top = { tag: '#document', attrs: {}, children: [] };
  const stack = [top];
  const tagRe = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m; (m = tagRe.exec(src)); ) {
    const between = src.slice(last, m.index);
    if (between.includes('<')) fail(`unparsed markup near offset ${last}: ${between.slice(between.indexOf('<'), between.indexOf('<') + 60)}`);
    last = tagRe.lastIndex;
    const [, closing, tag, attrText, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || open.tag !== tag) fail(`mismatched </${tag}>`);
      continue;
    }
    const attrs = {};
    for (const a of attrText.matchAll(/([\w.-]+)\s*=\s*"([^"]*)"/g)) {
      if (a[2].includes('&')) fail(`XML entity in attribute ${a[1]}="${a[2]}" (not supported)`);
      attrs[a[1]] = a[2];
    }
    const node = { tag, attrs, children: [] };
    stack[stack.length - 1].children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (stack.length !== 1) fail(`unclosed <${stack[stack.length - 1].tag}>`);
  if (src.slice(last).includes('<')) fail('unparsed markup at the end of the file');
  return top;
}

const int = (node, name) => {
  const v = node.attrs[name];
  if (v === undefined || !/^\d+$/.test(v)) fail(`${node.attrs.name ?? node.tag}: attribute ${name}="${v}" is not a non-negative integer`);
  return Number(v);
};

const xmlText = readFileSync(xmlPath, 'utf8');
const sha256 = createHash('sha256').update(readFileSync(xmlPath)).digest('hex');
const doc = parseXml(xmlText);
const genxml = doc.children.find((n) => n.tag === 'genxml') ?? fail('no <genxml> root');
const structs = new Map(genxml.children.filter((n) => n.tag === 'struct').map((n) => [n.attrs.name, n]));
const instructions = genxml.children.filter((n) => n.tag === 'instruction');
if (instructions.length === 0) fail('no <instruction> elements');

const ENGINES = new Set(['render', 'blitter', 'video']);

/**
 * Address-like fields of `node` (an instruction, struct or group) at absolute bit `base`:
 * type "address" (graphics address), "offset" (offset from a base, or an MMIO register offset
 * for fields named "... Register ..."). Struct-typed fields are expanded ("Field.Subfield"). A
 * group becomes a repetition: `stride` (its size in dwords) and `count` (absent for count="0",
 * which repeats to the end of the command); groups inside a repeated group are unrolled.
 */
function addressFields(node, base, rep, prefix, out, where) {
  for (const child of node.children) {
    if (child.tag === 'field') {
      const start = base + int(child, 'start');
      const end = base + int(child, 'end');
      const name = `${prefix}${child.attrs.name}`;
      const type = child.attrs.type;
      if (type === 'address' || type === 'offset') {
        const kind = type === 'address' ? 'address' : /\bRegister\b/.test(child.attrs.name) ? 'register' : 'offset';
        const dword = Math.floor(start / 32);
        const tail = rep ? (rep.count ? [rep.stride, rep.count] : [rep.stride]) : [];
        out.push([name, dword, start - dword * 32, end - dword * 32, kind, ...tail]);
      } else if (structs.has(type)) {
        addressFields(structs.get(type), start, rep, `${name}.`, out, `${where} > ${type}`);
      }
    } else if (child.tag === 'group') {
      const count = int(child, 'count');
      const gstart = base + int(child, 'start');
      const size = int(child, 'size');
      const probe = [];
      addressFields(child, gstart, undefined, prefix, probe, where);
      if (probe.length === 0) continue;
      if (!rep && size % 32 === 0) {
        addressFields(child, gstart, { stride: size / 32, count }, prefix, out, where);
      } else if (count > 0) {
        for (let i = 0; i < count; i++) addressFields(child, gstart + i * size, rep, `${prefix}[${i}]`, out, where);
      } else {
        fail(`${where}: repeating group (${size} bits${rep ? ', nested' : ''}) holds address fields`);
      }
    }
  }
}

const rows = [];
for (const ins of instructions) {
  const name = ins.attrs.name;
  const fields = ins.children.filter((n) => n.tag === 'field');
  const field = (fname) => fields.find((f) => f.attrs.name === fname);
  let dw0 = 0;
  let covered = 0;
  for (const f of fields) {
    const s = int(f, 'start');
    const e = int(f, 'end');
    if (e >= 32 || f.attrs.name === 'DWord Length' || f.attrs.default === undefined) continue;
    const width = e - s + 1;
    const mask = width === 32 ? 0xffffffff : ((1 << width) - 1) >>> 0;
    dw0 = (dw0 | ((Number(f.attrs.default) & mask) << s)) >>> 0;
    covered = (covered | (mask << s)) >>> 0;
  }
  const ctField = field('Command Type') ?? fail(`${name}: no Command Type field`);
  if (int(ctField, 'start') !== 29 || int(ctField, 'end') !== 31) fail(`${name}: Command Type is not bits 31:29`);
  const type = dw0 >>> 29;
  const need = type === 0 ? 0xff800000 : type === 3 ? 0xffff0000 : fail(`${name}: Command Type ${type} is neither MI (0) nor 3D/media (3)`);
  if (((covered & need) >>> 0) !== need) fail(`${name}: opcode bits 0x${need.toString(16)} are not all given by field defaults (0x${covered.toString(16)})`);

  const bias = int(ins, 'bias');
  const length = ins.attrs.length === undefined ? undefined : int(ins, 'length');
  const lenField = field('DWord Length');
  let lenEnd;
  if (lenField) {
    if (int(lenField, 'start') !== 0) fail(`${name}: DWord Length does not start at bit 0`);
    lenEnd = int(lenField, 'end');
    if (lenEnd > 15) fail(`${name}: DWord Length wider than 16 bits`);
    if (((covered >>> 0) & ((2 << lenEnd) - 1)) !== 0) fail(`${name}: DWord Length overlaps an opcode field`);
  } else if (length === undefined) {
    fail(`${name}: neither a DWord Length field nor a fixed length`);
  }

  const engineAttr = ins.attrs.engine ?? 'all';
  if (engineAttr !== 'all' && !engineAttr.split('|').every((e) => ENGINES.has(e))) fail(`${name}: unknown engine "${engineAttr}"`);

  const addr = [];
  addressFields(ins, 0, undefined, '', addr, name);

  rows.push({ name, type, dw0, bias, lenEnd, length, engine: engineAttr, addr });
}

const names = new Set();
for (const r of rows) {
  if (names.has(r.name)) fail(`duplicate instruction name ${r.name}`);
  names.add(r.name);
}

const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const hex = (n, w) => `0x${n.toString(16).padStart(w, '0')}`;
const line = (r) => {
  const op =
    r.type === 0
      ? `op: ${hex((r.dw0 >>> 23) & 0x3f, 2)}`
      : `sub: ${(r.dw0 >>> 27) & 3}, op: ${(r.dw0 >>> 24) & 7}, subop: ${hex((r.dw0 >>> 16) & 0xff, 2)}`;
  const len = [r.lenEnd !== undefined ? `lenEnd: ${r.lenEnd}` : null, r.length !== undefined ? `length: ${r.length}` : null].filter(Boolean).join(', ');
  const addr = r.addr.map((a) => `[${[q(a[0]), ...a.slice(1, 4), q(a[4]), ...a.slice(5)].join(', ')}]`).join(', ');
  return `  { name: ${q(r.name)}, type: ${r.type}, ${op}, bias: ${r.bias}, ${len}, engine: ${q(r.engine)}, addr: [${addr}] },`;
};

const engineValues = [...new Set(rows.map((r) => r.engine))].sort();
const xmlRel = relative(root, xmlPath).split('\\').join('/');
const out = `// GENERATED FILE — do not edit. Regenerate with: node scripts/gen-gen9-commands.mjs
// (check freshness with --check). Input: ${xmlRel}, sha256 ${sha256}.
//
// Source: Mesa src/intel/genxml/gen9.xml (Intel Gen9 / Skylake command and state definitions),
// Copyright Intel Corporation, distributed under the MIT license. Every <instruction> element,
// in the file's order, one per line. Decoding lives in ./commands.ts (decodeHeader).

/** Engines an instruction may be submitted to: genxml's \`engine\` attribute, 'all' when absent. */
export type Gen9Engine = ${engineValues.map(q).join(' | ')};

/**
 * An address-like field: [name, dword, lo, hi, kind, stride?, count?]. \`dword\` is the index (0 = header)
 * of the dword holding the field's lowest bit; \`lo\`..\`hi\` are bit numbers relative to that
 * dword (hi > 31 when the field continues into the following dwords, e.g. 2..47 for a 48-bit
 * address in dwords 1 and 2). kind: 'address' = graphics (GGTT/PPGTT) address, 'offset' = offset
 * from a base the command does not carry (state base address, indirect object base, URB),
 * 'register' = MMIO register offset. \`stride\` (dwords) is present when the field sits in a
 * group: it recurs every \`stride\` dwords, \`count\` times, or up to the end of the command
 * when \`count\` is absent. Struct-typed fields are expanded as "Field.Subfield".
 */
export type Gen9AddressField = readonly [name: string, dword: number, lo: number, hi: number, kind: 'address' | 'offset' | 'register', stride?: number, count?: number];

/**
 * One genxml instruction. type 0 (MI): \`op\` = MI Command Opcode, bits 28:23. type 3 (3D, media,
 * GPGPU, video): bits 28:16 split the 3D way — \`sub\` = Command SubType 28:27, \`op\` = 3D Command
 * Opcode 26:24, \`subop\` = 3D Command Sub Opcode 23:16 (media/video commands name these bits
 * Pipeline / Media Command Opcode / SubOpcode A, B; the bits are the same). Length in dwords:
 * (dw0 & ((2 << lenEnd) - 1)) + bias when \`lenEnd\` (DWord Length is bits lenEnd:0) is present,
 * else the fixed \`length\`; \`length\` alone is genxml's nominal length (absent when variable).
 */
export interface Gen9Instruction {
  readonly name: string;
  readonly type: 0 | 3;
  readonly op: number;
  readonly sub?: number;
  readonly subop?: number;
  readonly bias: number;
  readonly lenEnd?: number;
  readonly length?: number;
  readonly engine: Gen9Engine;
  readonly addr: readonly Gen9AddressField[];
}

/** SHA-256 of the gen9.xml this table was generated from. */
export const GEN9_XML_SHA256 = '${sha256}';

export const GEN9_INSTRUCTIONS: readonly Gen9Instruction[] = [
${rows.map(line).join('\n')}
];
`;

if (check) {
  let current = '';
  try {
    current = readFileSync(outPath, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== out) fail(`${relative(root, outPath)} is stale; run node scripts/gen-gen9-commands.mjs`);
  console.log(`${relative(root, outPath)} is up to date (${rows.length} instructions)`);
} else {
  writeFileSync(outPath, out);
  console.log(`wrote ${relative(root, outPath)}: ${rows.length} instructions from ${xmlRel}`);
}
