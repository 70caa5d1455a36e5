// The signed demo catalog, built the way a publisher builds a release: a demo ECDSA P-256 key made
// with the real openssl CLI, two products with their installers, ~70 packs (each .zst carrying its
// own pack.json), release.json drafted by `npm run release -- init` and every file and then the
// manifest signed by `release sign` with `openssl dgst -sha256 -sign` as its external signer; then
// dropped into local R2 under incoming/ exactly as a release pipeline would, so the catalog only ever
// reaches D1 through the sync. Two releases are attacks the sync must refuse: one altered after
// signing, one forged with an attacker's own key.
//
//   tsx scripts/demo-catalog.ts [--out .data/demo] [--keys .data/keys] [--persist-to .wrangler/state]
//                               [--dev-vars .dev.vars] [--no-drop]
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import {
  packFileName,
  RELEASE_JSON,
  RELEASE_JSON_SIGNATURE,
  signatureFileName,
  type PackManifest,
  type ReleaseManifest,
} from "../worker/sync/release-manifest";
import { isoImage, type TarEntry, tarZst, tgz } from "./demo-files";
import { canonicalJson, DEFINITION_FILE } from "./release/files";
import { init } from "./release/init";
import { sign as signRelease } from "./release/sign";
import { withDemoImages } from "./demo-images";
import { DEMO_PRODUCTS, demoPackManifests } from "./demo-packs";

const run = promisify(execFile);

export const DEMO_KEY_ID = "demo-ec-p256";
/** The studio deployment the demo releases are for: wrangler.toml's RELEASE_AUDIENCE. */
export const DEMO_AUDIENCE = "production";
/** The public key is also written beside the releases, under the name users know it by. */
export const PUBLIC_KEY_FILE = "spectro_public_key.pem";

export type DemoKey = { id: string; privateKeyPath: string; publicKeyPath: string; publicKeyPem: string };

/** The demo signing key, generated once by openssl (PKCS#8 PEM) and kept out of the repo and the worker. */
export const ensureDemoKey = (keysDir: string) => ensureKey(keysDir, DEMO_KEY_ID);

/** An attacker's own key: it signs the demo's forged release, and no deployment trusts it. */
export const ATTACKER_KEY_ID = "attacker-ec-p256";

async function ensureKey(keysDir: string, id: string): Promise<DemoKey> {
  const privateKeyPath = resolve(keysDir, `${id}.pem`);
  const publicKeyPath = resolve(keysDir, `${id}.pub.pem`);
  if (!existsSync(privateKeyPath)) {
    await mkdir(keysDir, { recursive: true, mode: 0o700 });
    await run("openssl", [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      privateKeyPath,
    ]);
    await chmod(privateKeyPath, 0o600);
  }
  if (!existsSync(publicKeyPath))
    await run("openssl", ["pkey", "-in", privateKeyPath, "-pubout", "-out", publicKeyPath]);
  return { id, privateKeyPath, publicKeyPath, publicKeyPem: await readFile(publicKeyPath, "utf8") };
}

// ---------------------------------------------------------------------------------------------
// .dev.vars

/** Reads KEY=VALUE lines the way wrangler's dotenv does for the simple values we write. */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === "'" || quote === '"') && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    vars[match[1]] = value;
  }
  return vars;
}

/**
 * Writes the local-only settings `npm start` needs into a git-ignored .dev.vars, adding only the
 * keys that are missing so a re-run keeps the admin token and signing secrets people already use.
 */
const newStudioKey = () =>
  generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();

