// Loading files (the wasm binary, models) with progress, SHA-256 verification and a cache keyed by
// content hash: the Cache API in browsers and workers, a directory in Node
// (FEATHERDET_CACHE_DIR, default ~/.cache/featherdet). A file whose bytes do not match the
// expected hash (cached or downloaded) is fetched once more from the network, then rejected.
import { FetchError, IntegrityError } from './errors.js';
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
  /** The file is one of the package's own, at its default place beside the package's modules. */
  fromPackage?: boolean;
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
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}

/** Vite's dev-server pre-bundle directory (optimizeDeps), where the package's own files are not. */
const VITE_DEPS = /\/node_modules\/\.vite\/deps(?:_temp_[0-9a-f]+)?\//;
const VITE_FIX = "Vite's dev server runs featherdet pre-bundled from node_modules/.vite/deps/ and does not serve " +
  "node_modules/featherdet/dist/ here (a custom cacheDir or root?): add optimizeDeps: { exclude: ['featherdet'] } to vite.config";

/**
 * A file of this package, from its literal `new URL('./file', import.meta.url)` (the form bundlers
 * recognise and copy). When Vite's dev server runs the package pre-bundled from
 * node_modules/.vite/deps/, the file is taken from the package's own dist/ directory instead,
 * which the dev server serves.
 */
export function packageFile(url: URL): URL {
  const m = VITE_DEPS.exec(url.pathname);
  if (!m) return url;
  return new URL(`${url.pathname.slice(0, m.index)}/node_modules/featherdet/dist/${url.pathname.slice(m.index + m[0].length)}`, url);
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

/** The README's advice for a package file that is not where the package's module says it is. */
const COPY_FILES = "featherdet's JavaScript was bundled without its files (esbuild and Rollup do not copy files that " +
  'a module locates with new URL(..., import.meta.url)): copy node_modules/featherdet/dist/*.wasm and ' +
  'node_modules/featherdet/dist/models/ next to the bundle, or set wasmPath and modelPath to where they are served ' +
  "(README, 'Bundlers'; in a source checkout: npm run models && npm run build)";

/** A FetchError for a fetch that got no response: offline, CORS, or blocked by the page. */
function noResponse(url: URL, name: string, e: unknown): FetchError {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  const page = (globalThis as { location?: { origin?: string } }).location?.origin;
  let why: string;
  if (nav?.onLine === false) {
    why = 'this device is offline';
  } else if (page && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== page) {
    why = `${url.origin} did not let this page (${page}) read it: the server must send an Access-Control-Allow-Origin ` +
      "header (CORS) for this page's origin; or the server is unreachable";
  } else {
    why = "no response: the server is unreachable, or the page's Content-Security-Policy (connect-src) blocks the request";
  }
  return new FetchError(`cannot fetch ${name}: ${why} (${(e as Error).message})`, name, 0);
}

/** Fetches a URL (or reads a Node file) with progress; failures become FetchErrors naming the URL and the likely cause. */
async function download(spec: FileSpec, onProgress: ((p: Progress) => void) | undefined, reload: boolean): Promise<Uint8Array> {
  const { location } = spec;
  const url = toUrl(location);
  const name = String(location);
  if (isNode && (url === null || url.protocol === 'file:')) {
    const fs = await nodeImport<NodeFs>('fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(url ?? location));
    } catch (e) {
      const missing = spec.fromPackage ? ' (a file of the package is missing: in a source checkout run `npm run models && ' +
        'npm run build`; from npm, reinstall featherdet)' : '';
      throw new FetchError(`cannot read ${name}: ${(e as Error).message}${missing}`, name, 0);
    }
    onProgress?.({ file: name, loaded: bytes.length, total: bytes.length, fromCache: false });
    return bytes;
  }
  let response: Response;
  try {
    response = await fetch(url!, reload ? { cache: 'reload' } : {});
  } catch (e) {
    throw noResponse(url!, name, e);
  }
  const vite = VITE_DEPS.test(url!.pathname);
  if (!response.ok) {
    const fix = vite ? VITE_FIX : spec.fromPackage && response.status === 404 ? COPY_FILES : 'check the URL, or set wasmPath/modelPath to where the file is served';
    throw new FetchError(`cannot fetch ${name}: HTTP ${response.status}; ${fix}`, name, response.status);
  }
  if (/^text\/html\b/i.test(response.headers.get('Content-Type') ?? '')) {
    await response.body?.cancel();
    const fix = vite ? VITE_FIX : spec.fromPackage ? COPY_FILES : 'check the URL';
    throw new FetchError(`cannot fetch ${name}: the server answered with an HTML page, not the file (a dev server's ` +
      `fallback page for a file it does not have); ${fix}`, name, response.status);
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
    const bytes = await download(spec, opts.onProgress, attempt > 0);
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
