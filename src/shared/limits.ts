/**
 * Size limits of user files, bytes: one number for the API's schemas, the host's checked reader
 * and the UI's upload checks, so every entry point refuses the same sizes.
 */

/** An xl domain config or KVMGT command line. */
export const MAX_CONFIG_BYTES = 1 << 20;
/** A XenGT monitor.config (at most 3 records; the text form of one is about 1 KiB). */
export const MAX_MONITOR_CONFIG_BYTES = 64 << 10;
/** An EDID file: binary, hex text or edid-decode output. */
export const MAX_EDID_FILE_BYTES = 32 << 10;

/**
 * Sources one frame.watch may name (not bytes): a page shows at most a few windows per guest plus
 * five physical heads; the bound keeps a junk request from costing the host a huge set.
 */
export const MAX_WATCHED_SOURCES = 1024;
