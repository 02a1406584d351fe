// Errors thrown by featherdet's JavaScript API: one base class and one subclass per cause, each
// with a message that says what to do about it.

/** Base class of every error featherdet throws; `instanceof FeatherdetError` catches them all. */
export class FeatherdetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The frame passed to detect() cannot be read (wrong type, empty, not loaded yet, tainted). The detector stays usable. */
export class SourceError extends FeatherdetError {}

/** The detector was closed: create a new one. */
export class ClosedError extends FeatherdetError {}

/** A downloaded or cached file did not match its expected SHA-256, even after one refetch. */
export class IntegrityError extends FeatherdetError {
  /** The file (URL or path) that failed the check. */
  readonly file: string;
  constructor(message: string, file: string) {
    super(message);
    this.file = file;
  }
}

/** The model (or a file it needs) could not be loaded or is not a detector featherdet can run. */
export class ModelError extends FeatherdetError {}

/** The model uses an operator featherdet does not implement (the message names it and its node). */
export class UnsupportedOpError extends ModelError {}

/** This JavaScript engine cannot run featherdet's WebAssembly (no WebAssembly or no SIMD128). */
export class WasmSupportError extends FeatherdetError {}

/** Rebuilds an error received from a worker as the same FeatherdetError subclass. */
export function reviveError(e: { name?: string; message?: string; file?: string }): FeatherdetError {
  const message = e.message ?? 'unknown error in the featherdet worker';
  switch (e.name) {
    case 'SourceError': return new SourceError(message);
    case 'ClosedError': return new ClosedError(message);
    case 'IntegrityError': return new IntegrityError(message, e.file ?? '');
    case 'UnsupportedOpError': return new UnsupportedOpError(message);
    case 'ModelError': return new ModelError(message);
    case 'WasmSupportError': return new WasmSupportError(message);
    default: return new FeatherdetError(message);
  }
}
