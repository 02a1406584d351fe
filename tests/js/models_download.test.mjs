// The upstream-file path of scripts/models.mjs: local directories first, then a download over
// HTTP (a local server on 127.0.0.1 standing in for GitHub), sha256 checked in every case.
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultSources, fetchUpstream, readManifest, sha256, upstreamUrl } from '../../scripts/models.mjs';
import { SHARED } from './helpers.mjs';

const face = readManifest().models.find((m) => m.id === 'face').upstream;
const original = readFileSync(join(SHARED, 'models/upstream', face.file));
const corrupted = Buffer.from(original);
corrupted[corrupted.length >> 1] ^= 0x55;

const tmp = mkdtempSync(join(tmpdir(), 'featherdet-models-'));
const requests = [];
let server;
let baseUrl;

beforeAll(async () => {
  // /good/<file> serves the real bytes, /bad/<file> a copy with one byte flipped.
  server = createServer((req, res) => {
    requests.push(req.url);
    const body = req.url === `/good/${face.file}` ? original : req.url === `/bad/${face.file}` ? corrupted : null;
    if (!body) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

/** A writable stand-in for stderr that keeps what was written. */
function sink() {
  const s = { text: '', write: (t) => { s.text += t; } };
  return s;
}

/** Sources with nothing local: empty upstream dir, no shared dir, a fresh cache dir. */
function offlineSources(name, base) {
  const empty = join(tmp, `${name}-empty`);
  mkdirSync(empty, { recursive: true });
  return { upstreamDir: empty, sharedDir: join(tmp, 'no-such-dir'), cacheDir: join(tmp, `${name}-cache`), baseUrl: base };
}

describe('fetchUpstream', () => {
  test('FEATHERDET_MODEL_BASE_URL replaces the manifest URL', () => {
    const env = { FEATHERDET_MODEL_BASE_URL: `${baseUrl}/good/`, FEATHERDET_UPSTREAM_DIR: '/x' };
    const sources = defaultSources(env);
    expect(sources.upstreamDir).toBe('/x');
    expect(upstreamUrl(face, sources.baseUrl)).toBe(`${baseUrl}/good/${face.file}`);
    expect(upstreamUrl(face, null)).toBe(face.url);
    expect(face.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/ShiqiYu\/libfacedetection\.train\/0047ac2\//);
  });

  test('downloads from the server with a progress line, verifies and caches the file', async () => {
    const sources = offlineSources('download', `${baseUrl}/good`);
    const progress = sink();
    const file = await fetchUpstream(face, sources, { progress });
    expect(file).toBe(join(sources.cacheDir, face.file));
    expect(sha256(readFileSync(file))).toBe(face.sha256);
    expect(progress.text).toContain(`downloading ${face.file}`);
    expect(progress.text).toMatch(/\(100%\)\n$/);
    expect(readdirSync(sources.cacheDir)).toEqual([face.file]);

    const before = requests.length;
    expect(await fetchUpstream(face, sources, { progress: sink() })).toBe(file);
    expect(requests.length).toBe(before);
  });

  test('a corrupted download is rejected with file, expected and actual sha256, and not cached', async () => {
    const sources = offlineSources('corrupt', `${baseUrl}/bad`);
    const actual = sha256(corrupted);
    await expect(fetchUpstream(face, sources, { progress: sink() })).rejects.toThrow(
      `sha256 mismatch for ${face.file} (from ${baseUrl}/bad/${face.file}): expected ${face.sha256}, got ${actual}`,
    );
    expect(() => readdirSync(sources.cacheDir)).toThrow();
  });

  test('an HTTP error names the file, the URL and the status', async () => {
    const sources = offlineSources('missing', `${baseUrl}/nothing-here`);
    await expect(fetchUpstream(face, sources, { progress: sink() })).rejects.toThrow(
      `cannot download ${face.file} from ${baseUrl}/nothing-here/${face.file}: HTTP 404`,
    );
  });

  test('FEATHERDET_UPSTREAM_DIR is used first, and a bad local copy is an error, not a download', async () => {
    const sources = offlineSources('local', `${baseUrl}/good`);
    writeFileSync(join(sources.upstreamDir, face.file), original);
    const before = requests.length;
    expect(await fetchUpstream(face, sources, { progress: sink() })).toBe(join(sources.upstreamDir, face.file));

    writeFileSync(join(sources.upstreamDir, face.file), corrupted);
    await expect(fetchUpstream(face, sources, { progress: sink() })).rejects.toThrow(
      `sha256 mismatch for ${face.file} (from ${join(sources.upstreamDir, face.file)})`,
    );
    expect(requests.length).toBe(before);
  });

  test('../shared/models/upstream is used when no upstream dir is set', async () => {
    const sources = { ...defaultSources({}), cacheDir: join(tmp, 'shared-cache'), baseUrl: `${baseUrl}/bad` };
    expect(await fetchUpstream(face, sources, { progress: sink() })).toBe(join(SHARED, 'models/upstream', face.file));
  });
});
