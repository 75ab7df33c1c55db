import { useCallback, useEffect, useRef, useState } from 'react';
import {
  listDevices,
  openCaptureStream,
  rememberDevices,
  rememberedDevices,
  type DeviceChoice,
} from '../capture/devices';

export interface Capture {
  stream: MediaStream | undefined;
  error: string | undefined;
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  choice: DeviceChoice;
  choose(next: DeviceChoice): void;
}

/** Opens the camera and microphone the candidate chose last time (or the defaults). */
export function useCapture(): Capture {
  const [stream, setStream] = useState<MediaStream>();
  const [error, setError] = useState<string>();
  const [choice, setChoice] = useState<DeviceChoice>(() => rememberedDevices(window.localStorage));
  const [devices, setDevices] = useState<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }>({
    cameras: [],
    microphones: [],
  });
  const current = useRef<MediaStream | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    openCaptureStream({ choice })
      .then(async (opened) => {
        if (cancelled) {
          opened.stream.getTracks().forEach((t) => t.stop());
          return;
        }
        current.current?.getTracks().forEach((t) => t.stop());
        current.current = opened.stream;
        setStream(opened.stream);
        setError(undefined);
        rememberDevices(window.localStorage, opened.choice);
        setDevices(await listDevices());
      })
      .catch((e: unknown) => {
        setError(
          e instanceof Error && e.name === 'NotAllowedError'
            ? 'Vigil is not allowed to use your camera and microphone. Allow them and try again.'
            : 'No camera or microphone could be opened. Check that they are connected and not used by another app.',
        );
      });
    return () => {
      cancelled = true;
    };
  }, [choice]);

  useEffect(() => () => current.current?.getTracks().forEach((t) => t.stop()), []);

  const choose = useCallback((next: DeviceChoice) => setChoice(next), []);
  return { stream, error, cameras: devices.cameras, microphones: devices.microphones, choice, choose };
}
