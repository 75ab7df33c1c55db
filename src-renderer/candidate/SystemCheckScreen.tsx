import { useEffect, useRef, useState } from 'react';
import type { CheckItem } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { startAudioMeter } from '../capture/audio-meter';
import { startFrameSampler } from '../capture/frame-sampler';
import { ErrorText, Screen } from '../components/Screen';
import type { Capture } from './useCapture';

/** A fixed workload timed in the renderer; main turns it into the analysis frame rate. */
function cpuProbe(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 3_000_000; i++) x += Math.sqrt(i) % 7;
  if (x < 0) console.log(x);
  return performance.now() - started;
}

function displayCount(): number {
  const extended = (window.screen as Screen & { isExtended?: boolean }).isExtended;
  return extended ? 2 : 1;
}

export function SystemCheckScreen({
  api,
  sessionId,
  capture,
  onPassed,
}: {
  api: CandidateApi;
  sessionId: string;
  capture: Capture;
  onPassed: (analysisFps: number) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [faces, setFaces] = useState<number | null>(null);
  const [level, setLevel] = useState(-120);
  const peak = useRef(-120);
  const [items, setItems] = useState<CheckItem[]>();
  const [result, setResult] = useState<{ passed: boolean; analysisFps: number }>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);

  useEffect(() => {
    if (!capture.stream || !video.current) return;
    video.current.srcObject = capture.stream;
    const sampler = startFrameSampler({
      video: video.current,
      fps: 1,
      maxWidth: 640,
      onFrame: async (frame) => {
        const r = await api.candidateFrame({
          sessionId,
          jpeg: frame.jpeg,
          width: frame.width,
          height: frame.height,
        });
        if (r.ok) setFaces(r.value.faces);
      },
    });
    const stopMeter = startAudioMeter(capture.stream, (l) => {
      peak.current = Math.max(peak.current, l.levelDb);
      setLevel(l.levelDb);
    });
    return () => {
      sampler.stop();
      stopMeter();
    };
  }, [api, capture.stream, sessionId]);

  const run = async () => {
    setRunning(true);
    const videoTrack = capture.stream?.getVideoTracks()[0];
    const audioTrack = capture.stream?.getAudioTracks()[0];
    const r = await api.candidateSystemCheck({
      sessionId,
      camera: { ok: videoTrack?.readyState === 'live', label: videoTrack?.label ?? '' },
      microphone: {
        ok: audioTrack?.readyState === 'live',
        label: audioTrack?.label ?? '',
        peakDb: peak.current,
      },
      displays: displayCount(),
      cpuProbeMs: cpuProbe(),
      // Only the renderer can list the cameras: main's virtual-camera check judges their labels.
      mediaDevices: [...capture.cameras, ...capture.microphones].slice(0, 64).map((d) => ({
        kind: d.kind === 'videoinput' ? ('videoinput' as const) : ('audioinput' as const),
        label: d.label.slice(0, 200),
      })),
    });
    setRunning(false);
    if (!r.ok) return setError(r.error.message);
    setItems(r.value.items);
    setResult({ passed: r.value.passed, analysisFps: r.value.analysisFps });
  };

  const percent = Math.round(Math.min(100, Math.max(0, ((level + 60) / 60) * 100)));
  return (
    <Screen title="System check" testId="screen-system-check">
      <ErrorText message={capture.error} />
      <div className="preview">
        <video ref={video} autoPlay muted playsInline aria-label="Your camera" />
        <p role="status" data-testid="face-status">
          {faces === null
            ? 'Looking for your face…'
            : faces === 1
              ? 'We can see your face.'
              : faces === 0
                ? "We can't see your face. Sit facing the camera in good light."
                : 'We can see more than one face.'}
        </p>
      </div>
      <label htmlFor="mic-level">Microphone level</label>
      <meter id="mic-level" min={0} max={100} value={percent} aria-valuetext={`${percent} percent`} />
      <div className="device-select">
        <label htmlFor="camera-select">Camera</label>
        <select
          id="camera-select"
          value={capture.choice.cameraId ?? ''}
          onChange={(e) => capture.choose({ ...capture.choice, cameraId: e.target.value })}
        >
          {capture.cameras.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Camera ${i + 1}`}
            </option>
          ))}
        </select>
        <label htmlFor="mic-select">Microphone</label>
        <select
          id="mic-select"
          value={capture.choice.microphoneId ?? ''}
          onChange={(e) => capture.choose({ ...capture.choice, microphoneId: e.target.value })}
        >
          {capture.microphones.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Microphone ${i + 1}`}
            </option>
          ))}
        </select>
      </div>
      {/* aria-disabled while it runs, not disabled: a disabled button drops the keyboard focus. */}
      <button
        type="button"
        onClick={() => void (running ? undefined : run())}
        aria-disabled={running}
        disabled={!capture.stream}
      >
        {running ? 'Checking…' : items ? 'Check again' : 'Check my computer'}
      </button>
      {items && (
        <ul className="checks" aria-label="System check results">
          {items.map((item) => (
            <li key={item.id} className={`check ${item.status}`} data-testid={`check-${item.id}`}>
              <strong>
                {item.status === 'pass' ? '✓ ' : item.status === 'warn' ? '! ' : '✗ '}
                {item.label}
              </strong>
              : {item.detail}
              {item.action && <span className="action"> {item.action}</span>}
              {item.evidence && (
                <ul className="evidence" aria-label={`What was found: ${item.label}`}>
                  {item.evidence.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {result && items && (
        // The results appear below the button: a short summary is announced, the list is there to read.
        <p role="status" data-testid="check-summary">
          {result.passed
            ? 'The system check passed. Continue to the ID check.'
            : `${items.filter((i) => i.status === 'fail').length} check(s) need your attention before you can continue.`}
        </p>
      )}
      <ErrorText message={error} />
      {result && (
        <button type="button" disabled={!result.passed} onClick={() => onPassed(result.analysisFps)}>
          Continue to ID check
        </button>
      )}
    </Screen>
  );
}
