import { describe, expect, it } from 'vitest';
import { checkDisplays } from '../../../src-main/lockdown/displays';
import { detectVirtualCameras, type MediaDeviceLabel } from '../../../src-main/lockdown/virtual-camera';
import { lockdownFixture } from '../../support/lockdown-fixtures';

interface DevicesFixture {
  expected: { status: string; products?: string[] };
  devices: MediaDeviceLabel[];
}

describe('virtual camera labels', () => {
  it.each(['media-devices-obs-virtualcam.json', 'media-devices-laptop.json'])('%s', (file) => {
    const { expected, devices } = lockdownFixture<DevicesFixture>(file);
    const result = detectVirtualCameras(devices);
    expect(result.status).toBe(expected.status);
    expect(result.evidence.map((e) => e.matched)).toEqual(expected.products ?? []);
    if (expected.status === 'violation')
      expect(result.evidence[0]).toMatchObject({
        source: 'videoinput[1].label',
        value: 'OBS Virtual Camera',
      });
  });

  it('recognizes common virtual cameras and ignores microphones', () => {
    const labels = [
      'ManyCam Virtual Webcam',
      'Snap Camera',
      'XSplit VCam',
      'Dummy video device (0x0000)',
      'DroidCam Source 3',
      'NVIDIA Broadcast',
    ];
    const result = detectVirtualCameras(labels.map((label) => ({ kind: 'videoinput', label })));
    expect(result.evidence).toHaveLength(labels.length);
    expect(detectVirtualCameras([{ kind: 'audioinput', label: 'OBS Virtual Camera audio' }]).status).toBe(
      'pass',
    );
  });

  it('is unavailable without a device list or with hidden labels (no permission)', () => {
    expect(detectVirtualCameras(undefined).status).toBe('check_unavailable');
    const hidden = detectVirtualCameras([{ kind: 'videoinput', label: '' }]);
    expect(hidden.status).toBe('check_unavailable');
    expect(String(hidden.details.reason)).toMatch(/permission/);
  });
});

describe('multiple displays', () => {
  const laptop = {
    id: '1',
    label: 'Built-in Retina Display',
    internal: true,
    bounds: { x: 0, y: 0, width: 1512, height: 982 },
  };
  const external = {
    id: '2',
    label: 'DELL U2720Q',
    internal: false,
    bounds: { x: 1512, y: 0, width: 2560, height: 1440 },
  };

  it('passes one display and flags a second one with both as evidence', () => {
    expect(checkDisplays([laptop])).toMatchObject({ status: 'pass', evidence: [] });
    const two = checkDisplays([laptop, external]);
    expect(two).toMatchObject({
      status: 'violation',
      confidence: 1,
      details: { displayCount: 2, maxDisplays: 1 },
    });
    expect(two.evidence.map((e) => e.value)).toEqual([
      'Built-in Retina Display (built-in) 1512x982@0,0',
      'DELL U2720Q 2560x1440@1512,0',
    ]);
  });

  it('follows the policy limit and is unavailable without a list', () => {
    expect(checkDisplays([laptop, external], 2).status).toBe('pass');
    expect(checkDisplays(undefined).status).toBe('check_unavailable');
    expect(checkDisplays([]).status).toBe('check_unavailable');
  });
});
