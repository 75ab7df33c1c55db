// Launches Debian's Chromium through playwright-core for end-to-end tests, with the flags this
// machine needs (no sandbox as root, no background networking) and optional fake camera/microphone
// fed from real files.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

export interface LaunchOptions {
  /** .y4m file for the fake camera. */
  fakeVideo?: string;
  /** .wav file for the fake microphone. */
  fakeAudio?: string;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\`.`,
    );
  }
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (options.fakeVideo || options.fakeAudio) {
    args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream');
    if (options.fakeVideo) args.push(`--use-file-for-fake-video-capture=${options.fakeVideo}`);
    if (options.fakeAudio) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudio}`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
}

export function artifactPath(...parts: string[]): string {
  const file = path.join(ARTIFACTS_DIR, ...parts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}
