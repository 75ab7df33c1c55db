// Camera and microphone choice for the candidate (e.g. on the system-check screen). The choice is
// remembered by device id, so the next session opens the same devices without asking again.
import { useEffect, useState } from 'react';
import {
  listDevices,
  rememberDevices,
  rememberedDevices,
  type CaptureDevices,
  type DeviceChoice,
} from './devices';

export function DevicePicker({ onChange }: { onChange?: (choice: DeviceChoice) => void }) {
  const [devices, setDevices] = useState<CaptureDevices>({ cameras: [], microphones: [] });
  const [choice, setChoice] = useState<DeviceChoice>(() => rememberedDevices(window.localStorage));
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const refresh = () =>
      void listDevices().then(setDevices, (e: unknown) =>
        setError(`Cannot list devices: ${(e as Error).message}`),
      );
    refresh();
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    return () => navigator.mediaDevices.removeEventListener('devicechange', refresh);
  }, []);

  const update = (next: DeviceChoice) => {
    setChoice(next);
    rememberDevices(window.localStorage, next);
    onChange?.(next);
  };

  return (
    <fieldset className="device-picker">
      <legend>Camera and microphone</legend>
      <label>
        Camera
        <select
          value={choice.cameraId ?? ''}
          onChange={(e) => update({ ...choice, cameraId: e.target.value || undefined })}
        >
          <option value="">Default camera</option>
          {devices.cameras.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Camera ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        Microphone
        <select
          value={choice.microphoneId ?? ''}
          onChange={(e) => update({ ...choice, microphoneId: e.target.value || undefined })}
        >
          <option value="">Default microphone</option>
          {devices.microphones.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Microphone ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
