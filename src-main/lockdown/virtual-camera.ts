// Virtual-camera detection from media device labels (what enumerateDevices reports in the renderer
// once camera permission is granted). A virtual camera can feed a pre-recorded or borrowed face.
import { unavailable, verdict } from './check-result';
import { combineConfidence } from './evidence-math';
import type { CheckResult, Evidence } from './types';

export interface MediaDeviceLabel {
  kind: 'videoinput' | 'audioinput' | 'audiooutput';
  label: string;
  deviceId?: string;
}

export const virtualCameraLabels: readonly { pattern: RegExp; product: string }[] = [
  { pattern: /OBS[- ]?(Virtual )?Cam(era)?/i, product: 'OBS Virtual Camera' },
  { pattern: /ManyCam/i, product: 'ManyCam' },
  { pattern: /Snap Camera/i, product: 'Snap Camera' },
  { pattern: /XSplit VCam/i, product: 'XSplit VCam' },
  { pattern: /e2eSoft|^VCam\b/i, product: 'e2eSoft VCam' },
  { pattern: /mmhmm/i, product: 'mmhmm' },
  { pattern: /Reincubate Camo|^Camo\b/i, product: 'Camo' },
  { pattern: /CamTwist/i, product: 'CamTwist' },
  { pattern: /DroidCam/i, product: 'DroidCam' },
  { pattern: /iVCam/i, product: 'iVCam' },
  { pattern: /NVIDIA Broadcast/i, product: 'NVIDIA Broadcast' },
  { pattern: /Elgato Virtual Camera|Camera Hub/i, product: 'Elgato Camera Hub' },
  { pattern: /Logi Capture/i, product: 'Logi Capture' },
  { pattern: /Dummy video device|v4l2loopback/i, product: 'v4l2loopback' },
  { pattern: /Virtual (Web)?Cam(era)?/i, product: 'virtual camera' },
];

export function detectVirtualCameras(
  devices: readonly MediaDeviceLabel[] | undefined,
  now: Date = new Date(),
): CheckResult {
  if (!devices) return unavailable('virtual_camera', 'the media device list was not provided', now);
  const cameras = devices.filter((d) => d.kind === 'videoinput');
  // Without camera permission the labels are empty strings: the check then cannot tell.
  if (cameras.length > 0 && cameras.every((d) => d.label.trim() === ''))
    return unavailable('virtual_camera', 'camera labels are hidden until camera permission is granted', now);
  const evidence: Evidence[] = [];
  cameras.forEach((device, index) => {
    const hit = virtualCameraLabels.find((v) => v.pattern.test(device.label));
    if (hit)
      evidence.push({
        source: `videoinput[${index}].label`,
        value: device.label,
        matched: hit.product,
        weight: 0.9,
      });
  });
  return verdict(
    'virtual_camera',
    evidence.length > 0,
    combineConfidence(evidence, (e) => e.source),
    evidence,
    evidence.length
      ? `Virtual camera present: ${evidence.map((e) => e.matched).join(', ')}`
      : `No virtual camera among ${cameras.length} cameras`,
    { cameraCount: cameras.length },
    now,
  );
}
