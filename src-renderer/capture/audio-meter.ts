// Microphone level and a simple voice-activity estimate, computed in the renderer every ~100 ms.
// Main applies the rules (speech where silence is required, microphone lost); only these numbers
// leave the page for analysis, never the audio itself.
export interface AudioLevel {
  timestampMs: number;
  levelDb: number;
  voiceProbability: number;
  trackLive: boolean;
}

export function startAudioMeter(
  stream: MediaStream,
  onLevel: (level: AudioLevel) => void,
  intervalMs = 100,
): () => void {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const started = performance.now();

  const timer = setInterval(() => {
    const track = stream.getAudioTracks()[0];
    const trackLive = !!track && track.readyState === 'live' && track.enabled;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    const levelDb = rms > 0 ? Math.max(-120, 20 * Math.log10(rms)) : -120;
    // Share of energy in the speech band (300–3400 Hz), weighted by loudness.
    analyser.getFloatFrequencyData(spectrum);
    let speech = 0;
    let total = 0;
    spectrum.forEach((db, i) => {
      const power = Math.pow(10, db / 10);
      total += power;
      const hz = i * binHz;
      if (hz >= 300 && hz <= 3400) speech += power;
    });
    const bandShare = total > 0 ? speech / total : 0;
    const loudness = Math.min(1, Math.max(0, (levelDb + 50) / 30));
    onLevel({
      timestampMs: performance.now() - started,
      levelDb,
      voiceProbability: Number((bandShare * loudness).toFixed(3)),
      trackLive,
    });
  }, intervalMs);

  return () => {
    clearInterval(timer);
    source.disconnect();
    void context.close();
  };
}
