// Runs under csp-nowasm.html's policy (no 'wasm-unsafe-eval'): loads the script-tag build from
// ?dist= (default /dist/), tries FaceDetector.create() and publishes the error as
// window.cspResult = { name, code, message, isWasmSupportError } (or { error } if none came).
(function () {
  const dist = new URLSearchParams(location.search).get('dist') || '/dist/';
  const script = document.createElement('script');
  script.src = `${dist}featherdet.iife.js`;
  script.onload = () => featherdet.FaceDetector.create().then(
    () => { window.cspResult = { error: 'created a detector although the CSP forbids WebAssembly' }; },
    (e) => { window.cspResult = { name: e.name, code: e.code, message: e.message, isWasmSupportError: e instanceof featherdet.WasmSupportError }; });
  script.onerror = () => { window.cspResult = { error: `cannot load ${script.src}` }; };
  document.head.appendChild(script);
})();
