// The face analysis itself: Human (BlazeFace + FaceMesh + iris + face description) on the tfjs
// wasm backend, fed with decoded frames. It runs inside the analysis worker; benchmarks also run it
// in-process to measure one thread.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Config, Human as HumanInstance } from '@vladmandic/human';
import { validateFrame } from './frame-validation';
import { DetectorReuse } from './detector-reuse';
import { GridSnapshot, imageQuality, lumaChange, lumaGrid } from './image-quality';
import { fileLoadRouter, modelPaths } from './model-files';
import type { FaceObservation, FrameObservation, ModelVersions, RawFrame } from './types';

const require = createRequire(import.meta.url);

/** Which optional models to run on this frame (the frame flow runs them on a cadence). */
export interface AnalyzeOptions {
  gaze: boolean;
  /**
   * Describe one face (the face-description embedding): the largest face scoring at least
   * `minFaceScore`, the one every rule reads as the candidate. Other faces in view are not described;
   * the model costs ~120 ms per face on one wasm thread.
   */
  embedding: boolean;
  /** Faces below this detector score are never the described face (default 0). */
  minFaceScore?: number;
  /**
   * Live video only: reuse the face boxes tracked by the mesh for up to this many ms of frame time
   * instead of running the detector on every frame (Human's frame-skip cache). A large change
   * between frames (someone entering, the lens covered) re-runs the detector at once; so does a
   * frame with no tracked face. 0 = detect on every frame.
   */
  detectorReuseMs?: number;
}

/** Minimal view of the tfjs-core instance Human uses (its own CommonJS copy). */
interface Tf {
  tidy<T>(fn: () => T): T;
  tensor4d(values: Float32Array, shape: [number, number, number, number], dtype: 'float32'): unknown;
  expandDims(tensor: unknown, axis: number): unknown;
  mul(a: unknown, b: number): unknown;
  image: { resizeBilinear(tensor: unknown, size: [number, number], alignCorners: boolean): unknown };
  dispose(tensor: unknown): void;
  memory(): { numTensors: number; numBytes: number };
  io: { registerLoadRouter(router: (url: string | string[]) => unknown): void };
  version_core: string;
  getBackend(): string;
}

export interface AnalyzerCore {
  analyze(frame: RawFrame, options: AnalyzeOptions): Promise<FrameObservation>;
  memory(): { numTensors: number; numBytes: number };
  versions: ModelVersions;
}

const RAD_TO_DEG = 180 / Math.PI;
/** Luma standard deviation at or below which a frame is treated as featureless. */
export const FEATURELESS_CONTRAST = 3;
/**
 * The largest picture change (mean squared difference / 255, about 13 grey levels RMS) still counted
 * as the same picture: by Human's frame cache (reuse tracked boxes), by the empty-scene reuse and by
 * the described-face check (inside the face's box).
 */
const REUSE_SENSITIVITY = 0.7;
const MODELS = ['blazeface', 'facemesh', 'iris', 'faceres'];
/** Length of the faceres descriptor output (the other outputs are age and gender). */
const DESCRIPTOR_LENGTH = 1024;

/** The slice of a tfjs GraphModel (and its output tensors) the description step uses. */
interface GraphModelLike {
  inputs: { shape?: number[] }[];
  execute(input: unknown): { shape: number[]; data(): Promise<Float32Array> }[];
}

function humanConfig(modelBasePath: string, wasmPath: string): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath,
    // Never use browser caches or platform fetch: the files come through our file:// router.
    wasmPlatformFetch: false,
    modelBasePath,
    debug: false,
    async: false,
    warmup: 'none',
    // Analyse every frame from scratch: cached boxes from an earlier frame would blur the evidence.
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 5, minConfidence: 0.3, iouThreshold: 0.1, return: false },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: true },
      // Loaded so `describe` can run it, but never run by Human itself (it would describe every face).
      description: { enabled: true },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/** Loads Human and its models from the shipped files. Call once per thread. */
