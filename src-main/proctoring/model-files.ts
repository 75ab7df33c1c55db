// Where the shipped model files live and how tfjs reads them. Human and the wasm backend ship their
// weights and binaries inside their npm packages; a `file://` load router hands those files to
// tfjs so nothing is ever fetched over the network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export interface ModelPaths {
  /** Human's package root (dist/ and models/ below it). */
  humanDir: string;
  modelsDir: string;
  /** Folder holding tfjs-backend-wasm's *.wasm binaries (trailing slash, as tfjs expects). */
  wasmDir: string;
}

export function modelPaths(): ModelPaths {
  // Human's "exports" map has no "./" entries for its builds, so resolve the package's main file.
  const humanDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return {
    humanDir,
    modelsDir: path.join(humanDir, 'models'),
    wasmDir: path.join(wasmDir, 'dist') + path.sep,
  };
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

/** Reads a tfjs graph model (model.json + weight shards) from disk into ModelArtifacts. */
export function readModelArtifacts(file: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
  const specs: unknown[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const shard of group.paths) shards.push(readFileSync(path.join(path.dirname(file), shard)));
  }
  const weights = Buffer.concat(shards);
  return {
    // The signature matters: without it the face-description model loses its embedding output.
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
    weightSpecs: specs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
}

/** tfjs IORouter for `file://` URLs; returns null for anything else so other routers may answer. */
export function fileLoadRouter(
  url: string | string[],
): { load: () => Promise<Record<string, unknown>> } | null {
  const first = Array.isArray(url) ? url[0] : url;
  if (typeof first !== 'string' || !first.startsWith('file://')) return null;
  const file = fileURLToPath(first);
  return { load: async () => readModelArtifacts(file) };
}
