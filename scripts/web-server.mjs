// `npm run web`: serves the built playground (dist/web) on this machine only (127.0.0.1), on a free port
// (or PORT), and prints its address. A static server of a few lines of node:http, no dependency: it
// serves files below its folder and nothing else.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Starts serving `root`; resolves to the server and its address once it listens. */
export async function serve(root, port = 0) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
      if (file !== base && !file.startsWith(base + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found\n');
    }
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const { port: bound } = server.address();
  return { server, url: `http://127.0.0.1:${bound}/` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../dist/web/', import.meta.url));
  try {
    await stat(join(root, 'index.html'));
  } catch {
    console.error('dist/web is not built: run npm run build first (npm run web does).');
    process.exit(1);
  }
  const requested = process.env.PORT ? Number(process.env.PORT) : 0;
  const { url } = await serve(root, requested);
  console.log(`exactprop playground: ${url}  (Ctrl-C stops it)`);
  console.log(`  hw7 as a worksheet: ${url}?example=hw7-q2&view=worksheet`);
}
