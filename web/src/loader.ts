// Loading files (the wasm binary, models) with progress, SHA-256 verification and a cache keyed by
// content hash: the Cache API in browsers and workers, a directory in Node
// (FEATHERDET_CACHE_DIR, default ~/.cache/featherdet). A file whose bytes do not match the
// expected hash (cached or downloaded) is fetched once more from the network, then rejected.
import { IntegrityError, ModelError } from './errors.js';
import { sha256Hex } from './sha256.js';

/** Download progress of one file. */
export interface Progress {
  /** The file's URL or path. */
  file: string;
  /** Bytes received so far. */
  loaded: number;
  /** Size in bytes (0 when the server does not say). */
  total: number;
  /** True when the bytes came from the cache (no network request). */
  fromCache: boolean;
}

/** How to load a file. */
export interface LoadFileOptions {
  /** Use and fill the cache (default true); only files with a known SHA-256 are cached. */
  cache?: boolean;
  /** Called as bytes arrive. */
  onProgress?: (p: Progress) => void;
}

/** Where a file comes from and (optionally) what its bytes must hash to. */
export interface FileSpec {
  location: string | URL;
  sha256?: string;
}

/** A loaded file. */
export interface LoadedFile {
  bytes: Uint8Array;
  fromCache: boolean;
}

type NodeFs = {
  readFile(p: string | URL): Promise<Uint8Array>;
  writeFile(p: string, d: Uint8Array): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  mkdir(p: string, o: { recursive: boolean }): Promise<unknown>;
  rm(p: string, o: { force: boolean }): Promise<void>;
};
type NodeProcess = { versions?: { node?: string }; env?: Record<string, string | undefined>; pid?: number };

const nodeProcess = (globalThis as { process?: NodeProcess }).process;
/** True under Node.js (not in browsers or workers). */
export const isNode = typeof nodeProcess?.versions?.node === 'string';

/** Imports a Node built-in without letting bundlers see it (browsers never load it). */
export async function nodeImport<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return (await import(/* @vite-ignore */ specifier)) as T;
}

/** True for 'https://…', 'file:…', 'blob:…', 'data:…'; false for plain paths (including 'C:\\…'). */
function hasScheme(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
}

/** A URL for a location, or null for a Node file path. Browser paths resolve against the page. */
export function toUrl(location: string | URL): URL | null {
  if (location instanceof URL) return location;
  if (hasScheme(location)) return new URL(location);
  if (isNode) return null;
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base ? new URL(location, base) : new URL(location);
}

/** The directory of the Node cache. */
async function nodeCacheDir(): Promise<string> {
  const env = nodeProcess?.env ?? {};
  if (env.FEATHERDET_CACHE_DIR) return env.FEATHERDET_CACHE_DIR;
  const os = await nodeImport<{ homedir(): string }>('os');
  const base = env.XDG_CACHE_HOME || `${os.homedir()}/.cache`;
  return `${base}/featherdet`;
}

/** A place holding verified files under their SHA-256. */
interface Store {
  get(sha256: string): Promise<Uint8Array | null>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  delete(sha256: string): Promise<void>;
}

const CACHE_NAME = 'featherdet-v1';
/** Cache API key of a content hash (any http(s) URL can key an entry; nothing is fetched from it). */
const cacheKey = (sha256: string) => `https://cache.featherdet.invalid/sha256/${sha256}`;

async function openStore(): Promise<Store | null> {
  if (isNode) {
    const dir = await nodeCacheDir();
    const fs = await nodeImport<NodeFs>('fs/promises');
    const file = (sha: string) => `${dir}/${sha}`;
    return {
      get: (sha) => fs.readFile(file(sha)).then((b) => new Uint8Array(b), () => null),
      async put(sha, bytes) {
        await fs.mkdir(dir, { recursive: true });
        const tmp = `${file(sha)}.${nodeProcess?.pid ?? 0}.tmp`;
        await fs.writeFile(tmp, bytes);
        await fs.rename(tmp, file(sha));
      },
      delete: (sha) => fs.rm(file(sha), { force: true }),
    };
  }
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (!caches) return null;
  let cache: Cache;
  try {
    cache = await caches.open(CACHE_NAME);
  } catch {
    return null; // opaque origins and some private modes have no Cache API
  }
  return {
    async get(sha) {
      const r = await cache.match(cacheKey(sha));
      return r ? new Uint8Array(await r.arrayBuffer()) : null;
    },
    put: (sha, bytes) => cache.put(cacheKey(sha), new Response(bytes as BodyInit, { headers: { 'Content-Length': String(bytes.length) } })),
    delete: (sha) => cache.delete(cacheKey(sha)).then(() => undefined),
  };
}

