// `npm start`: runs scripts/setup.sh (installs and builds whatever is missing: apt packages, npm
// packages, the wasm build and dist/, the bundled models), then serves the repository on
// 127.0.0.1 with the e2e suite's static server and prints the demo's URL.
// Options: --no-setup (serve what is built), --port N (default 8080, or $PORT; the next free
// port is used when it is taken).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../tests/e2e/server.mjs';

const args = process.argv.slice(2);
const skipSetup = args.includes('--no-setup');
const portArg = args.indexOf('--port');
const firstPort = Number(portArg >= 0 ? args[portArg + 1] : process.env.PORT ?? 8080);
if (!Number.isInteger(firstPort) || firstPort < 0 || firstPort > 65535) {
  console.error(`start: bad port ${args[portArg + 1] ?? process.env.PORT}`);
  process.exit(2);
}

if (!skipSetup) {
  console.log('start: running scripts/setup.sh (installs and builds what is missing)…');
  const setup = spawnSync('bash', [path.join(REPO_ROOT, 'scripts/setup.sh')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error(`start: scripts/setup.sh failed (exit ${setup.status ?? setup.signal}); fix the error above and rerun npm start`);
    process.exit(1);
  }
}
if (!existsSync(path.join(REPO_ROOT, 'dist/index.js'))) {
  console.error('start: dist/index.js is missing; run `npm start` without --no-setup (or `npm run build`)');
  process.exit(1);
}
// Models built after dist/ was assembled (first set-up) are not in the package yet: add them.
const BUNDLED = ['face', 'objects', 'nanodet-m', 'objects-tiny'];
const inModels = (id) => existsSync(path.join(REPO_ROOT, 'models/dist', `${id}.tflite`));
const inDist = (id) => existsSync(path.join(REPO_ROOT, 'dist/models', `${id}.tflite`));
if (BUNDLED.some((id) => inModels(id) && !inDist(id))) {
  const pack = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/package.mjs'), 'dist'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (pack.status !== 0) process.exit(1);
}
const missing = BUNDLED.filter((id) => !inDist(id));
if (missing.length) console.warn(`start: bundled model(s) not built: ${missing.join(', ')} (npm run models); the demo shows an error for them`);

/** Listens on the first free port from `port` upwards (10 tries), or an ephemeral one for 0. */
async function listen(port) {
  for (let p = port, tries = 0; ; ++p, ++tries) {
    try {
      return await startServer({ port: p });
    } catch (err) {
      if (err.code !== 'EADDRINUSE' || port === 0 || tries >= 9) throw err;
    }
  }
}

const server = await listen(firstPort);
console.log(`\nfeatherdet demo: ${server.url}/demo/\n(Ctrl+C to stop; the camera works on 127.0.0.1 and localhost without https)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
