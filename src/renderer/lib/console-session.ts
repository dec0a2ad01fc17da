/**
 * A Dom0 console session id (the API's ConsoleSession: 8-64 of [A-Za-z0-9_-]): 16 random bytes
 * as 32 hex digits. The host keys a console's shell variables and cwd by it, so it must not be
 * guessable by another client, and one console keeps the same id for the page's life.
 */
export function newConsoleSession(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
