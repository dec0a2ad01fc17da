/**
 * Export as libvirt domain XML (for `virsh define`), the vGPU as a VFIO mediated device:
 *
 *   <hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on' ramfb='on'>
 *     <source><address uuid='UUID'/></source>
 *   </hostdev>
 *
 * display='on' needs a graphics device: SPICE with OpenGL (listen none), which shows the vGPU's
 * dma-buf framebuffer; <video><model type='none'/> leaves the vGPU the only display; QEMU's
 * x-igd-opregion=on (the OpRegion the guest i915 looks for) has no libvirt attribute, so it is set
 * with libvirt's <qemu:override> on the hostdev's user alias. libvirt's domain XML keeps only the
 * mdev's UUID (its type lives with the mdev, in mdevctl or the node device), so the type and parent
 * go into <metadata> under GVT Desk's namespace, where libvirt keeps foreign elements and GVT Desk's
 * importer (../libvirt-import.ts) finds them: an export imports back with its name, memory, vCPUs
 * and vGPU type. The XML is built with fast-xml-builder, which escapes every text and attribute.
 * Tests validate the output with libvirt's own schema (virt-xml-validate).
 * source: libvirt formatdomain ("Host device assignment", mdev; "Graphical framebuffers";
 * "Video devices"; <metadata>), libvirt's schemas/domaincommon.rng, libvirt kbase "QEMU command-line
 * passthrough" (<qemu:override>)
 */
import fastXmlBuilder from 'fast-xml-builder';
import { DOMAIN_DEFAULTS, type DomainSpec } from '../domain-spec';
import { domainUuid, vgpuUuid } from './uuid';
import { GVT_PARENT, mdevTypeName, vgpuTypeFor } from './vgpu-type';

/** libvirt's namespace for QEMU-specific elements (<qemu:override>, <qemu:commandline>). */
export const LIBVIRT_QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';
/** GVT Desk's namespace for its <metadata> element. */
export const GVT_DESK_LIBVIRT_NS = 'urn:gvt-desk:libvirt:1';
/** The local name of GVT Desk's <metadata> element, which carries the vGPU's mdev type and parent. */
export const GVT_METADATA_ELEMENT = 'vgpu';
/** The hostdev's user alias (libvirt requires the "ua-" prefix), which <qemu:override> refers to. */
export const VGPU_ALIAS = 'ua-gvtg-vgpu';

type BuilderConstructor = typeof fastXmlBuilder;
// The constructor is the package's default export. Under vitest (ES modules) the default import is
// the constructor; the bundled main process require()s the CommonJS build, whose exports object
// holds it as `default`, and the bundle's default import is that whole object.
const Builder: BuilderConstructor = (fastXmlBuilder as BuilderConstructor & { default?: BuilderConstructor }).default ?? fastXmlBuilder;
const builder = new Builder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true, suppressBooleanAttributes: false, commentPropName: '#comment' });

/**
 * The domain as libvirt domain XML (type kvm, x86_64 `pc` machine), with stable domain and vGPU
 * UUIDs (domainUuid, vgpuUuid), memory in MiB, vCPUs, the mdev hostdev, SPICE+GL graphics (with the
 * keymap when it is not en-us) and a USB tablet when the domain has one.
 * @throws ApiError('config') for a domain without a vGPU or whose sizes no GVT-g type covers (vgpuTypeFor)
 */
export function exportLibvirt(spec: DomainSpec): string {
  const mdevType = mdevTypeName(vgpuTypeFor(spec));
  const uuid = vgpuUuid(spec.name);
  const graphics: Record<string, unknown> = { '@_type': 'spice', listen: { '@_type': 'none' }, gl: { '@_enable': 'yes' } };
  if (spec.keymap !== DOMAIN_DEFAULTS.keymap) graphics['@_keymap'] = spec.keymap;
  const devices: Record<string, unknown> = {
    hostdev: {
      '@_mode': 'subsystem',
      '@_type': 'mdev',
      '@_model': 'vfio-pci',
      '@_display': 'on',
      '@_ramfb': 'on',
      source: { address: { '@_uuid': uuid } },
      alias: { '@_name': VGPU_ALIAS },
    },
    graphics,
    video: { model: { '@_type': 'none' } },
  };
  if (spec.tablet) devices.input = { '@_type': 'tablet', '@_bus': 'usb' };
  const doc = {
    // No domain name in the comment: a name may hold "--", which a comment cannot.
    '#comment': ` Exported by GVT Desk. Before the first start, create the vGPU (mdev type ${mdevType}, UUID ${uuid}) on ${GVT_PARENT}: define it with GVT Desk's mdevctl export, or write the UUID to /sys/bus/pci/devices/${GVT_PARENT}/mdev_supported_types/${mdevType}/create `,
    domain: {
      '@_type': 'kvm',
      '@_xmlns:qemu': LIBVIRT_QEMU_NS,
      name: spec.name,
      uuid: domainUuid(spec.name),
      metadata: { [`gvt:${GVT_METADATA_ELEMENT}`]: { '@_xmlns:gvt': GVT_DESK_LIBVIRT_NS, '@_mdev_type': mdevType, '@_parent': GVT_PARENT, '@_uuid': uuid } },
      memory: { '@_unit': 'MiB', '#text': String(spec.memoryMiB) },
      vcpu: String(spec.vcpus),
      os: { type: { '@_arch': 'x86_64', '@_machine': 'pc', '#text': 'hvm' } },
      features: { acpi: '', apic: '' },
      devices,
      'qemu:override': {
        'qemu:device': {
          '@_alias': VGPU_ALIAS,
          'qemu:frontend': { 'qemu:property': { '@_name': 'x-igd-opregion', '@_type': 'bool', '@_value': 'true' } },
        },
      },
    },
  };
  return builder.build(doc);
}
