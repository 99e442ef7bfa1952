// The built Node package, installed from its directory, gives the CLI's answers on every
// conformance fixture (validation, analysis, workloads, resolution, listeners, traces), the seed
// examples and the 50-namespace mesh; and its .d.ts types every real result (tsc, strict).
// Run by scripts/test-wasm after scripts/build-wasm-package and `cargo build -p sidecarscope-cli`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, test } from "node:test";
import { CLI, HERE, PKG, ROOT, cli, directoryInput, fixtures, installPackage } from "./lib.mjs";

const require = createRequire(import.meta.url);
const STDIN = "<stdin>";
let api;
/** Results to type-check against the .d.ts: [type name, value]. */
const typed = [];

before(() => {
  const name = installPackage(join(PKG, "node"));
  assert.equal(name, "sidecarscope-wasm-nodejs");
  api = require(name);
});

/** CLI proxy options for a fixture's proxy (the CLI's --labels k=v,... form). */
function proxyArgs({ namespace, labels, ip, metadata }, istiodEnv = {}) {
  const args = ["--namespace", namespace];
  const l = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (l.length) args.push("--labels", l.join(","));
  if (ip) args.push("--ip", ip);
  for (const [k, v] of Object.entries(metadata)) args.push("--proxy-metadata", `${k}=${v}`);
  for (const [k, v] of Object.entries(istiodEnv)) args.push("--istiod-env", `${k}=${v}`);
  return args;
}

function proxySpec({ namespace, labels, ip, metadata }, istiodEnv = {}) {
  return { namespace, labels, ...(ip ? { ip } : {}), metadata, istiodEnv };
}

function traceArgs(c) {
  const host = c.address?.includes(":") ? `[${c.address}]` : c.address ?? "";
  const args = ["--to", `${host}:${c.port}`, "--protocol", c.protocol];
  if (c.tls) args.push("--tls", c.tls);
  if (c.host) args.push("--host", c.host);
  if (c.direction === "inbound") args.push("--inbound");
  return args;
}

function callSpec(c) {
  const spec = { port: c.port, protocol: c.protocol, direction: c.direction };
  for (const k of ["address", "tls", "host"]) if (c[k] !== undefined) spec[k] = c[k];
  return spec;
}

/** Compares and collects failures instead of stopping at the first. */
function same(failures, label, got, want) {
  try {
    assert.deepStrictEqual(got, want);
  } catch (e) {
    failures.push(`${label}: ${e.message.split("\n").slice(0, 12).join("\n")}`);
  }
}

function finish(failures, count) {
  assert.ok(count > 0, "nothing was compared");
  assert.equal(failures.length, 0, `${failures.length} of ${count} differ:\n${failures.slice(0, 10).join("\n\n")}`);
}

/** Workloads (vs `resolve --all`) and resolution of each workload, by `{ workload }`. */
function checkWorkloads(failures, label, input, cliInput) {
  const all = cliInput.dir ? cli(["resolve", cliInput.dir, "--all", "-o", "json"]) : cli(["resolve", "--all", "-o", "json"], cliInput.text);
  const ws = api.workloads(input);
  typed.push(["Workload[]", ws]);
  same(failures, `${label}: workloads`, ws.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name })), all.map((r) => r.workload));
  for (const w of ws) {
    const text = typeof input === "string" ? input : input.find((f) => f.name === w.file).text;
    assert.equal(w.line, w.range.start.line, `${label}: ${w.name}`);
    assert.ok(w.range.end.utf16 > w.range.start.utf16 && w.range.end.utf16 <= text.length, `${label}: ${w.name}`);
    assert.match(text.slice(w.range.start.utf16, w.range.end.utf16), new RegExp(`kind: *${w.kind}\\b`), `${label}: ${w.name}`);
  }
  ws.forEach((w, i) => {
    const r = api.resolve(input, { workload: `${w.namespace}/${w.name}` });
    typed.push(["Resolution", r]);
    same(failures, `${label}: resolve ${w.namespace}/${w.name}`, r, all[i]);
  });
  return ws.length;
}

const cases = fixtures();

test("every kind of fixture is there", () => {
  const kinds = new Set(cases.map((c) => c.kind));
  for (const k of ["validation", "analysis", "resolution", "listeners"]) assert.ok(kinds.has(k), `no ${k} fixtures`);
  assert.ok(cases.length >= 300, `${cases.length} fixtures`);
});

test("version equals `sidecarscope --version`", () => {
  assert.equal(`sidecarscope ${api.version()}`, execFileSync(CLI, ["--version"], { encoding: "utf8" }).trim());
});

