// Static HTTP server for the browser tests and the benchmark: serves the repository root, maps
// /shared/* to ../shared (the shared models and images), and serves LiteRT.js's ESM entry with
// its dtype table widened (see LITERT_CORE_ROUTE). Listens on an ephemeral 127.0.0.1 port.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (two levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** URL path at which the harness imports '@litertjs/core' (mapped by the pages' import maps). */
export const LITERT_CORE_ROUTE = '/vendor/litertjs-core.js';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.names': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.tflite': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.bmp': 'image/bmp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

// LiteRT.js 2.5.3's JS wrapper maps only float32/int32/uint8 tensors to typed arrays and throws
// on any other element type, although its TFLite/XNNPACK core handles them all. The conformance
// models have INT64 (deeplab arg-max) and may have INT8 inputs/outputs, so the harness appends
// int8 / int16 / int64 rows (TFLite element types 9 / 7 / 4) to that table. Only this table of
// the JS wrapper changes; inference code is untouched.
const DATATYPES_ANCHOR = 'var DATATYPES = Object.freeze([';
const DATATYPES_EXTRA = [
  '  { dtype: "int8", typedArrayConstructor: Int8Array, elementType: ElementType.INT8 },',
  '  { dtype: "int16", typedArrayConstructor: Int16Array, elementType: ElementType.INT16 },',
  '  { dtype: "int64", typedArrayConstructor: BigInt64Array, elementType: ElementType.INT64 },',
].join('\n');

async function patchedLiteRtCore() {
  const file = path.join(REPO_ROOT, 'node_modules/@litertjs/core/dist/index.js');
  const source = await readFile(file, 'utf8');
  if (!source.includes(DATATYPES_ANCHOR)) {
    throw new Error(`${file}: dtype table not found; the @litertjs/core version changed`);
  }
  return source.replace(DATATYPES_ANCHOR, `${DATATYPES_ANCHOR}\n${DATATYPES_EXTRA}`);
}

/** Maps a URL path to a file path under root (or ../shared for /shared/), or null if it escapes. */
function resolvePath(root, sharedDir, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const [base, rel] = decoded === '/shared' || decoded.startsWith('/shared/')
    ? [sharedDir, decoded.slice('/shared'.length)]
    : [root, decoded];
  const full = path.resolve(base, '.' + path.posix.normalize('/' + rel));
  return full === base || full.startsWith(base + path.sep) ? full : null;
}

/**
 * Starts the server; resolves to { url, port, close() } once listening.
 * root defaults to the repository root; shared defaults to root/../shared; port 0 (the default)
 * picks a free port. `isolate` (default true) makes pages cross-origin isolated; `headers` are
 * added to every response (e.g. CORS headers for a server playing a CDN); `files` maps extra URL
 * paths to files anywhere on disk (e.g. a user's model for the benchmark).
 */
export async function startServer({ root = REPO_ROOT, shared, port: wantedPort = 0, isolate = true, headers = {}, files = {} } = {}) {
  const sharedDir = shared ?? path.resolve(root, '../shared');
  const server = createServer(async (req, res) => {
    // Cross-origin isolation gives the pages fine-grained performance.now() for the benchmark.
    if (isolate) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
      const urlPath = new URL(req.url, 'http://127.0.0.1').pathname;
      if (urlPath === LITERT_CORE_ROUTE) return send(200, await patchedLiteRtCore(), MIME['.js']);
      let file = Object.hasOwn(files, urlPath) ? files[urlPath] : resolvePath(root, sharedDir, urlPath);
      if (!file) return send(403, 'forbidden');
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return send(404, `not found: ${urlPath}`);
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch (err) {
      send(500, String(err?.stack ?? err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer();
  console.log(`featherdet e2e server: ${url}/tests/e2e/pages/conformance.html`);
}
