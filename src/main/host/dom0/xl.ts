/**
 * `xl` in the Dom0 shell: the toolstack commands of the setup guides over the host API (the same
 * calls the UI's buttons make). Output follows Xen 4.6's xl (tools/libxl/xl_cmdimpl.c):
 * `Parsing config from FILE`, `Failed to read config file: FILE: …`, the `xl list` table,
 * `xl list -l`'s JSON, `xl info`, and the shutdown/reboot messages of shutdown_domain and
 * reboot_domain.
 *
 * `xl create FILE` looks for FILE in the Dom0 view (against the working directory), then, for a
 * bare file name, in /etc/xen — the search path `xm create` had (`.:/etc/xen`); xl itself opens
 * the path as given — then, for an absolute path, on the machine running GVT Desk (what
 * `gvt-desk xl create FILE` sends; the user's own authority, read by the checked reader), and last
 * as the name of a library domain. A file is imported into the library (replacing the domain of
 * its name=) and that domain is started; a library domain's own /etc/xen file starts it as is.
 */
import { ApiError, type DomainInfo } from '../../../shared/api';
import { FileAccessError } from '../../files/checked-io';
import { DOMAIN_NAME, readDomainConfig } from '../../vm/domain-spec';
import type { Command, CommandContext } from './command';
import { XEN_DIR, readXenFile } from './etc-xen';
import { baseName, parentOf, resolvePath } from './paths';
import { formatXlInfo } from './xl-info';
import { formatXlList } from './xl-list';
import { formatXlListLong } from './xl-list-long';

const USAGE = 'Usage: xl create FILE | xl list [-l] [NAME|ID] | xl info | xl destroy|pause|unpause|console NAME|ID | xl shutdown|reboot [-w] NAME|ID\n';

type Running = DomainInfo & { domid: number };

const running = (domains: DomainInfo[]): Running[] => domains.filter((d): d is Running => d.domid !== null);

export const xl: Command = async (args, ctx) => {
  const [sub, ...rest] = args;
  const call = ctx.host.call;
  const target = rest.find((a) => !a.startsWith('-'));
  const ref = target === undefined ? undefined : /^\d+$/.test(target) ? Number(target) : target;
  const usage = (): number => {
    ctx.stderr(USAGE);
    return 2;
  };
  switch (sub) {
    case 'list':
      return list(rest, ctx);
    case 'info':
      ctx.stdout.write(formatXlInfo(ctx.host.machine, await call('domains.list', {}), await call('gpu.info', {})));
      return 0;
    case 'create':
      return target === undefined ? usage() : create(target, ctx);
    case 'destroy':
    case 'pause':
    case 'unpause':
      if (ref === undefined) return usage();
      await call(sub === 'destroy' ? 'domain.destroy' : sub === 'pause' ? 'domain.pause' : 'domain.unpause', { ref });
      return 0;
    case 'shutdown':
    case 'reboot': {
      if (ref === undefined) return usage();
      const wait = rest.includes('-w');
      const { domid } = running(await call('domains.list', {})).find((d) => d.domid === ref || d.name === ref) ?? { domid: ref };
      ctx.stdout.write(`${sub === 'reboot' ? 'Rebooting' : 'Shutting down'} domain ${domid}\n`);
      if (sub === 'reboot') {
        const r = await call('domain.reboot', { ref, wait });
        if (wait) ctx.stdout.write(`Waiting for 1 domains\nDomain ${r.domid} has been shut down, reason code 1\n${r.newDomid === null ? '' : `Domain ${r.newDomid} is up again\n`}`);
      } else {
        await call('domain.shutdown', { ref, wait });
        if (wait) ctx.stdout.write(`Waiting for 1 domains\nDomain ${domid} has been shut down, reason code 0\n`);
      }
      return 0;
    }
    case 'console': {
      if (ref === undefined) return usage();
      const d = running(await call('domains.list', {})).find((x) => x.domid === ref || x.name === ref);
      if (!d) throw new ApiError('not_found', `xl console: no running domain '${ref}'`);
      if (d.domid === 0) throw new ApiError('invalid', "xl console: this console already is Domain-0's");
      ctx.attach({ domid: d.domid, name: d.name });
      return 0;
    }
    default:
      return usage();
  }
};