test("validate and analyze equal the CLI's JSON on every fixture", () => {
  const failures = [];
  let n = 0;
  for (const c of cases) {
    const input = [{ name: STDIN, text: c.input }];
    for (const cmd of ["validate", "analyze"]) {
      const got = api[cmd](input);
      typed.push(["DiagnosticsReport", got]);
      same(failures, `${c.path}: ${cmd}`, got, cli([cmd, "-o", "json"], c.input));
      n++;
    }
    // A plain string is the same text, named input.yaml.
    const plain = api.validate(c.input);
    same(failures, `${c.path}: validate(string)`, plain.diagnostics.map((d) => ({ ...d, file: STDIN })), api.validate(input).diagnostics);
  }
  finish(failures, n);
});

test("resolve equals the CLI's JSON on every fixture with a proxy", () => {
  const failures = [];
  let n = 0;
  for (const c of cases) {
    for (const proxy of c.proxies) {
      const got = api.resolve(c.input, proxySpec(proxy));
      typed.push(["Resolution", got]);
      same(failures, `${c.path}: resolve ${proxy.namespace}`, got, cli(["resolve", ...proxyArgs(proxy), "-o", "json"], c.input));
      n++;
    }
  }
  finish(failures, n);
});

test("listeners and traces equal the CLI's JSON on every listener fixture", () => {
  const failures = [];
  let n = 0;
  for (const c of cases.filter((c) => c.kind === "listeners" || c.raw || c.calls.length)) {
    const input = [{ name: STDIN, text: c.input }];
    for (const proxy of c.proxies) {
      const got = api.listeners(input, proxySpec(proxy, c.istiodEnv));
      typed.push(["ListenerSet", got]);
      same(failures, `${c.path}: listeners ${proxy.namespace}`, got, cli(["listeners", ...proxyArgs(proxy, c.istiodEnv), "-o", "json"], c.input));
      n++;
      for (const call of c.calls) {
        const t = api.trace(input, proxySpec(proxy, c.istiodEnv), callSpec(call));
        typed.push(["Trace", t]);
        same(failures, `${c.path}: trace ${JSON.stringify(call)}`, t, cli(["trace", ...proxyArgs(proxy, c.istiodEnv), ...traceArgs(call), "-o", "json"], c.input));
        n++;
      }
    }
  }
  assert.ok(n >= 50, `only ${n} listener sets and traces compared`);
  finish(failures, n);
});

test("workloads, and resolve by workload, equal the CLI's `resolve --all` on every fixture", () => {
  const failures = [];
  let n = 0;
  for (const c of cases) n += checkWorkloads(failures, c.path, [{ name: STDIN, text: c.input }], { text: c.input });
  assert.ok(n > 20, `only ${n} workloads`);
  finish(failures, Math.max(n, 1));
});

test("seed examples and the 50-namespace mesh (several files) equal the CLI", () => {
  const failures = [];
  let n = 0;
  const seed = "examples/seed";
  for (const f of readdirSync(join(ROOT, seed)).filter((f) => f.endsWith(".yaml")).sort()) {
    const text = readFileSync(join(ROOT, seed, f), "utf8");
    for (const cmd of ["validate", "analyze"]) {
      same(failures, `${f}: ${cmd}`, api[cmd]([{ name: STDIN, text }]), cli([cmd, "-o", "json"], text));
      n++;
    }
    n += checkWorkloads(failures, f, [{ name: STDIN, text }], { text });
  }
  const mesh = "crates/sidecarscope/tests/fixtures/mesh-50ns";
  const files = directoryInput(mesh);
  assert.ok(files.length >= 2);
  for (const cmd of ["validate", "analyze"]) {
    const got = api[cmd](files);
    typed.push(["DiagnosticsReport", got]);
    same(failures, `${mesh}: ${cmd}`, got, cli([cmd, mesh, "-o", "json"]));
    n++;
  }
  n += checkWorkloads(failures, mesh, files, { dir: mesh });
  finish(failures, n);
});

test("invalid arguments throw an Error with a clear message; findings do not", () => {
  assert.throws(() => api.validate(42), { name: "Error", message: /^sidecarscope: input must be a string .* not number$/ });
  assert.throws(() => api.resolve("", { namespace: "a", workload: "a/b" }), /either workload or namespace/);
  assert.throws(() => api.listeners("", { namespace: "a", lables: {} }), /unknown field `lables`/);
  assert.throws(() => api.trace("", { namespace: "a" }, { port: 80 }), /an outbound call needs an address/);
  assert.doesNotThrow(() => api.analyze("kind: [oops"));
  assert.equal(api.analyze("kind: [oops").diagnostics[0].code, "SC0001");
});

