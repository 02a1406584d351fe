// Errors thrown by featherdet's JavaScript API: one base class and one subclass per cause, each
// with a message that says what to do about it. `name` and `code` are string literals, so they
// survive minifiers (which rename classes) and the worker boundary (where errors travel as data).

/** Machine-readable cause of a FeatherdetError; stable across releases. */
export type ErrorCode =
  | 'ERR_FEATHERDET'
  | 'ERR_OPTIONS'
  | 'ERR_SOURCE'
  | 'ERR_CLOSED'
  | 'ERR_INTEGRITY'
  | 'ERR_MODEL'
  | 'ERR_FETCH'
  | 'ERR_UNSUPPORTED_OP'
  | 'ERR_WASM_SUPPORT'
  | 'ERR_WORKER';

/** Base class of every error featherdet throws; `instanceof FeatherdetError` catches them all. */
export class FeatherdetError extends Error {
  /** What went wrong, as a stable string ('ERR_SOURCE', 'ERR_FETCH', …). */
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = 'ERR_FEATHERDET') {
    super(message);
    this.name = 'FeatherdetError';
    this.code = code;
  }
}

/** An option is unknown, or its value is out of range; the message lists the valid ones. */
export class OptionsError extends FeatherdetError {
  constructor(message: string) {
    super(message, 'ERR_OPTIONS');
    this.name = 'OptionsError';
  }
}

/** The frame passed to detect() cannot be read (wrong type, empty, not loaded yet, tainted). The detector stays usable. */
export class SourceError extends FeatherdetError {
  constructor(message: string) {
    super(message, 'ERR_SOURCE');
    this.name = 'SourceError';
  }
}

/** The detector was closed: create a new one. */
export class ClosedError extends FeatherdetError {
  constructor(message: string) {
    super(message, 'ERR_CLOSED');
    this.name = 'ClosedError';
  }
}

/** A downloaded or cached file did not match its expected SHA-256, even after one refetch. */
export class IntegrityError extends FeatherdetError {
  /** The file (URL or path) that failed the check. */
  readonly file: string;
  constructor(message: string, file: string) {
    super(message, 'ERR_INTEGRITY');
    this.name = 'IntegrityError';
    this.file = file;
  }
}

/** The model (or a file it needs) could not be loaded or is not a detector featherdet can run. */
export class ModelError extends FeatherdetError {
  constructor(message: string, code: ErrorCode = 'ERR_MODEL') {
    super(message, code);
    this.name = 'ModelError';
  }
}

/**
 * A file (the wasm or a model) could not be fetched: HTTP error, CORS, offline, or a bundler that
 * did not copy the package's files. `status` is the HTTP status (0 when no response arrived).
 */
export class FetchError extends ModelError {
  readonly file: string;
  readonly status: number;
  constructor(message: string, file: string, status: number) {
    super(message, 'ERR_FETCH');
    this.name = 'FetchError';
    this.file = file;
    this.status = status;
  }
}

/** The model uses an operator featherdet does not implement (the message names it and its node). */
export class UnsupportedOpError extends ModelError {
  constructor(message: string) {
    super(message, 'ERR_UNSUPPORTED_OP');
    this.name = 'UnsupportedOpError';
  }
}

/** This JavaScript engine cannot run featherdet's WebAssembly (none, no SIMD128, or blocked by the page's CSP). */
export class WasmSupportError extends FeatherdetError {
  constructor(message: string) {
    super(message, 'ERR_WASM_SUPPORT');
    this.name = 'WasmSupportError';
  }
}

/** An error as plain data, for crossing the worker boundary. */
export interface ErrorData {
  name: string;
  message: string;
  file?: string;
  status?: number;
}

/** A thrown value as ErrorData (errors that are not featherdet's become FeatherdetError). */
export function errorData(e: unknown): ErrorData {
  if (e instanceof FeatherdetError) {
    const d: ErrorData = { name: e.name, message: e.message };
    if (e instanceof IntegrityError || e instanceof FetchError) d.file = e.file;
    if (e instanceof FetchError) d.status = e.status;
    return d;
  }
  return { name: 'FeatherdetError', message: e instanceof Error ? e.message : String(e) };
}

/** Rebuilds an error received from a worker as the same FeatherdetError subclass. */
export function reviveError(e: ErrorData): FeatherdetError {
  const message = e.message ?? 'unknown error in the featherdet worker';
  switch (e.name) {
    case 'OptionsError': return new OptionsError(message);
    case 'SourceError': return new SourceError(message);
    case 'ClosedError': return new ClosedError(message);
    case 'IntegrityError': return new IntegrityError(message, e.file ?? '');
    case 'FetchError': return new FetchError(message, e.file ?? '', e.status ?? 0);
    case 'UnsupportedOpError': return new UnsupportedOpError(message);
    case 'ModelError': return new ModelError(message);
    case 'WasmSupportError': return new WasmSupportError(message);
    default: return new FeatherdetError(message);
  }
}
