/**
 * libvirt domain XML read into the same domain settings as an xl config, and written out as xl.cfg
 * text for the library: what lets File ▸ Import (library.import) take a `virsh dumpxml` file or
 * GVT Desk's own libvirt export.
 *
 * A GVT Desk domain is a KVMGT guest, so the XML must hold exactly one mediated device:
 * <hostdev mode='subsystem' type='mdev' model='vfio-pci'> with <source><address uuid='…'/>. Its
 * type (i915-GVTg_V5_*) is not part of libvirt's domain XML (it belongs to the mdev); GVT Desk's
 * export records it in <metadata> under its own namespace (export/libvirt.ts), and without that the
 * domain gets GVT Desk's default vGPU sizes, which the converted config says in a comment.
 * Read: <name>, <memory> (with libvirt's units), <vcpu> (its `current` when given), the mdev
 * hostdev, <input type='tablet' bus='usb'> and a <graphics keymap='…'>. Every other device is
 * listed in a comment so nothing is dropped silently.
 *
 * Bad input never throws: malformed XML (fast-xml-validator's syntax check) and missing or invalid
 * elements become findings with the line and column of the element they are about. A DOCTYPE is
 * refused (libvirt XML has none; entity declarations are an expansion hazard).
 * source: libvirt formatdomain (General metadata, Memory Allocation, CPU Allocation, Host device
 * assignment: mdev, Input devices, Graphical framebuffers) and libvirt's virScaleInteger for units
 */
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { KEYMAP_NAMES } from '../../shared/keymap';
import { excerpt } from '../../shared/excerpt';
import { DOMAIN_NAME } from './domain-spec';
import { GVT_DESK_LIBVIRT_NS, GVT_METADATA_ELEMENT } from './export/libvirt';
import { typeFromMdevTypeName } from './export/vgpu-type';
import { formatXlValue, type ConfigFinding, type XlValue } from './xlcfg';

/** Domain settings read from libvirt domain XML. */
export interface LibvirtDomainSettings {
  /** <name> */
  name: string;
  /** <memory>, converted to MiB */
  memoryMiB: number;
  /** <vcpu current='…'> or <vcpu>; 1 when absent (libvirt's default) */
  vcpus: number;
  /** The mdev hostdev's <source><address uuid='…'/> */
  mdevUuid: string;
  /** The GVT-g type (e.g. GVTg_V5_4) from GVT Desk's <metadata>, or null when the XML does not say */
  vgpuType: string | null;
  /** A keymap from <graphics keymap='…'> that GVT Desk translates, or null */
  keymap: string | null;
  /** <input type='tablet' bus='usb'> */
  tablet: boolean;
  /** Other <devices> children, e.g. ['disk', 'disk', 'interface'], for the comment in the xl text */
  otherDevices: string[];
  /** Notes for that comment (e.g. a keymap GVT Desk does not know) */
  notes: string[];
}

/** Whether text is XML rather than an xl config or a command line: its first non-blank character is '<'. */
export function looksLikeXml(text: string): boolean {
  return /^\uFEFF?\s*</.test(text);
}

/** An element as the parser gives it: text, attributes and child elements (always arrays). */
interface XmlNode {
  '#text'?: string;
  '@'?: Record<string, string>;
  [child: string]: XmlNode[] | string | Record<string, string> | undefined;
}

const META = XMLParser.getMetaDataSymbol() as unknown as string;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributesGroupName: '@',
  attributeNamePrefix: '',
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
  captureMetaData: true,
  isArray: (tagName, _path, _leaf, isAttribute) => !isAttribute && tagName !== '@',
});

/** libvirt's scaled-integer units (virScaleInteger): bytes, k/KiB = 1024, KB = 1000, … up to E. */
function unitScale(unit: string): number | null {
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1;
  const base = u.length === 1 || u.slice(1) === 'ib' ? 1024 : u.slice(1) === 'b' ? 1000 : 0;
  const power = 'kmgtpe'.indexOf(u[0] ?? '') + 1;
  return base === 0 || power === 0 ? null : base ** power;
}

/**
 * Read libvirt domain XML. Never throws for bad input.
 * @param text the XML document
 * @param fileName used in findings
 * @returns the settings (null when any finding is an error) and the findings in document order, each
 *   at the line:column of the element (or syntax error) it is about, e.g.
 *   `vm.xml:12:5: error: devices: no mediated device (vGPU): …`
 * source: libvirt formatdomain; fast-xml-validator for well-formedness
 */
