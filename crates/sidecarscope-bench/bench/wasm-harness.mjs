// The wasm side of the wasm/native comparison (issue 8): loads sidecarscope_bench.wasm (the
// stages of src/stages.rs compiled to wasm32-unknown-unknown, plain exports, no JS glue) in
// Node, and times each stage with performance.now() using the native harness's protocol
// (src/timing.rs): one warm-up run, then N timed runs (more while under --min-ms), median and
// minimum. Prints one JSON object per stage, like `bench-stages`.
//
// usage: node wasm-harness.mjs WASM FILE [--iters N] [--min-ms MS] [--stages load,...] [--label L]
//        [--engine NAME] (the name in the output, default wasm)
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const STAGES = ["load", "validate", "analyze", "resolve-all", "listeners-all"];

const args = process.argv.slice(2);
const positional = [];
const opts = { iters: 5, minMs: 0, stages: STAGES, label: "", engine: "wasm" };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--iters") opts.iters = Number(args[++i]);
  else if (a === "--min-ms") opts.minMs = Number(args[++i]);
  else if (a === "--stages") opts.stages = args[++i].split(",");
  else if (a === "--label") opts.label = args[++i];
  else if (a === "--engine") opts.engine = args[++i];
  else positional.push(a);
}
if (positional.length !== 2 || opts.stages.some((s) => !STAGES.includes(s))) {
  console.error("usage: node wasm-harness.mjs WASM FILE [--iters N] [--min-ms MS] [--stages load,...] [--label L]");
  process.exit(2);
}
const [wasmPath, file] = positional;

const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const x = instance.exports;
const bytes = readFileSync(file);
const ptr = x.bench_alloc(bytes.length);
new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
if (x.bench_set_text(ptr, bytes.length) < 0) {
  console.error(`wasm-harness: ${file} is not UTF-8`);
  process.exit(2);
}

for (const name of opts.stages) {
  const stage = STAGES.indexOf(name);
  const checksum = x.bench_run(stage); // warm-up
  const samples = [];
  const start = performance.now();
  while (samples.length < Math.max(1, opts.iters) || (performance.now() - start < opts.minMs && samples.length < 1000)) {
    const t = performance.now();
    x.bench_run(stage);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const n = samples.length;
  const median = n % 2 ? samples[n >> 1] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  console.log(JSON.stringify({
    engine: opts.engine,
    label: opts.label,
    stage: name,
    iters: n,
    median_ms: median,
    min_ms: samples[0],
    checksum,
    memory_mb: x.memory.buffer.byteLength / 1e6,
  }));
}
