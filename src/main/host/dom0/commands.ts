/**
 * The Dom0 shell's command table: the builtins, `xl`, and Dom0's `dmesg`, `lspci` and `help`.
 * A name not in the table is `sh: NAME: not found` (status 127).
 */
import { formatLspci } from '../../../shared/lspci';
import { cat, cd, ls, pwd } from './builtins-fs';
import { clear, echo, exportCommand, falseCommand, grep, trueCommand, unset } from './builtins-text';
import type { Command } from './command';
import { DATA_MOUNT } from './fs-view';
import { MAX_COMMANDS, MAX_VALUE } from './limits';
import { DOM0_PCI_DEVICES } from './lspci';
import { xl } from './xl';

const HELP = `GVT Desk Dom0 shell (a small POSIX sh). Commands:
  xl create FILE           create a domain from an xl config (found here, in /etc/xen, or the library)
  xl list [-l] [NAME|ID]   list domains (-l: their configs as JSON)
  xl info                  the host, Xen and the GPU's GVT-g resources
  xl destroy NAME|ID       destroy a domain
  xl pause|unpause NAME|ID pause or resume a domain's vCPUs
  xl shutdown [-w] NAME|ID ask the guest to power off (-w: wait until it has)
  xl reboot [-w] NAME|ID   ask the guest to reboot (-w: wait until it is back)
  xl console NAME|ID       attach to the guest's serial console (Ctrl+] detaches)
  cat [FILE...]  echo [-n] ARGS  ls [-1a] [PATH...]  cd [DIR]  pwd  grep [-icnqv] TEXT [FILE...]
  dmesg  lspci [-n|-nn]  export [NAME=VALUE...]  unset NAME  true  false  clear  help
Shell: NAME=VALUE, $NAME, \${NAME}, "…" and '…', # comments, ;, &&, ||, | (pipes),
  > and >> FILE, cat > FILE <<EOF (here-documents). At most ${MAX_COMMANDS} commands per input,
  ${MAX_VALUE} bytes per variable.
Files: /etc/xen (examples, and your library's configs: write one with cat > /etc/xen/NAME.hvm <<EOF),
  /sys/kernel/vgt, /sys/class/mdev_bus, ${DATA_MOUNT} (the data dir, read-only), /root (home).
`;

/** `help`: the commands and the shell's features. */
const help: Command = async (_args, ctx) => {
  ctx.stdout.write(HELP);
  return 0;
};

/** Dom0's `dmesg`: the kernel log with printk timestamps (the mediator's GVT-g lines). */
const dmesg: Command = async (args, ctx) => {
  if (args.length > 0) {
    ctx.stderr(`dmesg: ${args[0].startsWith('-') ? `invalid option -- '${args[0].slice(1, 2) || '-'}'` : 'bad usage'}\nUsage: dmesg (no options)\n`);
    return 1;
  }
  ctx.stdout.write((await ctx.host.dmesg()).map((l) => `${l}\n`).join(''));
  return 0;
};

/** Dom0's `lspci [-n|-nn]`. */
const lspci: Command = async (args, ctx) => {
  const r = formatLspci(DOM0_PCI_DEVICES, args);
  (r.status === 0 ? ctx.stdout.write.bind(ctx.stdout) : ctx.stderr)(r.out);
  return r.status;
};

export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  [':', trueCommand],
  ['cat', cat],
  ['cd', cd],
  ['clear', clear],
  ['dmesg', dmesg],
  ['echo', echo],
  ['export', exportCommand],
  ['false', falseCommand],
  ['grep', grep],
  ['help', help],
  ['ls', ls],
  ['lspci', lspci],
  ['pwd', pwd],
  ['true', trueCommand],
  ['unset', unset],
  ['xl', xl],
]);

/** `xl`'s subcommands (for completion). */
export const XL_SUBCOMMANDS: readonly string[] = ['console', 'create', 'destroy', 'info', 'list', 'pause', 'reboot', 'shutdown', 'unpause'];
