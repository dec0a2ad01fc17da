/**
 * Stable UUIDs for exported domains and their vGPUs.
 *
 * A real KVMGT host names each vGPU by a UUID (/sys/bus/mdev/devices/UUID) that the QEMU command
 * line, the libvirt <hostdev> and mdevctl's config must all agree on, and that must stay the same
 * from one export to the next (or a re-export would ask for a vGPU nobody created). GVT Desk derives
 * it from the domain name instead of storing one: a name-based UUID (version 5, SHA-1; RFC 9562
 * §5.5, formerly RFC 4122 §4.3) in a namespace of GVT Desk's own. So every export of a domain, from
 * any data dir or machine, names the same vGPU, and nothing has to be persisted or migrated; a domain
 * renamed (imported under another name) is another domain and gets another vGPU.
 */
import { createHash } from 'node:crypto';

/** GVT Desk's UUID namespace: a fixed random (v4) UUID, so its names never collide with other schemes. */
export const GVT_DESK_UUID_NAMESPACE = '22ae0cba-27db-4974-98c5-21adcaa3870e';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The name-based (version 5, SHA-1) UUID of `name` in `namespace`, lower-case hex with dashes.
 * @param namespace a UUID in text form, e.g. RFC 9562's DNS namespace 6ba7b810-9dad-11d1-80b4-00c04fd430c8
 * @param name any string; hashed as UTF-8
 * @throws RangeError when `namespace` is not a UUID
 * source: RFC 9562 §5.5 (UUID version 5)
 */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID_TEXT.test(namespace)) throw new RangeError(`'${namespace}' is not a UUID`);
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // the RFC 9562 variant (10xx)
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The UUID of domain `name`'s vGPU (its mdev): uuidV5(GVT_DESK_UUID_NAMESPACE, `vgpu:<name>`). */
export function vgpuUuid(name: string): string {
  return uuidV5(GVT_DESK_UUID_NAMESPACE, `vgpu:${name}`);
}

/** The libvirt domain UUID of domain `name`: uuidV5(GVT_DESK_UUID_NAMESPACE, `domain:<name>`), distinct from its vGPU's. */
export function domainUuid(name: string): string {
  return uuidV5(GVT_DESK_UUID_NAMESPACE, `domain:${name}`);
}
