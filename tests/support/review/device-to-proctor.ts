// The world of the device-to-proctor end-to-end suite: one real PostgreSQL, prepared the way an
// administrator does it (AdminService: the proctor's own login, the exam, its assignment, the
// one-time code — no row written by hand), one Chromium with the fake camera and microphone, and
// per candidate a device (the app behind the headless host) whose console the proctor opens.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { AdminService } from '../../../src-main/admin/admin-service';
import { createJobListing, createResume } from '../../../src-main/central/admin';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { defaultRendererDir } from '../../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../../src-main/host/server';
import { makeTempDir, memoryLogger } from '../app';
import { QUESTIONS } from '../candidate/flow';
import { makeCandidateCamera } from '../candidate/session-media';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../central';
import { artifactPath, launchChromium } from '../chromium';
import { makeFakeMicrophone } from '../media/fake-devices';
import { makeIdCard } from '../proctoring/id-card';

export const PROCTOR = { login: 'proctor_petra', password: 'proctor-password-1', name: 'Petra Proctor' };
/** The resume and job listing the administrator attaches to the exam (what the questions are about). */
export const DOCUMENTS = {
  resume: {
    fileName: 'zoe-lukasiewicz.pdf',
    text: 'Zoë Łukasiewicz. Site reliability: offline-first sync, video upload.',
  },
  job: {
    title: 'Reliability engineer',
    description: 'Keeps recorded exams safe from the laptop to the server.',
  },
};

export interface ProctorWorld {
  dir: string;
  central: CentralFixture;
  admin: AdminService;
  proctorId: string;
  browser: Browser;
  idCard: string;
  close(): Promise<void>;
}

export async function startProctorWorld(): Promise<ProctorWorld> {
  const dir = makeTempDir('vigil-device-to-proctor-');
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  const idCard = path.join(dir, 'id-card.png');
  const [central, camera] = await Promise.all([
    startCentral(),
    makeCandidateCamera(media),
    makeIdCard({ face: 'astronaut.jpg' }).then((png) => fs.writeFileSync(idCard, png)),
  ]);
  const admin = new AdminService(central.owner.query);
  const proctorId = await admin.addStaff({
    email: 'petra@proctors.test',
    name: PROCTOR.name,
    role: 'proctor',
    login: PROCTOR.login,
    password: PROCTOR.password,
  });
  // The microphone speaks (espeak-ng, looped by Chromium) through an exam that requires silence.
  const browser = await launchChromium({ fakeVideo: camera, fakeAudio: makeFakeMicrophone(media) });
  return {
    dir,
    central,
    admin,
    proctorId,
    browser,
    idCard,
    close: async () => {
      await browser.close();
      await central.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PreparedExam {
  examId: string;
  uploadMode: 'full' | 'flags_only';
  title: string;
  code: string;
  candidateName: string;
}

/** The exam as an administrator prepares it: questions, silence required, upload mode, a proctor, a code. */
export async function prepareExam(
  world: ProctorWorld,
  uploadMode: 'full' | 'flags_only',
): Promise<PreparedExam> {
  const title = `Reliability interview (${uploadMode})`;
  const owner = await world.admin.addUser({ email: `hr-${uploadMode}@staff.test`, role: 'admin' });
  const db = world.central.owner.db;
  const examId = await world.admin.saveExam({
    resumeId: await createResume(db, { userId: owner, ...DOCUMENTS.resume }),
    jobListingId: await createJobListing(db, { userId: owner, ...DOCUMENTS.job }),
    title,
    type: 'GEN',
    difficulty: 6,
    keyQuestions: QUESTIONS,
    // Answers are typed: the exam requires silence, so speech in the room is an audio warning.
    policy: { speech: { enabled: true } },
    retentionDays: 90,
    uploadMode,
  });
  await world.admin.assignProctor(examId, world.proctorId);
  const candidateName = uploadMode === 'full' ? 'Zoë Łukasiewicz' : 'Ngozi Okafor';
  const [enrollment] = await world.admin.createEnrollments({
    examId,
    candidates: [{ email: `${uploadMode}@candidates.test`, name: candidateName }],
  });
  return { examId, uploadMode, title, code: enrollment!.code, candidateName };
}

export interface Device {
  app: VigilApp;
  host: RunningHost;
  dataDir: string;
  close(): Promise<void>;
}

/** The candidate's device: the real app behind the headless host, syncing to the central server. */
export async function startDevice(world: ProctorWorld, name: string): Promise<Device> {
  const dir = path.join(world.dir, name);
  const loaded = loadConfig({
    env: {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_CENTRAL_URL: world.central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
    },
    policyFile: path.join(dir, 'no-policy.json'),
    home: dir,
  });
  expect(loaded.issues).toEqual([]);
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  const logLines: string[] = [];
  const app = createApp({ loaded, logger: memoryLogger(logLines), mode: 'host' });
  const host = await startHost({ app, rendererDir: defaultRendererDir(), logger: app.context.logger });
  return {
    app,
    host,
    dataDir: loaded.dataDir,
    close: async () => {
      await host.close();
      await app.close();
      fs.writeFileSync(artifactPath('e2e', 'device-to-proctor', `${name}.log`), logLines.join(''));
    },
  };
}

/** The host's page switched to the proctor console and signed in with the proctor's own login. */
export async function openProctorConsole(page: Page, device: Device): Promise<void> {
  await page.goto(device.host.url);
  // The bridge is up (the token taken from the link) once the connecting notice is gone.
  await page.getByText('Connecting to Vigil…').waitFor({ state: 'hidden' });
  await page.evaluate(() => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = '#/proctor';
  });
  await page.getByLabel('Login').fill(PROCTOR.login);
  await page.getByLabel('Password').fill(PROCTOR.password);
  await page.keyboard.press('Enter');
}

export interface VideoState {
  src: string;
  readyState: number;
  currentTime: number;
  duration: number;
  error: number | null;
  start: number;
}
