// What the candidate is told while a warning is active: factual, calm and never accusatory. The
// proctor sees the warning itself; the candidate only sees what they can fix.
import type { WarningType } from '../proctoring/types';

const messages: Partial<Record<WarningType, string>> = {
  no_face: "We can't see your face. Please sit facing the camera.",
  multiple_faces: 'We can see more than one face. Please make sure you are alone.',
  looking_away: 'Please keep your eyes on the screen.',
  camera_blocked: 'Your camera seems covered or too dark.',
  speech_detected: 'We hear speaking. This section should be answered in silence.',
  mic_lost: "We can't hear your microphone. Please check it is connected.",
  focus_lost: 'Vigil lost focus. Please stay in the exam window.',
  display_added: 'A new display was connected. Please disconnect it.',
  blocked_process: 'An app that is not allowed is running. Please close it.',
  analysis_interrupted: 'Camera checks paused for a moment and have resumed.',
};

export function noticeFor(type: string): string | undefined {
  return messages[type as WarningType];
}