export async function ensureDevVars(path: string, key: DemoKey): Promise<Record<string, string>> {
  const existingText = existsSync(path) ? await readFile(path, "utf8") : "";
  const existing = parseDevVars(existingText);
  const wanted: Record<string, string> = {
    ENVIRONMENT: "local",
    ADMIN_TOKEN: randomBytes(24).toString("base64url"),
    TRUSTED_PUBLIC_KEYS: JSON.stringify([{ id: key.id, pem: key.publicKeyPem }]),
    DOWNLOAD_SIGNING_KEYS: JSON.stringify([{ id: "k1", secret: randomBytes(32).toString("base64") }]),
    // The studio's own key for the grants' bundle lists (a fresh one per checkout, never committed).
    STUDIO_SIGNING_KEYS: JSON.stringify([{ id: "studio-local", privateKey: newStudioKey() }]),
    CAPTCHA_PROVIDER: "off",
    DOWNLOAD_SIGNER: "worker",
  };
  // A setting given in the environment (e.g. DOWNLOAD_SIGNER=r2 npm start) reaches wrangler dev as it
  // is: writing a default for it here could shadow it.
  const fromEnv = Object.fromEntries(
    Object.keys(wanted).flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
  );
  const missing = Object.keys(wanted).filter((name) => !(name in existing) && !(name in fromEnv));
  if (missing.length) {
    // Single quotes: dotenv takes the JSON values literally, with no escape processing.
    const lines = missing.map((name) => `${name}='${wanted[name]}'`);
    const header = existingText ? "" : "# Local development only (git-ignored); written by scripts/demo-catalog.ts.\n";
    const separator = existingText && !existingText.endsWith("\n") ? "\n" : "";
    await writeFile(path, `${existingText}${separator}${header}${lines.join("\n")}\n`, { mode: 0o600 });
  }
  const vars = { ...wanted, ...existing, ...fromEnv };
  warnIfDemoKeyUntrusted(vars.TRUSTED_PUBLIC_KEYS, key, path);
  return vars;
}

