/**
 * The Content-Security-Policy sent with every response (and, with port null, by Electron's app://
 * scheme). Scripts only from this server; the API socket only to this port (browser mode; in
 * Electron the renderer reaches the host through IPC and connects nowhere). Inline styles are
 * allowed because Vue style bindings, CodeMirror and xterm.js inject style elements. WebAssembly may
 * be compiled ('wasm-unsafe-eval': wasm only, JS eval stays refused) for the paint worker's SIMD
 * downscale kernel, which ships inside our own script (src/renderer/wasm/).
 */
export function contentSecurityPolicy(port: number | null): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
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
