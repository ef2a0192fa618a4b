// Files the build bundles as text (esbuild's text loader): KaTeX's stylesheet, the example specs.
declare module '*.css' {
  const text: string;
  export default text;
}
declare module 'exactprop-web:examples' {
  /** The example specs, by name (hw7-q2 first), with the answers file of each that has one. */
  const examples: Array<{ name: string; spec: string; answers?: string }>;
  export default examples;
}