function warnIfDemoKeyUntrusted(trusted: string, key: DemoKey, path: string) {
  let keys: { id?: string; pem?: string }[] = [];
  try {
    keys = JSON.parse(trusted);
  } catch {
    // The worker names the problem itself at the first request.
  }
  const normalise = (pem = "") => pem.replace(/\s+/g, "");
  if (!keys.some((k) => normalise(k.pem) === normalise(key.publicKeyPem))) {
    console.warn(
      `warning: TRUSTED_PUBLIC_KEYS in ${path} does not include ${key.publicKeyPath}; the sync will quarantine the demo releases`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Releases

type FileEntry = { file: string; bytes: Uint8Array };
type PlannedFile =
  | (FileEntry & { kind: "pack"; pack: PackManifest })
  | (FileEntry & { kind: "content-bundle" | "iso" | "helm-chart"; product: string; productVersion: string });

export type PlannedRelease = {
  releaseId: string;
  products: ReleaseManifest["products"];
  files: PlannedFile[];
  /** Alters one file after the release (and its manifest) is signed, as an attacker with write access to the bucket would. */
  tamper?: string;
  /** Signed, manifest included, by the attacker's own key instead of the publisher's. */
  forged?: true;
};

export type DemoRelease = {
  releaseId: string;
  dir: string;
  manifest: ReleaseManifest;
  /** Every file name in upload order; release.json and then its signature are last. */
  uploadOrder: string[];
  tampered?: string;
};

const kib = 1024;

/** A pack's .zst: a zstd tar carrying its pack.json (which `release init` reads), README and values. */
export const packFile = (declared: PackManifest): PlannedFile => packFileWith(declared, []);

/** packFile with `extra` entries in its tar too (a benchmark's payload of a given size). */
export function packFileWith(declared: PackManifest, extra: TarEntry[]): PlannedFile {
  const pack = withDemoImages(declared); // the container images it ships (scripts/demo-images.ts)
  const { name, version, displayName, description } = pack;
  const readme = `# ${displayName} ${version}\n\n${description}\n\nLayer: ${pack.layer}${pack.addonType ? ` (${pack.addonType})` : ""}\n`;
  const values = `# Default values for ${name} ${version}\npack:\n  namespace: "${pack.layer === "addon" ? name : "kube-system"}"\n  spectrocloud.com/install-priority: "0"\n`;
  const bytes = tarZst([
    { path: "pack.json", data: `${JSON.stringify(pack, null, 2)}\n` },
    { path: "README.md", data: readme },
    { path: "values.yaml", data: values },
    ...extra,
  ]);
  return { kind: "pack", file: packFileName(name, version), bytes, pack };
}

function installerFiles(product: (typeof DEMO_PRODUCTS)[number], version: string): PlannedFile[] {
  const common = { product: product.id, productVersion: version };
  const manifest = {
    product: product.id,
    version,
    fips: product.fips,
    images: ["hubble", "palette-api", "palette-ui", "palette-jet"],
  };
  const bundle = tarZst([
    { path: "manifest.json", data: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: "README.md", data: `${product.name} ${version} content bundle for airgapped installs.\n` },
    { path: "blobs/sha256-layer.bin", data: randomBytes(256 * kib) },
  ]);
  const applianceSlug = product.applianceName.toLowerCase().replace(/\s+/g, "-");
  const chart = tgz([
    {
      path: `${product.id}/Chart.yaml`,
      data: `apiVersion: v2\nname: ${product.id}\nversion: ${version}\nappVersion: "${version}"\ndescription: ${product.name} management plane\n`,
    },
    { path: `${product.id}/values.yaml`, data: `global:\n  fips: ${product.fips}\n  registry: ""\n` },
    { path: `${product.id}/templates/NOTES.txt`, data: `${product.name} ${version} is installing.\n` },
  ]);
  return [
    { kind: "content-bundle", file: `${product.bundle}-v${version}.tar.zst`, bytes: bundle, ...common },
    {
      kind: "iso",
      file: `${applianceSlug}-v${version}.iso`,
      bytes: isoImage(`${applianceSlug}-${version}`, 768 * kib),
      ...common,
    },
    { kind: "helm-chart", file: `${product.id}-${version}.tgz`, bytes: chart, ...common },
  ];
}

/** The demo split into releases the way a publisher would ship them: one per product, packs in batches. */
export function planDemoReleases(): PlannedRelease[] {
  const packs = demoPackManifests();
  const layer = (...layers: PackManifest["layer"][]) => packs.filter((p) => layers.includes(p.layer)).map(packFile);
  const productReleases = DEMO_PRODUCTS.map(
    (product, i): PlannedRelease => ({
      releaseId: `demo-1-${product.id}`,
      products: [
        {
          id: product.id,
          name: product.name,
          applianceName: product.applianceName,
          fips: product.fips,
          sortOrder: i,
          change: "create",
        },
      ],
      files: product.versions.flatMap((version) => installerFiles(product, version)),
    }),
  );
  // The attack on unsigned metadata: a FIPS "Calico 3.99.0" that no trusted key ever signed.
  const forgedCalico: PackManifest = { ...packs.find((p) => p.name === "cni-calico")!, version: "3.99.0", fips: true };
  const tamperedPacks: PackManifest[] = [
    { ...packs.find((p) => p.name === "nginx")!, version: "1.12.0" },
    { ...packs.find((p) => p.name === "external-dns")!, version: "1.15.1" },
  ];
  return [
    ...productReleases,
    { releaseId: "demo-2-packs-os", products: [], files: layer("os") },
    { releaseId: "demo-2-packs-kubernetes", products: [], files: layer("k8s") },
    { releaseId: "demo-2-packs-network-storage", products: [], files: layer("cni", "csi") },
    { releaseId: "demo-2-packs-addons", products: [], files: layer("addon") },
    { releaseId: "demo-tampered-packs", products: [], files: tamperedPacks.map(packFile), tamper: "nginx-1.12.0.zst" },
    { releaseId: "demo-forged-calico", products: [], files: [packFile(forgedCalico)], forged: true },
  ];
}

/** Runs `work` over `items` with at most `limit` in flight (openssl processes on a small machine). */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** Writes `file`'s signature to `signatureFile` with `key`, as `openssl dgst -sha256 -sign` does. */
export type FileSigner = (key: DemoKey, file: string, signatureFile: string) => Promise<void>;

/** `openssl dgst -sha256 -sign KEY -out SIG FILE`, exactly what the docs' publishers run. */
const opensslSigner: FileSigner = async (key, file, signatureFile) => {
  await run("openssl", ["dgst", "-sha256", "-sign", key.privateKeyPath, "-out", signatureFile, file]);
};

/**
 * Writes every release folder (artifacts, release.json, and their signatures made by `sign`, openssl
 * by default; the benchmark's large catalogs pass a faster node:crypto signer) under outDir.
 */
export async function writeDemoReleases(
  outDir: string,
  key: DemoKey,
  plan = planDemoReleases(),
  sign: FileSigner = opensslSigner,
): Promise<DemoRelease[]> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, PUBLIC_KEY_FILE), key.publicKeyPem);
  const attacker = plan.some((p) => p.forged) ? await ensureKey(dirname(key.privateKeyPath), ATTACKER_KEY_ID) : key;
  const releases: DemoRelease[] = [];
  for (const planned of plan) {
    const signer = planned.forged ? attacker : key;
    const dir = resolve(outDir, planned.releaseId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const { file, bytes } of planned.files) await writeFile(join(dir, file), bytes);
    // The publisher's own steps: release.json drafted by `release init` (each pack's metadata read
    // from the pack.json inside its .zst), then every file and the manifest signed.
    const installers = planned.files.flatMap((f) =>
      f.kind === "pack" ? [] : [{ file: f.file, kind: f.kind, product: f.product, productVersion: f.productVersion }],
    );
    await writeFile(
      join(dir, DEFINITION_FILE),
      canonicalJson({ keyId: key.id, audience: DEMO_AUDIENCE, products: planned.products, installers }),
    );
    // A forger names the trusted key (keyId above); only the signature tells the truth.
    const { manifest } = await init({ dir });
    if (sign === opensslSigner) {
      // `openssl dgst -sha256 -sign`, exactly what the docs' publishers run, as the external signer.
      await signRelease({ dir, signCommand: `openssl dgst -sha256 -sign '${signer.privateKeyPath}'` });
    } else {
      await inPool(manifest.files, 4, (f) => sign(signer, join(dir, f.file), join(dir, f.signature)));
      await sign(signer, join(dir, RELEASE_JSON), join(dir, RELEASE_JSON_SIGNATURE));
    }
    if (planned.tamper) {
      // One flipped byte after everything was signed: the size stays right, the sha256 does not.
      const path = join(dir, planned.tamper);
      const bytes = await readFile(path);
      bytes[bytes.length >> 1] ^= 0x01;
      await writeFile(path, bytes);
    }
    const uploadOrder = [
      ...planned.files.flatMap((f) => [f.file, signatureFileName(f.file)]),
      RELEASE_JSON,
      RELEASE_JSON_SIGNATURE,
    ];
    releases.push({
      releaseId: planned.releaseId,
      dir,
      manifest,
      uploadOrder,
      ...(planned.tamper ? { tampered: planned.tamper } : {}),
    });
  }
  return releases;
}

