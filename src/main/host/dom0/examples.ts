/**
 * The example configs Dom0's /etc/xen holds, as the setup guides expect to find them: the 2016
 * guide's xlexample.hvm (seed 001 §4.1.1, "copy the xlexample.hvm from dom0's /etc/xen") and the
 * 2013 guide's example (seed 000 §3.6.2 copies "xmexample.conf from /etc/xen", §4.1 creates
 * "xmexample.hvm"), verbatim from resources/examples. They are embedded in the bundle at build
 * time (Vite `?raw`), so nothing outside the app is read at run time; /etc/xen shows them
 * read-only.
 */
import xlexample from '../../../../resources/examples/xlexample.hvm?raw';
import xmexample2013 from '../../../../resources/examples/xmexample-2013.conf?raw';

/** Example file name in /etc/xen → its text. */
export const XEN_EXAMPLES: ReadonlyMap<string, string> = new Map([
  ['xlexample.hvm', xlexample],
  ['xmexample.conf', xmexample2013],
  ['xmexample.hvm', xmexample2013],
]);
