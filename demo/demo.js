// featherdet webcam demo: camera (or an opened image/video) -> detector -> overlay canvas, with
// model/threshold/mirror/worker controls and a HUD. Uses only the package's public entry
// ('featherdet', mapped to dist/index.js by the page's import map).

const $ = (id) => document.getElementById(id);
const els = {
  stage: $('stage'), hud: $('hud'), video: $('video'), image: $('image'), overlay: $('overlay'),
  message: $('message'), messageText: $('message-text'), messageActions: $('message-actions'),
  dropHint: $('drop-hint'), model: $('model'), modelFileOption: $('model-file-option'),
  modelInput: $('model-input'), threshold: $('threshold'), thresholdValue: $('threshold-value'),
  maxResults: $('max-results'), mirror: $('mirror'), worker: $('worker'), pause: $('pause'),
  camera: $('camera'), mediaInput: $('media-input'), status: $('status'),
  hudFps: $('hud-fps'), hudInfer: $('hud-infer'), hudE2e: $('hud-e2e'), hudModel: $('hud-model'), hudCache: $('hud-cache'),
};

const BUNDLED = { face: 'Faces · YuNet', objects: 'Objects · YOLOX-Nano', 'nanodet-m': 'Objects · NanoDet-m', 'objects-tiny': 'Objects (tiny) · FastestDet' };
const WINDOW_MS = 1000;

const state = {
  detector: null,          // the live detector, or null while (re)loading
  loadId: 0,               // increments per load so a stale load never replaces a newer one
  modelKey: 'face',
  userModel: null,         // { name, file } of a dropped/picked .tflite
  source: 'none',          // 'camera' | 'video' | 'image' | 'none'
  stream: null,            // the camera MediaStream
  objectUrl: null,         // blob URL of an opened image/video file
  paused: false,
  busy: false,             // a detection is in flight (worker mode): newer frames are skipped
  frameLoop: 0,            // increments when the frame loop restarts
  results: [],             // the last results, redrawn on resize
  samples: [],             // [{ t, infer, e2e }] of the last WINDOW_MS
  load: { modelBytes: 0, modelCache: '–', wasmCache: '–', ms: 0 },
  stats: null,
};

function resetStats() {
  state.stats = { frames: 0, framesWithDetections: 0, detections: 0, labelFrames: {}, errors: 0, lastError: '' };
  state.samples = [];
}
resetStats();

// ---------------------------------------------------------------------------------------------
// Messages and status

/** Shows a message over the view; `kind` says what clears it ('model': the next successful load). */
function showMessage(text, { error = false, actions = false, kind = 'source' } = {}) {
  els.message.dataset.kind = kind;
  els.messageText.textContent = text;
  els.message.classList.toggle('error', error);
  els.messageActions.hidden = !actions;
  els.message.hidden = false;
}

function hideMessage() {
  els.message.hidden = true;
}

function setStatus(text, error = false) {
  els.status.textContent = text;
  els.status.classList.toggle('error', error);
}

