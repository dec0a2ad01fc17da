/** Human text for a failed call: the host's own message (which resource is short, which line is bad). */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  // Electron's ipcRenderer.invoke prefixes rejections with its own wrapper; the user needs the host's words.
  return raw.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}
