/**
 * The Content-Security-Policy sent with every response (and, with port null, by Electron's app://
 * scheme). Scripts only from this server; the API socket only to this port (browser mode; in
 * Electron the renderer reaches the host through IPC and connects nowhere). Inline styles are
 * allowed because Vue style bindings, CodeMirror and xterm.js inject style elements.
 */
export function contentSecurityPolicy(port: number | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    port === null ? "connect-src 'self'" : `connect-src 'self' ws://127.0.0.1:${port}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