function formatBytes(n) {
  if (!n) return '–';
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MB` : `${Math.round(n / 1024)} KB`;
}

// ---------------------------------------------------------------------------------------------
// Detector loading

/** Detector options from the controls; the score threshold is the model's own until the slider is moved. */
function currentOptions() {
  const options = {
    maxResults: Math.max(1, Math.min(100, Math.round(Number(els.maxResults.value) || 20))),
    mirror: els.mirror.checked,
  };
  if (els.threshold.dataset.touched) options.scoreThreshold = Number(els.threshold.value);
  return options;
}

/** Creates the detector for the selected model and worker mode; replaces the previous one. */
async function loadDetector() {
  const id = ++state.loadId;
  const previous = state.detector;
  state.detector = null;
  state.results = [];
  drawResults();
  resetStats();
  if (previous) Promise.resolve().then(() => previous.close()).catch(() => {});

  const key = state.modelKey;
  const worker = els.worker.checked;
  const label = key === 'file' ? state.userModel.name : BUNDLED[key];
  const files = new Map(); // file -> { loaded, total, fromCache }
  const onProgress = (p) => {
    files.set(p.file, p);
    if (id !== state.loadId) return;
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total || f.loaded;
    }
    setStatus(`Loading ${label}… ${formatBytes(loaded)}${total ? ` of ${formatBytes(total)}` : ''}`);
  };
  setStatus(`Loading ${label}${worker ? ' in a worker' : ''}…`);
  const t0 = performance.now();
  const options = { ...currentOptions(), worker, onProgress };
  let detector;
  try {
    if (key === 'face') detector = await FaceDetector.create(options);
    else if (key === 'file') detector = await Detector.create({ ...options, model: new Uint8Array(await state.userModel.file.arrayBuffer()) });
    else detector = await ObjectDetector.create({ ...options, model: key });
  } catch (err) {
    if (id !== state.loadId) return;
    setStatus(`Could not load ${label}: ${err.message}`, true);
    showMessage(`Could not load ${label}: ${err.message}`, { error: true, kind: 'model' });
    return;
  }
  if (id !== state.loadId) {
    detector.close();
    return;
  }
  state.load = describeLoad(detector, files, performance.now() - t0);
  state.detector = detector;
  if (els.message.dataset.kind === 'model') hideMessage();
  syncThresholdFromModel(detector);
  resetStats();
  updateHud();
  setStatus(`${label} ready${worker ? ' (worker)' : ''} · loaded in ${Math.round(state.load.ms)} ms`);
  if (state.source === 'image') detectImage();
}

/** Model size and cache origin: detector.info / detector.loadReport, else the progress events. */
function describeLoad(detector, files, ms) {
  const info = detector.info ?? {};
  const report = detector.loadReport ?? {};
  const isWasm = (f) => /\.wasm(\?|#|$)/.test(f);
  const wasm = [...files].filter(([f]) => isWasm(f)).map(([, p]) => p);
  const model = [...files].filter(([f]) => !isWasm(f)).map(([, p]) => p);
  const origin = (list) => (list.length === 0 ? 'memory' : list.every((p) => p.fromCache) ? 'cache' : 'network');
  const pick = (value, fallback) => (typeof value === 'boolean' ? (value ? 'cache' : 'network') : fallback);
  return {
    modelBytes: info.modelBytes || model.reduce((n, p) => n + (p.total || p.loaded), 0),
    modelCache: state.modelKey === 'file' ? 'file' : pick(report.modelFromCache, origin(model)),
    wasmCache: pick(report.wasmFromCache, origin(wasm)),
    ms,
  };
}

/** Shows the model's default threshold on the slider until the user moves it. */
function syncThresholdFromModel(detector) {
  const t = detector.info?.scoreThreshold;
  if (els.threshold.dataset.touched || typeof t !== 'number') return;
  els.threshold.value = String(t);
  els.thresholdValue.value = Number(els.threshold.value).toFixed(2);
}

function applyOptions() {
  els.thresholdValue.value = Number(els.threshold.value).toFixed(2);
  const d = state.detector;
  if (!d) return;
  try {
    const r = d.setOptions(currentOptions());
    if (r && typeof r.catch === 'function') r.catch((err) => setStatus(err.message, true));
  } catch (err) {
    setStatus(err.message, true);
  }
  if (state.source === 'image') detectImage();
}

// ---------------------------------------------------------------------------------------------
// Sources: camera, video file, image file

function stopSources() {
  state.frameLoop++;
  if (state.stream) {
    for (const track of state.stream.getTracks()) track.stop();
    state.stream = null;
  }
  els.video.pause();
  els.video.srcObject = null;
  els.video.removeAttribute('src');
  els.video.load();
  if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
  state.objectUrl = null;
  els.image.hidden = true;
  els.video.hidden = false;
  state.results = [];
  state.source = 'none';
  resetStats();
  drawResults();
}

/** Starts the front camera; explains what to do when it is denied or absent. */
async function startCamera() {
  stopSources();
  if (!navigator.mediaDevices?.getUserMedia) {
    showMessage(window.isSecureContext
      ? 'This browser has no camera API. Open an image or a video file instead.'
      : 'The camera needs a secure page (https:// or http://localhost). Open an image or a video file instead.',
    { error: true, actions: true });
    return;
  }
  showMessage('Waiting for camera permission…');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (err) {
    const denied = err.name === 'NotAllowedError' || err.name === 'SecurityError';
    const absent = err.name === 'NotFoundError' || err.name === 'OverconstrainedError';
    const busy = err.name === 'NotReadableError' || err.name === 'AbortError';
    const text = denied
      ? 'Camera access was denied. Allow the camera for this page (the icon in the address bar), or open an image or a video file.'
      : absent
        ? 'No camera was found on this device. Open an image or a video file instead.'
        : busy
          ? 'The camera is in use by another application. Close it and try again, or open an image or a video file.'
          : `The camera could not start (${err.name}: ${err.message}). Open an image or a video file instead.`;
    showMessage(text, { error: true, actions: true });
    setStatus(denied ? 'Camera denied' : absent ? 'No camera' : 'Camera unavailable', true);
    return;
  }
  state.stream = stream;
  state.source = 'camera';
  els.mirror.checked = true;
  els.video.srcObject = stream;
  await startVideo();
}

/** Opens a user-chosen image or video file. */
async function openMedia(file) {
  stopSources();
  hideMessage();
  state.objectUrl = URL.createObjectURL(file);
  els.mirror.checked = false;
  if (file.type.startsWith('video/')) {
    state.source = 'video';
    els.video.loop = true;
    els.video.src = state.objectUrl;
    await startVideo();
  } else {
    state.source = 'image';
    els.video.hidden = true;
    els.image.src = state.objectUrl;
    els.image.hidden = false;
    try {
      await els.image.decode();
    } catch {
      showMessage(`${file.name} is not an image this browser can decode.`, { error: true, actions: true });
      return;
    }
    applyMirror();
    detectImage();
  }
}

async function startVideo() {
  applyMirror();
  try {
    await els.video.play();
  } catch (err) {
    if (err.name !== 'AbortError') showMessage(`The video does not play: ${err.message}`, { error: true, actions: true });
    return;
  }
  hideMessage();
  if (state.paused) els.video.pause();
  runFrameLoop();
}

// ---------------------------------------------------------------------------------------------
// Detection loop

const hasVideoFrameCallback = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;

/** Detects on every new video frame (skipping frames while a worker detection is in flight). */
function runFrameLoop() {
  const loop = ++state.frameLoop;
  const next = () => {
    if (loop !== state.frameLoop) return;
    if (hasVideoFrameCallback) els.video.requestVideoFrameCallback(onFrame);
    else requestAnimationFrame((now) => onFrame(now, null));
  };
  const onFrame = (now, meta) => {
    if (loop !== state.frameLoop) return;
    next();
    if (state.paused || state.busy || !state.detector || els.video.readyState < 2) return;
    // End-to-end starts when the frame was captured (camera) or handed to the compositor; a
    // timestamp off the page's clock (not within the last 2 s) falls back to the next one.
    const t = performance.now();
    const frameTime = [meta?.captureTime, meta?.presentationTime, now].find((x) => x > t - 2000 && x <= t) ?? t;
    detectFrame(els.video, frameTime);
  };
  next();
}

/** Runs one detection on `source`, records latencies, draws. */
async function detectFrame(source, frameTime) {
  const detector = state.detector;
  const mirrored = els.mirror.checked;
  state.busy = true;
  const t0 = performance.now();
  let results;
  try {
    results = await detector.detect(source);
  } catch (err) {
    state.busy = false;
    if (detector !== state.detector) return;
    state.stats.errors++;
    state.stats.lastError = err.message;
    setStatus(err.message, true);
    return;
  }
  const t1 = performance.now();
  state.busy = false;
  // Results of a replaced detector, or computed before the mirror changed, are dropped.
  if (detector !== state.detector || mirrored !== els.mirror.checked) return;
  state.results = results;
  drawResults();
  const t2 = performance.now();
  record(results, t1 - t0, t2 - frameTime, t2);
}

function detectImage() {
  if (state.source !== 'image' || !state.detector || !els.image.complete) return;
  detectFrame(els.image, performance.now());
}

function record(results, infer, e2e, now) {
  const s = state.stats;
  s.frames++;
  s.detections += results.length;
  if (results.length) s.framesWithDetections++;
  for (const label of new Set(results.map((r) => r.label))) s.labelFrames[label] = (s.labelFrames[label] ?? 0) + 1;
  state.samples.push({ t: now, infer, e2e });
  while (state.samples.length && state.samples[0].t < now - WINDOW_MS) state.samples.shift();
}

function median(values) {
  if (!values.length) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Frames per second, inference p50 and end-to-end p50 over the last second. */
function windowFigures() {
  const now = performance.now();
  // A still image keeps showing its last detection's figures.
  const recent = state.source === 'image' ? state.samples.slice(-1) : state.samples.filter((s) => s.t >= now - WINDOW_MS);
  const fps = recent.length >= 2 ? ((recent.length - 1) * 1000) / (recent[recent.length - 1].t - recent[0].t) : 0;
  return { fps, inferP50: median(recent.map((s) => s.infer)), e2eP50: median(recent.map((s) => s.e2e)) };
}

function updateHud() {
  const f = windowFigures();
  const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const live = (state.source === 'camera' || state.source === 'video') && !state.paused && f.fps > 0;
  els.hudFps.textContent = live ? fmt(f.fps) : '–';
  els.hudInfer.textContent = fmt(f.inferP50);
  els.hudE2e.textContent = fmt(f.e2eP50);
  els.hudModel.textContent = formatBytes(state.load.modelBytes);
  els.hudCache.textContent = `model ${state.load.modelCache}, wasm ${state.load.wasmCache}`;
}
setInterval(updateHud, 250);

// ---------------------------------------------------------------------------------------------
// Drawing

/** The rectangle (CSS pixels, in the stage) where object-fit: contain puts the media. */
function contentRect() {
  const media = state.source === 'image' ? els.image : els.video;
  const sw = state.source === 'image' ? media.naturalWidth : media.videoWidth;
  const sh = state.source === 'image' ? media.naturalHeight : media.videoHeight;
  const cw = els.stage.clientWidth;
  const ch = els.stage.clientHeight;
  if (!sw || !sh || !cw || !ch) return null;
  const scale = Math.min(cw / sw, ch / sh);
  return { x: (cw - sw * scale) / 2, y: (ch - sh * scale) / 2, scale, sw, sh };
}

/** Gives the view the aspect ratio of the current media (no large black bands on phones). */
function syncAspect() {
  const media = state.source === 'image' ? els.image : els.video;
  const w = state.source === 'image' ? media.naturalWidth : media.videoWidth;
  const h = state.source === 'image' ? media.naturalHeight : media.videoHeight;
  const aspect = w && h ? `${w} / ${h}` : '';
  if (els.stage.style.getPropertyValue('--media-aspect') !== aspect) els.stage.style.setProperty('--media-aspect', aspect);
}

/** True if a rectangle in source pixels overlaps the HUD (both compared in stage CSS pixels). */
function underHud(rect, x, y, w, h) {
  const hud = els.hud;
  const left = rect.x + x * rect.scale;
  const top = rect.y + y * rect.scale;
  return left < hud.offsetLeft + hud.offsetWidth && left + w * rect.scale > hud.offsetLeft &&
    top < hud.offsetTop + hud.offsetHeight && top + h * rect.scale > hud.offsetTop;
}

/** Draws the last results over the media, aligned with its letterboxed content rectangle. */
function drawResults() {
  syncAspect();
  const canvas = els.overlay;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(els.stage.clientWidth * dpr);
  const h = Math.round(els.stage.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const rect = contentRect();
  if (!rect || !state.results.length) return;
  // Results are in the coordinates of the frame as displayed (mirrored when `mirror` was on), so
  // they map onto the (CSS-mirrored) media with the same scale and offset.
  ctx.setTransform(dpr * rect.scale, 0, 0, dpr * rect.scale, dpr * rect.x, dpr * rect.y);
  drawDetections(ctx, state.results, {
    pixel: 1 / rect.scale,
    bounds: { width: rect.sw, height: rect.sh },
    avoid: (x, y, tw, th) => underHud(rect, x, y, tw, th),
  });
}

new ResizeObserver(() => drawResults()).observe(els.stage);
els.video.addEventListener('resize', () => drawResults());
els.image.addEventListener('load', () => drawResults());

function applyMirror() {
  const mirrored = els.mirror.checked;
  els.video.classList.toggle('mirrored', mirrored);
  els.image.classList.toggle('mirrored', mirrored);
}

// ---------------------------------------------------------------------------------------------
// Controls

els.model.addEventListener('change', () => {
  state.modelKey = els.model.value;
  loadDetector();
});

async function useModelFile(file) {
  state.userModel = { name: file.name, file };
  els.modelFileOption.disabled = false;
  els.modelFileOption.textContent = `Your model · ${file.name}`;
  els.model.value = 'file';
  state.modelKey = 'file';
  await loadDetector();
}

els.modelInput.addEventListener('change', () => {
  const file = els.modelInput.files[0];
  if (file) useModelFile(file);
  els.modelInput.value = '';
});

els.threshold.addEventListener('input', () => {
  els.threshold.dataset.touched = '1';
  applyOptions();
});
els.maxResults.addEventListener('change', applyOptions);
els.mirror.addEventListener('change', () => {
  applyMirror();
  state.results = [];
  drawResults();
  applyOptions();
});
els.worker.addEventListener('change', () => loadDetector());

els.pause.addEventListener('click', () => {
  state.paused = !state.paused;
  els.pause.textContent = state.paused ? 'Resume' : 'Pause';
  els.pause.setAttribute('aria-pressed', String(state.paused));
  if (state.source === 'camera' || state.source === 'video') {
    if (state.paused) els.video.pause();
    else els.video.play().catch(() => {});
  }
});

els.camera.addEventListener('click', () => startCamera());
els.mediaInput.addEventListener('change', () => {
  const file = els.mediaInput.files[0];
  if (file) openMedia(file);
  els.mediaInput.value = '';
});
els.messageActions.addEventListener('click', (e) => {
  const action = e.target.closest('button')?.dataset.action;
  if (action === 'retry-camera') startCamera();
  if (action === 'open-media') els.mediaInput.click();
});

// Drag and drop anywhere: .tflite -> model, image/video -> source.
let dragDepth = 0;
document.addEventListener('dragenter', (e) => {
  e.preventDefault();
  if (++dragDepth === 1) els.dropHint.hidden = false;
});
document.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    els.dropHint.hidden = true;
  }
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  els.dropHint.hidden = true;
  const file = e.dataTransfer?.files?.[0];
  if (!file) return;
  if (/\.tflite$/i.test(file.name)) useModelFile(file);
  else if (/^(image|video)\//.test(file.type)) openMedia(file);
  else setStatus(`${file.name}: drop a .tflite model, an image or a video`, true);
});

// ---------------------------------------------------------------------------------------------
// Read-only hook for tests and curious users: window.__featherdetDemo.stats

function statsSnapshot() {
  const f = windowFigures();
  const s = state.stats;
  return Object.freeze({
    ready: state.detector !== null,
    model: state.modelKey,
    worker: els.worker.checked,
    mirror: els.mirror.checked,
    source: state.source,
    paused: state.paused,
    frames: s.frames,
    framesWithDetections: s.framesWithDetections,
    detections: s.detections,
    labelFrames: Object.freeze({ ...s.labelFrames }),
    lastResults: Object.freeze(state.results.map((r) => ({ label: r.label, score: r.score, box: { ...r.box } }))),
    fps: f.fps,
    inferP50: f.inferP50,
    e2eP50: f.e2eP50,
    modelBytes: state.load.modelBytes,
    modelCache: state.load.modelCache,
    wasmCache: state.load.wasmCache,
    loadMs: state.load.ms,
    errors: s.errors,
    lastError: s.lastError,
    hud: {
      fps: els.hudFps.textContent, infer: els.hudInfer.textContent, e2e: els.hudE2e.textContent,
      model: els.hudModel.textContent, cache: els.hudCache.textContent,
    },
  });
}

Object.defineProperty(window, '__featherdetDemo', {
  value: Object.freeze({ get stats() { return statsSnapshot(); } }),
  enumerable: false,
});

// ---------------------------------------------------------------------------------------------
// Start: the package, then the camera and the face model in parallel.

let FaceDetector;
let ObjectDetector;
let Detector;
let drawDetections;
els.thresholdValue.value = Number(els.threshold.value).toFixed(2);
try {
  ({ FaceDetector, ObjectDetector, Detector, drawDetections } = await import('featherdet'));
  if (!FaceDetector || !ObjectDetector || !Detector) throw new Error('dist/index.js does not export the detector API');
} catch (err) {
  setStatus('featherdet is not built', true);
  showMessage(`The featherdet package could not be loaded (${err.message}). Run \`npm start\` from the repository: it builds dist/ first.`, { error: true });
  throw err;
}
startCamera();
loadDetector();
