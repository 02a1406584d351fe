// `featherdet convert ...`: runs the native converter (build/native/featherdet-convert, or the
// program named by FEATHERDET_CONVERT) with the same arguments, passing its output through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of the native converter this command runs. */
export function converterPath(env = process.env) {
  return env.FEATHERDET_CONVERT || fileURLToPath(new URL('../build/native/featherdet-convert', import.meta.url));
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
