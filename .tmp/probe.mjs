import { build } from 'esbuild';
const r = await build({ entryPoints: ['src/index.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, minify: true, metafile: true, logLevel: 'error' });
console.log(r.outputFiles[0].contents.length);
const ins = Object.keys(r.metafile.inputs).filter(k => !k.startsWith('src/'));
console.log(ins.filter(k=>k.includes('node:')||!k.includes('node_modules')));