test("ESM import of the CommonJS package has the named exports", async () => {
  const m = await import("sidecarscope-wasm-nodejs");
  for (const f of ["validate", "analyze", "workloads", "resolve", "listeners", "trace", "version", "complete", "hover", "definition", "references", "codeActions"]) {
    assert.equal(typeof m[f], "function", f);
  }
});

/** Removes comments, so that prose ("any JSON value") does not count as the type `any`. */
const code = (dts) => dts.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

test("the .d.ts of both packages has no `any`", () => {
  for (const d of ["node", "web"]) {
    for (const f of ["sidecarscope.d.ts", "sidecarscope_bg.wasm.d.ts"]) {
      const text = code(readFileSync(join(PKG, d, f), "utf8"));
      const bad = text.split("\n").filter((l) => /\bany\b/.test(l));
      assert.deepEqual(bad, [], `${d}/${f}`);
    }
  }
});

test("tsc: every real result above type-checks against the .d.ts; arguments are typed", { timeout: 600_000 }, () => {
  assert.ok(typed.length > 500, `only ${typed.length} results collected (run the whole file)`);
  const dir = join(HERE, "build");
  mkdirSync(dir, { recursive: true });
  // Identical results are checked once.
  const seen = new Set();
  const lines = [
    "// Generated by parity.test.mjs: real results of the Node package, checked against its .d.ts.",
    'import type { DiagnosticsReport, ListenerSet, Resolution, Trace, Workload } from "sidecarscope-wasm-nodejs";',
  ];
  let i = 0;
  for (const [type, value] of typed) {
    const json = JSON.stringify(value);
    if (seen.has(type + json)) continue;
    seen.add(type + json);
    lines.push(`export const r${i++}: ${type} = ${json};`);
  }
  writeFileSync(join(dir, "results.ts"), lines.join("\n") + "\n");
  writeFileSync(
    join(dir, "usage.ts"),
    `// Generated by parity.test.mjs: the argument types accept what the API accepts and reject mistakes.
import { analyze, listeners, resolve, trace, validate, version, workloads } from "sidecarscope-wasm-nodejs";
import type { CallSpec, Diagnostic, ProxySpec, SourceInput } from "sidecarscope-wasm-nodejs";
import init, { analyze as webAnalyze } from "../../../pkg/web/sidecarscope.js";

const text: SourceInput = "apiVersion: v1";
const files: SourceInput = [{ name: "a.yaml", text }];
const byWorkload: ProxySpec = { workload: "prod/ratings", ip: "10.0.0.1", istiodEnv: { PILOT_HTTP10: "true" } };
const byLabels: ProxySpec = { namespace: "prod", labels: { app: "ratings" }, metadata: { INTERCEPTION_MODE: "NONE" } };
const call: CallSpec = { address: "10.0.0.5", port: 9080, protocol: "HTTP", host: "reviews" };
const inbound: CallSpec = { port: 9080, direction: "inbound", tls: "mtls" };
export const v: string = version();
export const d: Diagnostic[] = [...validate(text).diagnostics, ...analyze(files).diagnostics];
export const s: number | undefined = analyze(text, { suppress: ["IST0101=Sidecar prod/*"] }).summary.suppressed;
export const w: string[] = workloads(files).map((x) => x.range.start.utf16.toFixed());
export const r: string | undefined = resolve(text, byWorkload).sidecar?.name;
export const l: number = listeners(text, byLabels).listeners.length;
export const t: string | null = trace(text, byLabels, call).cluster ?? trace(text, byLabels, inbound).error;
export async function web(): Promise<number> {
  await init();
  return webAnalyze(text).summary.errors;
}
// @ts-expect-error: suppress is a list of CODE=RESOURCE strings
analyze(text, { suppress: "IST0101=Sidecar prod/*" });
// @ts-expect-error: workload and namespace exclude each other
resolve(text, { workload: "a/b", namespace: "a" });
// @ts-expect-error: labels need a namespace
resolve(text, { workload: "a/b", labels: { app: "x" } });
// @ts-expect-error: proxy is required
listeners(text);
// @ts-expect-error: not a protocol
trace(text, byLabels, { address: "1.2.3.4", port: 80, protocol: "UDP" });
// @ts-expect-error: port is required
trace(text, byLabels, { address: "1.2.3.4" });
// @ts-expect-error: input is text or files
validate(42);
// @ts-expect-error: results are typed (no such field)
validate(text).diagnostics[0]?.lineNumber;
`,
  );
  const tsc = join(HERE, "node_modules", ".bin", "tsc");
  const args = ["--noEmit", "--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", "--types", ""];
  try {
    execFileSync(tsc, [...args, join(dir, "results.ts"), join(dir, "usage.ts")], { cwd: HERE, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc found type errors (${i} distinct results):\n${(e.stdout || e.message).split("\n").slice(0, 40).join("\n")}`);
  }
});
