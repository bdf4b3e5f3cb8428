// The Research panel's Web Worker (crates/research-worker; the page starts it as
// `new Worker("research-worker.js")`, crates/web/src/research/job.rs). A classic
// worker script: it loads the wasm-bindgen glue trunk wrote for the worker (no-modules target,
// files named without a hash: trunk names a worker's files after its binary) and the wasm, then
// hands each job the page posts (text) to the wasm's `run`, which posts progress and results
// back as text. Jobs posted while the wasm loads wait for it. A failure to load is posted as the
// job's error message (the page shows it); an error thrown by `run` (a trap) is left uncaught,
// so it reaches the page as the worker's `error` event.
'use strict';
var waiting = [];
self.onmessage = function (e) {
  waiting.push(e.data);
};
function failed(what, err) {
  var why = err && err.message ? err.message : String(err);
  self.postMessage(JSON.stringify({ kind: 'error', message: what + ' (' + why + ')' }));
}
// A job runs in a task of its own: an error inside it is the worker's uncaught error.
function start(job) {
  setTimeout(function () {
    wasm_bindgen.run(job);
  }, 0);
}
try {
  importScripts('./harvest-research-worker.js');
  wasm_bindgen({ module_or_path: './harvest-research-worker_bg.wasm' }).then(
    function () {
      self.onmessage = function (e) {
        wasm_bindgen.run(e.data);
      };
      waiting.forEach(start);
      waiting = [];
    },
    function (err) {
      failed('the research worker could not load its WebAssembly', err);
    },
  );
} catch (err) {
  failed('the research worker could not load its script', err);
}
