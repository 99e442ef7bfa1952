// Shared by the wasm package tests: paths, installing a built package from its directory, the
// CLI, and the conformance fixtures.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, "..", "..");
export const PKG = process.env.PKG_DIR ?? join(ROOT, "pkg");
export const CLI = process.env.SIDECARSCOPE_CLI ?? join(ROOT, "target", "debug", "sidecarscope");

/**
 * Installs a built package the way a user would: `npm pack` its directory (so only the files its
 * package.json lists are shipped) and `npm install` the tarball here, without touching
 * package.json or the lockfile. Returns the package name.
 */
export function installPackage(dir) {
  if (!existsSync(join(dir, "package.json"))) {
    throw new Error(`${dir} has no package.json: run scripts/build-wasm-package first`);
  }
  const tmp = mkdtempSync(join(tmpdir(), "sidecarscope-pack-"));
  try {
    const out = execFileSync("npm", ["pack", dir, "--pack-destination", tmp, "--json", "--silent"], { encoding: "utf8" });
    const [{ filename, name }] = JSON.parse(out);
    execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--silent", join(tmp, filename)], { cwd: HERE, stdio: "inherit" });
    return name;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs the CLI with `args`, the text on stdin; returns its parsed JSON (exit codes 0 and 1 are results). */
export function cli(args, stdin) {
  const r = spawnSync(CLI, args, { input: stdin, encoding: "utf8", maxBuffer: 256 << 20, cwd: ROOT });
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`sidecarscope ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

const str = (v) => (v === null || v === undefined ? undefined : String(v));
const strMap = (m) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, String(v)]));

/**
 * Every conformance fixture: `{ kind, name, path, input, proxies, istiodEnv, calls }`. Files in
 * the case format (tests/cases/README.md) give their `proxy` and calls; raw inputs (the fuzzing
 * `regressions/`) get the proxies and calls of the Rust regression test.
 */
export function fixtures() {
  const base = join(ROOT, "crates", "sidecarscope", "tests", "cases");
  const out = [];
  for (const kind of readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(join(base, kind)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const path = join(base, kind, file);
      const text = readFileSync(path, "utf8");
      let doc = null;
      try {
        doc = YAML.parse(text);
      } catch {}
      if (!doc || typeof doc.input !== "string") {
        const calls = [80, 8000, 3306].flatMap((port) =>
          ["outbound", "inbound"].map((direction) => ({
            address: "10.0.0.1",
            port,
            protocol: port === 3306 ? "TCP" : "HTTP",
            host: "baz.svc.cluster.local",
            direction,
          })),
        );
        const proxies = ["default", "ns1", "ns3"].map((namespace) => ({ namespace, labels: {}, metadata: {} }));
        out.push({ kind, name: file, path: relative(ROOT, path), input: text, proxies, istiodEnv: {}, calls, raw: true });
        continue;
      }
      const p = doc.proxy;
      const calls = (doc.expect?.listeners ?? []).flatMap((l) => l.calls ?? []);
      out.push({
        kind,
        name: doc.name,
        path: relative(ROOT, path),
        input: doc.input,
        proxies: p
          ? [{ namespace: str(p.namespace) ?? "default", labels: strMap(p.labels), ip: str(p.ip), metadata: strMap(p.metadata) }]
          : [],
        istiodEnv: strMap(doc.istiod_env),
        calls: calls.map((c) => ({
          address: str(c.address),
          port: Number(c.port),
          protocol: str(c.protocol) ?? "TCP",
          tls: str(c.tls),
          host: str(c.host),
          direction: str(c.direction) ?? "outbound",
        })),
        raw: false,
      });
    }
  }
  return out;
}

/** Multi-file inputs as the CLI reads a directory: `.yaml` files in name order, named by path. */
export function directoryInput(dir) {
  return readdirSync(join(ROOT, dir))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ name: join(dir, f), text: readFileSync(join(ROOT, dir, f), "utf8") }));
}
