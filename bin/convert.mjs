// `featherdet convert ...`: runs the native converter with the same arguments, passing its output
// through: FEATHERDET_CONVERT names the program, else FEATHERDET_NATIVE_DIR (default build/native)
// holds featherdet-convert.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the native converter this command runs. */
export function converterPath(env = process.env) {
  if (env.FEATHERDET_CONVERT) return env.FEATHERDET_CONVERT;
  const root = fileURLToPath(new URL('..', import.meta.url));
  return path.join(path.resolve(root, env.FEATHERDET_NATIVE_DIR || 'build/native'), 'featherdet-convert');
}

/** Runs the converter with `argv`; sets process.exitCode to its status. */
export async function convertMain(argv) {
  const exe = converterPath();
  if (!existsSync(exe)) {
    throw new Error(`the native converter is not built (${exe}): run npm run build`);
  }
  const r = spawnSync(exe, argv, { stdio: 'inherit' });
  if (r.error) throw new Error(`cannot run ${exe}: ${r.error.message}`);
  process.exitCode = r.status ?? 1;
}