export async function createAnalyzerCore(): Promise<AnalyzerCore> {
  const paths = modelPaths();
  // The node-wasm build uses @tensorflow/tfjs-core + tfjs-backend-wasm (no native tfjs-node).
  const lib = require(`${paths.humanDir}/dist/human.node-wasm.js`) as {
    Human: new (config: Partial<Config>) => HumanInstance;
  };
  const modelBase = pathToFileURL(paths.modelsDir).href + '/';
  const human = new lib.Human(humanConfig(modelBase, paths.wasmDir));
  const tf = human.tf as Tf;
  tf.io.registerLoadRouter(fileLoadRouter);
  await human.load();
  const loaded = Object.entries(human.models.models)
    .filter(([, model]) => model !== null)
    .map(([name]) => name);
  const missing = MODELS.filter((name) => !loaded.includes(name));
  if (missing.length > 0) throw new Error(`face models failed to load: ${missing.join(', ')}`);
  const versions: ModelVersions = {
    detector: `human-${human.version}`,
    human: human.version,
    tfjs: tf.version_core,
    backend: tf.getBackend(),
    models: MODELS,
  };

  const detector = new DetectorReuse(REUSE_SENSITIVITY);
  // The picture when a face was last described: later frames say whether that face still looks the
  // same (see FrameObservation.faceChangedSinceDescription).
  const describedPicture = new GridSnapshot();

  // One float32 RGB staging buffer, reused frame after frame: tfjs copies it into the wasm heap, so a
  // fresh 3.7 MB array per frame (what passing the bytes as int32 costs) would only feed the GC.
  let staging = new Float32Array(0);
  const toInput = (frame: RawFrame): unknown => {
    const pixels = frame.width * frame.height;
    if (staging.length !== pixels * 3) staging = new Float32Array(pixels * 3);
    const { data, channels } = frame;
    if (channels === 3) {
      // TypedArray.set converts bytes to floats natively, several times faster than a JS loop.
      staging.set(data.subarray(0, pixels * 3));
    } else {
      for (let p = 0, o = 0, i = 0; p < pixels; p++, i += channels) {
        staging[o++] = data[i]!;
        staging[o++] = data[i + 1]!;
        staging[o++] = data[i + 2]!;
      }
    }
    // Already [1, h, w, 3] float32: Human uses it as is (no cast, no alpha slice).
    return tf.tensor4d(staging, [1, frame.height, frame.width, 3], 'float32');
  };

  // The face-description model, run by us on one face rather than by Human on every face in view.
  const faceres = human.models.models.faceres as unknown as GraphModelLike;
  const [, descH = 224, descW = 224] = faceres.inputs[0]?.shape ?? [];
  const describe = async (faceCrop: unknown): Promise<number[]> => {
    // The same preparation as Human's own description step: the mesh's face crop (0..1) resized
    // to the model's input and scaled to 0..255.
    const input = tf.tidy(() =>
      tf.mul(tf.image.resizeBilinear(tf.expandDims(faceCrop, 0), [descW, descH], false), 255),
    );
    const outputs = faceres.execute(input);
    tf.dispose(input);
    try {
      const descriptor = outputs.find((t) => t.shape[1] === DESCRIPTOR_LENGTH);
      return descriptor ? Array.from(await descriptor.data()) : [];
    } finally {
      tf.dispose(outputs);
    }
  };

  return {
    versions,
    memory: () => {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    },
    analyze: async (frame, options) => {
      validateFrame(frame);
      const started = performance.now();
      const grid = lumaGrid(frame);
      const quality = imageQuality(frame, grid);
      const noModels = (skipped: FrameObservation['skipped']): FrameObservation => ({
        timestampMs: frame.timestampMs,
        width: frame.width,
        height: frame.height,
        faces: [],
        quality,
        analysisMs: round(performance.now() - started, 1),
        ran: { faceModels: false, gaze: false, embedding: false },
        skipped,
      });
      // A uniform picture (lens covered, camera dark) cannot hold a face: skip the models.
      if (quality.contrast <= FEATURELESS_CONTRAST) return noModels('featureless');
      const reuse = options.detectorReuseMs ?? 0;
      const plan = detector.plan(frame.timestampMs, reuse, grid);
      if (plan === 'unchanged_empty') return noModels('unchanged_empty');
      const input = toInput(frame);
      let faces: FaceObservation[];
      let faceChanged: boolean | undefined;
      // With an embedding asked for, Human hands back each face's crop for `describe`.
      let crops: unknown[] = [];
      try {
        const result = await human.detect(input as Parameters<HumanInstance['detect']>[0], {
          cacheSensitivity: reuse > 0 ? REUSE_SENSITIVITY : 0,
          face: {
            // skipFrames 0 forces the detector; otherwise Human reuses its boxes unless the frame
            // changed a lot.
            detector: {
              ...(plan === 'detect'
                ? { skipFrames: 0, skipTime: 0 }
                : { skipFrames: 1_000_000, skipTime: 1e12 }),
              return: options.embedding,
            },
            iris: { enabled: options.gaze },
            description: { enabled: false },
          },
        });
        crops = result.face.map((face) => face.tensor);
        if (result.error) throw new Error(result.error);
        faces = result.face.map((face) => {
          const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
          const observation: FaceObservation = {
            box: face.box.map((v) => Math.round(v)) as [number, number, number, number],
            score: round(face.score, 3),
            pose: {
              yaw: round(angle.yaw * RAD_TO_DEG, 1),
              pitch: round(angle.pitch * RAD_TO_DEG, 1),
              roll: round(angle.roll * RAD_TO_DEG, 1),
            },
          };
          if (options.gaze && face.rotation?.gaze) {
            observation.gaze = {
              bearing: round(face.rotation.gaze.bearing, 3),
              strength: round(face.rotation.gaze.strength, 3),
            };
          }
          return observation;
        });
        // The face every rule reads as the candidate: the largest scoring at least minFaceScore.
        const minScore = options.minFaceScore ?? 0;
        const primary = faces.reduce<FaceObservation | null>(
          (best, face) => (face.score >= minScore && (!best || area(face) > area(best)) ? face : best),
          null,
        );
        const crop = primary ? crops[faces.indexOf(primary)] : undefined;
        if (options.embedding && primary && crop) {
          const embedding = await describe(crop);
          if (embedding.length > 0) {
            primary.embedding = embedding;
            describedPicture.keep(grid);
            faceChanged = false;
          }
        } else if (primary && describedPicture.grid) {
          faceChanged = lumaChange(grid, describedPicture.grid, primary.box) > REUSE_SENSITIVITY;
        }
      } finally {
        tf.dispose(input);
        for (const crop of crops) if (crop) tf.dispose(crop);
      }
      detector.record(frame.timestampMs, plan, faces.length, grid);
      faces.sort((a, b) => area(b) - area(a));
      return {
        timestampMs: frame.timestampMs,
        width: frame.width,
        height: frame.height,
        faces,
        quality,
        analysisMs: round(performance.now() - started, 1),
        ran: { faceModels: true, gaze: options.gaze, embedding: options.embedding },
        ...(faceChanged === undefined ? {} : { faceChangedSinceDescription: faceChanged }),
      };
    },
  };
}

function area(face: FaceObservation): number {
  return face.box[2] * face.box[3];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