let storePromise: Promise<Store | null> | null = null;
function store(): Promise<Store | null> {
  storePromise ??= openStore().catch(() => null);
  return storePromise;
}

/** Reads a Response body chunk by chunk, reporting progress; returns all bytes. */
async function readBody(response: Response, file: string, onProgress?: (p: Progress) => void): Promise<Uint8Array> {
  const total = Number(response.headers.get('Content-Length') ?? 0) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ file, loaded: bytes.length, total: total || bytes.length, fromCache: false });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.({ file, loaded: 0, total, fromCache: false });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ file, loaded, total, fromCache: false });
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** Fetches a URL (or reads a Node file) with progress; HTTP errors become ModelErrors naming the URL. */
async function download(location: string | URL, onProgress: ((p: Progress) => void) | undefined, reload: boolean): Promise<Uint8Array> {
  const url = toUrl(location);
  const name = String(location);
  if (isNode && (url === null || url.protocol === 'file:')) {
    const fs = await nodeImport<NodeFs>('fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(url ?? location));
    } catch (e) {
      throw new ModelError(`cannot read ${name}: ${(e as Error).message}`);
    }
    onProgress?.({ file: name, loaded: bytes.length, total: bytes.length, fromCache: false });
    return bytes;
  }
  let response: Response;
  try {
    response = await fetch(url!, reload ? { cache: 'reload' } : {});
  } catch (e) {
    throw new ModelError(`cannot fetch ${name}: ${(e as Error).message} (offline, blocked by CSP/CORS, or a wrong path? ` +
      'set wasmPath/modelPath to where the files are served)');
  }
  if (!response.ok) {
    throw new ModelError(`cannot fetch ${name}: HTTP ${response.status}; set wasmPath/modelPath to where the files are served`);
  }
  return readBody(response, name, onProgress);
}

/**
 * Loads a file: from the cache when its verified copy is there, else from the network (then
 * stored). Bytes that do not hash to spec.sha256 are fetched once more, then an IntegrityError.
 */
export async function loadFile(spec: FileSpec, opts: LoadFileOptions = {}): Promise<LoadedFile> {
  const name = String(spec.location);
  const expected = spec.sha256?.toLowerCase();
  const useCache = (opts.cache ?? true) && expected !== undefined;
  const url = toUrl(spec.location);
  const local = isNode && (url === null || url.protocol === 'file:');
  const st = useCache && !local ? await store() : null;
  if (st && expected) {
    const cached = await st.get(expected).catch(() => null);
    if (cached) {
      if ((await sha256Hex(cached)) === expected) {
        opts.onProgress?.({ file: name, loaded: cached.length, total: cached.length, fromCache: true });
        return { bytes: cached, fromCache: true };
      }
      await st.delete(expected).catch(() => undefined);
    }
  }
  for (let attempt = 0; ; ++attempt) {
    const bytes = await download(spec.location, opts.onProgress, attempt > 0);
    if (!expected) return { bytes, fromCache: false };
    const actual = await sha256Hex(bytes);
    if (actual === expected) {
      if (st) await st.put(expected, bytes).catch(() => undefined);
      return { bytes, fromCache: false };
    }
    if (attempt > 0 || local) {
      throw new IntegrityError(`${name} failed its integrity check: SHA-256 ${actual}, expected ${expected}. ` +
        'The file on the server is not the one this featherdet version ships: redeploy the package files ' +
        '(or point wasmPath/modelPath at the right copy).', name);
    }
  }
}

/** Removes every cached featherdet file (Cache API entry or Node cache directory). */
export async function clearCache(): Promise<void> {
  if (isNode) {
    const fs = await nodeImport<NodeFs>('fs/promises');
    await fs.rm(await nodeCacheDir(), { force: true, recursive: true } as { force: boolean });
    return;
  }
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (caches) await caches.delete(CACHE_NAME);
  storePromise = null;
}
