// Runs under csp.html's policy (script-src 'self' 'wasm-unsafe-eval'): loads the script-tag
// build featherdet.iife.js from ?dist= (default /dist/), detects the face in the page's image
// with the global `featherdet`, then the same with the ESM bundle, and publishes
// window.cspResult = { iife, esm, violations } (or { error }).
(function () {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  const dist = new URLSearchParams(location.search).get('dist') || '/dist/';
  const summary = (list) => list.map((d) => ({ label: d.label, score: d.score, box: d.box }));
  async function run() {
    const img = document.getElementById('face');
    await img.decode();
    const faces = await featherdet.FaceDetector.create();
    const iife = summary(faces.detect(img));
    faces.close();
    const esmApi = await import(`${dist}featherdet.esm.js`);
    const esmFaces = await esmApi.FaceDetector.create();
    const esm = summary(esmFaces.detect(img));
    esmFaces.close();
    return { iife, esm, violations };
  }
  const script = document.createElement('script');
  script.src = `${dist}featherdet.iife.js`;
  script.onload = () => run().then((r) => { window.cspResult = r; }, (e) => { window.cspResult = { error: `${e.name}: ${e.message}`, violations }; });
  script.onerror = () => { window.cspResult = { error: `cannot load ${script.src}`, violations }; };
  document.head.appendChild(script);
})();