// ---------------------------------------------------------------------------------------------
// Local R2 and D1 (through wrangler's platform proxy)

/** The parts of the R2 and D1 bindings this script uses; structural, so scripts need no worker types. */
export type DemoBucket = {
  put(key: string, value: Uint8Array): Promise<unknown>;
  list(options: { prefix: string; limit?: number }): Promise<{ objects: { key: string }[] }>;
};
export type DemoDatabase = { prepare(sql: string): { first<T>(): Promise<T | null> } };

/** Uploads each release under incoming/<release-id>/, release.json last, as the pipeline contract says. */
export async function dropIntoBucket(
  bucket: DemoBucket,
  releases: DemoRelease[],
): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for (const release of releases) {
    for (const file of release.uploadOrder) {
      const body = await readFile(join(release.dir, file));
      await bucket.put(`incoming/${release.releaseId}/${file}`, body);
      objects += 1;
      bytes += body.byteLength;
    }
  }
  return { objects, bytes };
}

/** True when nothing was ever published or dropped: the only case in which the demo is added. */
export async function catalogIsEmpty(db: DemoDatabase, bucket: DemoBucket): Promise<boolean> {
  const row = await db.prepare("SELECT COUNT(*) AS n FROM pack_versions").first<{ n: number }>();
  const incoming = await bucket.list({ prefix: "incoming/", limit: 1 });
  return (row?.n ?? 0) === 0 && incoming.objects.length === 0;
}

