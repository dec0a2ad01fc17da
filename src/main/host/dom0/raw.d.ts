/** Vite's `?raw` suffix: a file's text, embedded in the bundle at build time (also under vitest). */
declare module '*?raw' {
  const text: string;
  export default text;
}
