/**
 * Bounds of the Dom0 shell. Everything a client can make the shell hold or produce is bounded
 * here; a refusal names the limit. The input itself is bounded by the API (MAX_CONSOLE_INPUT).
 */

/** Most simple commands one console.exec input may hold; more is refused before anything runs. */
export const MAX_COMMANDS = 1000;
/** Longest value a shell variable may hold, bytes (UTF-16 code units). */
export const MAX_VALUE = 1 << 20;
/** Most bytes one command's words may expand to (all words, after variable expansion). */
export const MAX_EXPANSION = 4 << 20;
/** Most output one console.exec call returns; the rest is cut with a note. */
export const MAX_OUTPUT = 4 << 20;
/** Variables one session may hold, and their total size (names and values). */
export const MAX_VARIABLES = 256;
export const MAX_SESSION_BYTES = 2 << 20;
/** Sessions kept at once; the least recently used one is forgotten first. */
export const MAX_SESSIONS = 64;
/** Most entries a directory listing of the data dir returns. */
export const MAX_DIR_ENTRIES = 1000;