type Proxy = { env: Record<string, unknown>; dispose(): Promise<void> };

/**
 * Local D1 and R2 as `wrangler dev --persist-to <persistTo>` sees them. wrangler dev keeps its
 * state in <persistTo>/v3, which is the path the platform proxy takes directly.
 */
export async function openLocalPlatform(
  persistTo: string,
  devVarsPath?: string,
): Promise<{ db: DemoDatabase; bucket: DemoBucket; dispose(): Promise<void> }> {
  const { getPlatformProxy } = await import("wrangler");
  // wrangler's in-process logger reads WRANGLER_LOG on every call; its "Using secrets…" lines are noise
  // here, and so are its warnings on a healthy local start (CAPTCHA_SECRET unset while the captcha is off,
  // Workflows without a script_name): wrangler dev, started next, reports anything really wrong.
  const logLevel = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = logLevel ?? "error";
  let proxy: Proxy;
  try {
    proxy = (await getPlatformProxy({
      configPath: fileURLToPath(new URL("../wrangler.toml", import.meta.url)),
      persist: { path: join(resolve(persistTo), "v3") },
      ...(devVarsPath ? { envFiles: [resolve(devVarsPath)] } : {}),
    })) as unknown as Proxy;
  } finally {
    if (logLevel === undefined) delete process.env.WRANGLER_LOG;
  }
  return {
    db: proxy.env.DB as DemoDatabase,
    bucket: proxy.env.ARTIFACTS as DemoBucket,
    dispose: () => proxy.dispose(),
  };
}

/** Key (unless given), files, and the drop into local R2 (wrangler dev must not be running on persistTo). */
export async function generateAndDrop(options: {
  outDir: string;
  keysDir: string;
  key?: DemoKey;
  persistTo: string;
  devVarsPath?: string;
  drop?: boolean;
}) {
  const started = performance.now();
  const key = options.key ?? (await ensureDemoKey(options.keysDir));
  const releases = await writeDemoReleases(options.outDir, key);
  const generatedMs = performance.now() - started;
  let dropped = { objects: 0, bytes: 0, ms: 0 };
  if (options.drop !== false) {
    const platform = await openLocalPlatform(options.persistTo, options.devVarsPath);
    try {
      const dropStarted = performance.now();
      dropped = { ...(await dropIntoBucket(platform.bucket, releases)), ms: 0 };
      dropped.ms = performance.now() - dropStarted;
    } finally {
      await platform.dispose();
    }
  }
  return { key, releases, dropped, generatedMs };
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: ".data/demo" },
      keys: { type: "string", default: ".data/keys" },
      "persist-to": { type: "string", default: ".wrangler/state" },
      "dev-vars": { type: "string", default: ".dev.vars" },
      "no-drop": { type: "boolean", default: false },
    },
  });
  const key = await ensureDemoKey(values.keys);
  await ensureDevVars(values["dev-vars"], key);
  const { releases, dropped, generatedMs } = await generateAndDrop({
    outDir: values.out,
    keysDir: values.keys,
    key,
    persistTo: values["persist-to"],
    devVarsPath: values["dev-vars"],
    drop: !values["no-drop"],
  });
  const files = releases.reduce((n, r) => n + r.manifest.files.length, 0);
  const packs = releases.reduce((n, r) => n + r.manifest.files.filter((f) => f.kind === "pack").length, 0);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `${releases.length} releases, ${files} files signed with openssl (${packs} pack versions) in ${resolve(values.out)} (${seconds(generatedMs)})`,
  );
  console.log(`public key: ${key.publicKeyPath}`);
  if (!values["no-drop"]) {
    console.log(
      `dropped ${dropped.objects} objects (${(dropped.bytes / 1048576).toFixed(1)} MiB) into local R2 under incoming/ (${seconds(dropped.ms)})`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
