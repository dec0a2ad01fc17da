/** Human text for a failed call: the host's own message (which resource is short, which line is bad). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  // The Electron preload rejects with a plain { name, code, message } object: Error instances lose
  // their code crossing the context bridge.
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
