// The interview's camera frames for analysis: samples the preview and sends each frame to main,
// then follows the rate main answers with. Main holds the session's rate (the `proctoring.frameRate`
// setting, lowered by the system check's CPU probe, recorded in the chain), so the renderer's first
// guess only lasts until the first answer: after a reload it may not know the rate at all.
import type { CandidateApi } from '../../src-preload/contract-windows';
import { startFrameSampler, type FrameSampler } from './frame-sampler';

export function startAnalysisFrames(options: {
  api: CandidateApi;
  sessionId: string;
  video: HTMLVideoElement;
  /** Where to start until main's first answer. */
  fps: number;
}): FrameSampler {
  const { api, sessionId } = options;
  const sampler = startFrameSampler({
    video: options.video,
    fps: options.fps,
    onFrame: async (frame) => {
      const r = await api.candidateFrame({
        sessionId,
        jpeg: frame.jpeg,
        width: frame.width,
        height: frame.height,
      });
      if (r.ok) sampler.setFps(r.value.recommendedFps);
    },
  });
  return sampler;
}