/** `xl list [-l] [NAME|ID]` (xl_cmdimpl.c main_list). */
async function list(args: string[], ctx: CommandContext): Promise<number> {
  const long = args.includes('-l') || args.includes('--long');
  const operands = args.filter((a) => !a.startsWith('-'));
  if (args.some((a) => a.startsWith('-') && a !== '-l' && a !== '--long') || operands.length > 1) {
    ctx.stderr(USAGE);
    return 2;
  }
  let domains = running(await ctx.host.call('domains.list', {}));
  if (operands.length === 1) {
    const q = operands[0];
    const byId = /^\d+$/.test(q);
    domains = domains.filter((d) => (byId ? d.domid === Number(q) : d.name === q));
    // find_domain: an unknown name is not a domain identifier at all (libxl ERROR_INVAL).
    if (domains.length === 0) {
      ctx.stderr(byId ? `Error: Domain '${q}' does not exist.\n` : `${q} is an invalid domain identifier (rc=-6)\n`);
      return byId ? 1 : 2;
    }
  }
  if (!long) {
    ctx.stdout.write(formatXlList(domains));
    return 0;
  }
  const configs = [];
  for (const domain of domains.filter((d) => d.domid !== 0)) {
    const entry = await ctx.host.call('library.get', { name: domain.name });
    const { config, spec } = readDomainConfig(entry.text, entry.fileName);
    configs.push({ domain, config, spec });
  }
  ctx.stdout.write(formatXlListLong(configs));
  return 0;
}

/** `xl create FILE`: find the config (see the module comment), import it, start the domain. */
async function create(file: string, ctx: CommandContext): Promise<number> {
  const source = await findConfig(file, ctx);
  if (source === null) {
    ctx.stderr(`Failed to read config file: ${file}: No such file or directory\n`);
    return 1;
  }
  ctx.stdout.write(`Parsing config from ${file}\n`);
  const name = 'domain' in source ? source.domain : (await ctx.host.call('library.import', { fileName: source.fileName, text: source.text, replace: true })).name;
  await ctx.host.call('domain.start', { name });
  return 0;
}

/** Where FILE's config is: a library domain, or a file's text to import; null when there is no such file. */
async function findConfig(file: string, ctx: CommandContext): Promise<{ domain: string } | { fileName: string; text: string } | null> {
  const places = [resolvePath(ctx.session.cwd, file), ...(file.includes('/') ? [] : [`${XEN_DIR}/${file}`])];
  for (const path of places) {
    if (parentOf(path) === XEN_DIR) {
      const xenFile = (await ctx.fs.xenFiles()).get(baseName(path));
      if (xenFile) return xenFile.kind === 'domain' ? { domain: xenFile.name } : { fileName: baseName(path), text: await readXenFile(ctx.host.call, xenFile) };
    } else if ((await ctx.fs.kind(path)) === 'file') return { fileName: baseName(path), text: await ctx.fs.read(path) };
  }
  if (file.startsWith('/')) {
    let bytes: Uint8Array;
    try {
      bytes = await ctx.host.readConfig(file);
    } catch (e) {
      if (!(e instanceof FileAccessError)) throw e;
      if (e.reason === 'not_found') return null;
      // The message names the path and the rule, never the contents.
      throw new ApiError('invalid', `Failed to read config file: ${e.message}`);
    }
    return { fileName: baseName(file), text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') };
  }
  if (DOMAIN_NAME.test(file)) {
    const entry = await ctx.host.call('library.get', { name: file }).catch(() => null);
    if (entry) return { domain: entry.name };
  }
  return null;
}
