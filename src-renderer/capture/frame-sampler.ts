// Samples the camera preview at the analysis rate: draws the current video frame, downscales it and
// encodes a JPEG for main's analysis. One frame in flight at a time, so a slow main never makes the
// renderer queue frames; main tells us the rate it can keep up with.
export interface SampledFrame {
  jpeg: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
  capturedAt: number;
}

export interface FrameSampler {
  setFps(fps: number): void;
  /** Encodes the current frame now (ID capture, snapshots), independent of the sampling loop. */
  grab(): Promise<SampledFrame | undefined>;
  stop(): void;
}

export function startFrameSampler(options: {
  video: HTMLVideoElement;
  fps: number;
  maxWidth?: number;
  onFrame: (frame: SampledFrame) => Promise<void>;
}): FrameSampler {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  let fps = options.fps;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sawPicture = false;

  const ready = (video: HTMLVideoElement) => video.videoWidth > 0 && video.readyState >= 2;
  const grab = async (): Promise<SampledFrame | undefined> => {
    const { video } = options;
    if (!ready(video)) {
      // A preview that was just attached has no frame yet: give it a moment before giving up.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        video.addEventListener('loadeddata', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    if (!context || !ready(video)) return undefined;
    const scale = Math.min(1, (options.maxWidth ?? 640) / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    // A preview just attached to the stream can report a frame and still draw pure black (Chromium
    // did, and the ID check's live frame then had "no face"): until this element has drawn a real
    // picture, a frame of exact zeros is not one; try the next frames for up to 2 s. A covered
    // camera still has sensor noise, so it is never exact zeros.
    for (let tries = 0; !sawPicture && tries < 20; tries++) {
      if (!allZero(context, canvas.width, canvas.height)) sawPicture = true;
      else {
        await new Promise((resolve) => setTimeout(resolve, 100));
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
      }
    }
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    if (!blob) return undefined;
    return {
      jpeg: new Uint8Array(await blob.arrayBuffer()),
      width: canvas.width,
      height: canvas.height,
      capturedAt: Date.now(),
    };
  };

  const tick = async () => {
    if (stopped) return;
    const started = performance.now();
    const frame = await grab();
    if (frame && !stopped) await options.onFrame(frame).catch(() => undefined);
    if (!stopped)
      timer = setTimeout(() => void tick(), Math.max(0, 1000 / fps - (performance.now() - started)));
  };
  if (options.fps > 0) timer = setTimeout(() => void tick(), 0);
  return {
    setFps: (next) => {
      fps = Math.min(10, Math.max(0.2, next));
    },
    grab,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Whether every pixel drawn is exact black (checked on a sparse grid: a real picture fails fast). */
function allZero(context: CanvasRenderingContext2D, width: number, height: number): boolean {
  const { data } = context.getImageData(0, 0, width, height);
  const step = 4 * 97; // about 3,000 pixels of a 640×480 frame, spread over every row
  for (let i = 0; i < data.length; i += step) {
    if (data[i]! > 0 || data[i + 1]! > 0 || data[i + 2]! > 0) return false;
  }
  return true;
}
