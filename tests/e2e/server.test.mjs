// Tests of the e2e static server: MIME types, the /shared mapping, the LiteRT.js dtype shim and
// path containment (raw requests, so the client does not normalize the paths first).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LITERT_CORE_ROUTE, REPO_ROOT, startServer } from './server.mjs';

let server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** GET with the path sent verbatim; resolves to { status, type, body (Buffer) }. */
function get(rawPath) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: rawPath }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        type: res.headers['content-type'],
        coop: res.headers['cross-origin-opener-policy'],
        body: Buffer.concat(chunks),
      }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('listens on an ephemeral 127.0.0.1 port', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(server.port).toBeGreaterThan(0);
});

test('serves the repository root with MIME types and isolation headers', async () => {
  const wasm = await get('/node_modules/@litertjs/core/wasm/litert_wasm_internal.wasm');
  expect(wasm.status).toBe(200);
  expect(wasm.type).toBe('application/wasm');
  expect(wasm.body.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
  const page = await get('/tests/e2e/pages/conformance.html');
  expect(page.type).toMatch(/^text\/html/);
  expect(page.coop).toBe('same-origin');
  expect((await get('/tests/e2e/pages/harness.js')).type).toMatch(/^text\/javascript/);
});

test('maps /shared to ../shared', async () => {
  const img = await get('/shared/conformance/images/cat.bmp');
  expect(img.status).toBe(200);
  expect(img.type).toBe('image/bmp');
  const file = await readFile(path.resolve(REPO_ROOT, '../shared/conformance/images/cat.bmp'));
  expect(img.body.equals(file)).toBe(true);
});

test('serves LiteRT.js with int8/int16/int64 added to its dtype table', async () => {
  const res = await get(LITERT_CORE_ROUTE);
  expect(res.status).toBe(200);
  const text = res.body.toString('utf8');
  expect(text).toContain('typedArrayConstructor: BigInt64Array, elementType: ElementType.INT64');
  expect(text).toContain('typedArrayConstructor: Int8Array, elementType: ElementType.INT8');
  expect(text).toContain('from "@litertjs/wasm-utils"');
});

test('refuses paths that escape the served directories', async () => {
  for (const p of ['/../../etc/passwd', '/shared/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/a%00b']) {
    const res = await get(p);
    expect([403, 404]).toContain(res.status);
    expect(res.body.toString()).not.toContain('root:');
  }
  expect((await get('/no/such/file.js')).status).toBe(404);
});
