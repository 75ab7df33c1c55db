// Minimal test page served by the headless host: opens the fake camera and microphone through
// src-renderer/capture, records for ?seconds= (0 = until killed) and sends every chunk to main over
// the real contract (WebSocket bridge). The page names no session: main files the recording under
// the device's current exam session, which the test starts first. Results go on window for the
// test to read.
/* global window, location, history */
import { connectWsBridge, takeHostToken } from '../../../../src-preload/ws-bridge';
import {
  openCaptureStream,
  rememberDevices,
  rememberedDevices,
} from '../../../../src-renderer/capture/devices';
import { startRecording } from '../../../../src-renderer/capture/recorder';

async function run() {
  const params = new URLSearchParams(location.search);
  const seconds = Number(params.get('seconds') ?? '10');
  const token = takeHostToken(location, sessionStorage, history);
  const bridge = connectWsBridge({ url: `ws://${location.host}/vigil`, token, window: 'candidate' });
  await bridge.ready;
  const remembered = rememberedDevices(localStorage);
  const { stream, choice } = await openCaptureStream({ choice: remembered, width: 320, height: 240 });
  rememberDevices(localStorage, choice);
  const statuses = [];
  const handle = await startRecording({
    api: bridge.api,
    stream,
    expectedDurationS: 60,
    videoBitsPerSecond: 400_000,
    onStatus: (s) => statuses.push(s),
  });
  window.vigilCapture = { recordingId: handle.recordingId, statuses, choice, remembered };
  if (seconds <= 0) return;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 - handle.elapsedMs()));
  const merged = await handle.stop();
  window.vigilCaptureResult = { ok: true, merged, statuses };
}

run().catch((error) => {
  window.vigilCaptureResult = { ok: false, error: String(error?.message ?? error), details: error?.error };
});