export function parseLibvirtDomain(text: string, fileName: string): { settings: LibvirtDomainSettings | null; findings: ConfigFinding[] } {
  const findings: ConfigFinding[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const locate = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const report = (severity: ConfigFinding['severity'], where: { line: number; column: number }, field: string | undefined, message: string): void => {
    findings.push({ severity, file: fileName, ...where, ...(field !== undefined ? { field } : {}), message });
  };
  const at = (node: XmlNode): { line: number; column: number } => locate((node as unknown as Record<string, { startIndex?: number }>)[META]?.startIndex ?? 0);
  const fail = (): { settings: null; findings: ConfigFinding[] } => ({ settings: null, findings });

  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) {
    report('error', locate(doctype.index), undefined, 'a DOCTYPE is not allowed: libvirt domain XML has none, and GVT Desk does not expand entity declarations');
    return fail();
  }
  try {
    SyntaxValidator.validate(text);
  } catch (err) {
    const e = err as { message?: string; line?: number; col?: number };
    // The validator's message may quote tag names from the file: keep it to one bounded line.
    const reason = (e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 200);
    report('error', { line: e.line ?? 1, column: e.col ?? 1 }, undefined, `not well-formed XML: ${reason}`);
    return fail();
  }
  let doc: Record<string, XmlNode[]>;
  try {
    doc = parser.parse(text) as Record<string, XmlNode[]>;
  } catch (err) {
    report('error', { line: 1, column: 1 }, undefined, `not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
    return fail();
  }
  const roots = Object.keys(doc);
  const domain = doc.domain?.[0];
  if (!domain) {
    const other = roots[0] !== undefined ? doc[roots[0]]?.[0] : undefined;
    report('error', other ? at(other) : { line: 1, column: 1 }, undefined, `the root element is ${roots[0] !== undefined ? `<${excerpt(roots[0])}>` : 'missing'}; libvirt domain XML has <domain type='kvm'>`);
    return fail();
  }

  const kids = (node: XmlNode, name: string): XmlNode[] => {
    const v = node[name];
    return Array.isArray(v) ? v : [];
  };
  const attr = (node: XmlNode, name: string): string | undefined => node['@']?.[name];
  const textOf = (node: XmlNode): string => node['#text'] ?? '';

  // <name>
  let name = '';
  const nameNode = kids(domain, 'name')[0];
  if (!nameNode) report('error', at(domain), 'name', 'missing: libvirt domain XML must have a <name>');
  else if (!DOMAIN_NAME.test(textOf(nameNode))) report('error', at(nameNode), 'name', `'${excerpt(textOf(nameNode))}' cannot be a GVT Desk domain name: use 1-64 letters, digits, '.', '_' or '-'`);
  else name = textOf(nameNode);

  // <memory unit='…'>, KiB when no unit is given.
  let memoryMiB = 0;
  const memoryNode = kids(domain, 'memory')[0];
  if (!memoryNode) report('error', at(domain), 'memory', 'missing: libvirt domain XML must have a <memory>');
  else {
    const unit = attr(memoryNode, 'unit') ?? 'KiB';
    const scale = unitScale(unit);
    const digits = textOf(memoryNode);
    if (scale === null) report('error', at(memoryNode), 'memory', `unknown unit '${excerpt(unit)}' (libvirt's units: b, KB, k or KiB, MB, M or MiB, GB, G or GiB, …)`);
    else if (!/^\d{1,15}$/.test(digits)) report('error', at(memoryNode), 'memory', `must be a whole number of ${unit}, got '${excerpt(digits)}'`);
    else {
      const bytes = Number(digits) * scale;
      if (!Number.isSafeInteger(bytes) || bytes % 2 ** 20 !== 0) report('error', at(memoryNode), 'memory', `${digits} ${unit} is not a whole number of MiB (xl's memory= is in MiB)`);
      else memoryMiB = bytes / 2 ** 20;
    }
  }

  // <vcpu current='N'>MAX</vcpu>: the guest starts with `current`.
  let vcpus = 1;
  const vcpuNode = kids(domain, 'vcpu')[0];
  if (vcpuNode) {
    const value = attr(vcpuNode, 'current') ?? textOf(vcpuNode);
    if (!/^\d{1,4}$/.test(value) || Number(value) < 1) report('error', at(vcpuNode), 'vcpu', `must be a number of virtual CPUs (1 or more), got '${excerpt(value)}'`);
    else vcpus = Number(value);
  }

  // <devices>: exactly one mdev hostdev.
  const devices = kids(domain, 'devices')[0];
  let mdevUuid = '';
  let mdevCount = 0;
  let tablet = false;
  let keymap: string | null = null;
  const notes: string[] = [];
  const otherDevices: string[] = [];
  for (const [tag, list] of Object.entries(devices ?? {})) {
    if (tag === '#text' || tag === '@' || !Array.isArray(list)) continue;
    for (const dev of list) {
      if (tag === 'hostdev' && attr(dev, 'type') === 'mdev') {
        mdevCount++;
        if (mdevCount > 1) {
          report('error', at(dev), 'hostdev', 'a second mediated device: a GVT Desk domain has one vGPU');
          continue;
        }
        const model = attr(dev, 'model');
        const address = kids(kids(dev, 'source')[0] ?? {}, 'address')[0];
        const uuid = address ? attr(address, 'uuid') : undefined;
        if (model !== 'vfio-pci') report('error', at(dev), 'hostdev', `model='${excerpt(model ?? '')}' is not a GVT-g vGPU: an Intel vGPU is an mdev with model='vfio-pci'`);
        else if (uuid === undefined) report('error', at(dev), 'hostdev', "the mdev has no <source><address uuid='…'/></source>");
        else if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) report('error', at(address!), 'hostdev', `uuid '${excerpt(uuid)}' is not a UUID`);
        else mdevUuid = uuid.toLowerCase();
      } else if (tag === 'input' && attr(dev, 'type') === 'tablet' && (attr(dev, 'bus') ?? 'usb') === 'usb') {
        tablet = true;
      } else if (tag === 'graphics' && attr(dev, 'keymap') !== undefined) {
        const k = attr(dev, 'keymap')!;
        if (KEYMAP_NAMES.includes(k)) keymap ??= k;
        else notes.push(`keymap '${excerpt(k)}' of <graphics> is not one GVT Desk translates; en-us is used`);
      } else if (!['graphics', 'video', 'input', 'emulator'].includes(tag)) {
        otherDevices.push(tag === 'hostdev' ? `hostdev (${attr(dev, 'type') ?? '?'})` : tag);
      }
    }
  }
  if (mdevCount === 0) {
    const mdevHelp = "GVT Desk imports KVMGT guests, whose <devices> hold <hostdev mode='subsystem' type='mdev' model='vfio-pci'> with <source><address uuid='…'/></source>";
    report('error', at(devices ?? domain), 'devices', `${devices ? 'no mediated device (vGPU)' : 'no <devices> and so no mediated device (vGPU)'}: ${mdevHelp}`);
  }

  // GVT Desk's <metadata><gvt:vgpu xmlns:gvt='urn:gvt-desk:libvirt:1' mdev_type='i915-GVTg_V5_4' …/>.
  let vgpuType: string | null = null;
  const metadata = kids(domain, 'metadata')[0];
  for (const [tag, list] of Object.entries(metadata ?? {})) {
    const colon = tag.indexOf(':');
    const local = colon < 0 ? tag : tag.slice(colon + 1);
    if (local !== GVT_METADATA_ELEMENT || !Array.isArray(list)) continue;
    const nsAttr = colon < 0 ? 'xmlns' : `xmlns:${tag.slice(0, colon)}`;
    for (const node of list) {
      if ((attr(node, nsAttr) ?? attr(domain, nsAttr)) !== GVT_DESK_LIBVIRT_NS) continue;
      const mdevType = attr(node, 'mdev_type') ?? '';
      const type = typeFromMdevTypeName(mdevType);
      if (!type) report('error', at(node), 'metadata', `mdev_type '${excerpt(mdevType)}' is not a GVT-g vGPU type (i915-GVTg_V5_8, _4, _2 or _1)`);
      else vgpuType = type.name;
    }
  }

  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  if (findings.some((f) => f.severity === 'error')) return fail();
  return { settings: { name, memoryMiB, vcpus, mdevUuid, vgpuType, keymap, tablet, otherDevices, notes }, findings };
}

/**
 * xl.cfg text for libvirt settings: name, builder='hvm', memory, vcpus, vgt=1, gvt_vgpu_type (when
 * the XML gave the type), keymap and usbdevice='tablet'; the mdev UUID, the devices with no xl
 * equivalent and any notes in a comment at the top.
 * @param sourceFileName the imported file's name, for the comment
 */
export function libvirtToXl(settings: LibvirtDomainSettings, sourceFileName: string): string {
  const lines = [`# Converted by GVT Desk from libvirt domain XML (${comment(sourceFileName)}).`];
  lines.push(`# vGPU: the mdev with UUID ${settings.mdevUuid}${settings.vgpuType ? '' : "; the XML does not say its type, so GVT Desk's default sizes are used (set gvt_vgpu_type)"}.`);
  if (settings.otherDevices.length > 0) {
    const counts = new Map<string, number>();
    for (const d of settings.otherDevices) counts.set(d, (counts.get(d) ?? 0) + 1);
    lines.push(`# libvirt devices with no xl equivalent here: ${[...counts].map(([d, n]) => (n > 1 ? `${d} x${n}` : d)).join(', ')}.`);
  }
  for (const n of settings.notes) lines.push(`# ${comment(n)}`);
  const put = (key: string, value: XlValue): void => {
    lines.push(`${key} = ${formatXlValue(value)}`);
  };
  put('name', { kind: 'string', value: settings.name });
  put('builder', { kind: 'string', value: 'hvm' });
  put('memory', { kind: 'number', value: settings.memoryMiB });
  put('vcpus', { kind: 'number', value: settings.vcpus });
  put('vgt', { kind: 'number', value: 1 });
  if (settings.vgpuType !== null) put('gvt_vgpu_type', { kind: 'string', value: settings.vgpuType });
  if (settings.keymap !== null) put('keymap', { kind: 'string', value: settings.keymap });
  if (settings.tablet) put('usbdevice', { kind: 'string', value: 'tablet' });
  return `${lines.join('\n')}\n`;
}

/** Text safe inside a one-line comment: an excerpt (control and invisible characters escaped). */
function comment(s: string): string {
  return excerpt(s);
}
