// Camera and microphone choice: lists the devices, remembers the candidate's choice by device id
// (in local storage, so the next session opens the same devices), and opens the stream, falling
// back to the default device when a remembered one is gone.

const STORAGE_KEY = 'vigil.captureDevices';

export interface DeviceChoice {
  cameraId?: string;
  microphoneId?: string;
}

export interface CaptureDevices {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export function rememberedDevices(storage: KeyValueStore): DeviceChoice {
  try {
    const parsed = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as DeviceChoice;
    const out: DeviceChoice = {};
    if (typeof parsed.cameraId === 'string') out.cameraId = parsed.cameraId;
    if (typeof parsed.microphoneId === 'string') out.microphoneId = parsed.microphoneId;
    return out;
  } catch {
    return {};
  }
}

export function rememberDevices(storage: KeyValueStore, choice: DeviceChoice): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(choice));
}

export async function listDevices(media: MediaDevices = navigator.mediaDevices): Promise<CaptureDevices> {
  const all = await media.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    microphones: all.filter((d) => d.kind === 'audioinput'),
  };
}

export interface OpenStreamOptions {
  choice: DeviceChoice;
  width?: number;
  height?: number;
  frameRate?: number;
}

/** Opens camera + microphone; a remembered device that is no longer present falls back to the default. */
export async function openCaptureStream(
  options: OpenStreamOptions,
  media: MediaDevices = navigator.mediaDevices,
): Promise<{ stream: MediaStream; choice: DeviceChoice }> {
  const available = await listDevices(media);
  const camera = available.cameras.find((d) => d.deviceId === options.choice.cameraId);
  const microphone = available.microphones.find((d) => d.deviceId === options.choice.microphoneId);
  const stream = await media.getUserMedia({
    video: {
      ...(camera ? { deviceId: { exact: camera.deviceId } } : {}),
      width: { ideal: options.width ?? 640 },
      height: { ideal: options.height ?? 480 },
      frameRate: { ideal: options.frameRate ?? 15 },
    },
    audio: {
      ...(microphone ? { deviceId: { exact: microphone.deviceId } } : {}),
      echoCancellation: true,
      noiseSuppression: false,
    },
  });
  const videoId = stream.getVideoTracks()[0]?.getSettings().deviceId;
  const audioId = stream.getAudioTracks()[0]?.getSettings().deviceId;
  const choice: DeviceChoice = {};
  if (videoId) choice.cameraId = videoId;
  if (audioId) choice.microphoneId = audioId;
  return { stream, choice };
}
