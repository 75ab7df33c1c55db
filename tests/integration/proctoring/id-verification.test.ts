// ID verification end to end: tesseract.js with the shipped English data, MRZ parsing, and the card
// face against the live face through the real analyser.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src-main/proctoring/decode-image';
import { WorkerFaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { TesseractIdOcr } from '../../../src-main/proctoring/id/ocr';
import { verifyId } from '../../../src-main/proctoring/id/verify-id';
import type { RawFrame } from '../../../src-main/proctoring/types';
import { CARD_PERSON, makeIdCard } from '../../support/proctoring/id-card';
import { fixture, scenes } from '../../support/proctoring/scenes';

let analyzer: WorkerFaceAnalyzer;
const ocr = new TesseractIdOcr();
let liveAstronaut: RawFrame;
const now = new Date('2026-06-01T00:00:00Z');

beforeAll(async () => {
  analyzer = await WorkerFaceAnalyzer.start();
  liveAstronaut = await decodeImage(await scenes.frontal());
});
afterAll(async () => {
  await ocr.close();
  await analyzer?.close();
});

// OCR and face models are CPU-heavy; on a busy shared machine a case can take tens of seconds.
describe('ID verification', { timeout: 180_000 }, () => {
  it('verifies the astronaut card against the live astronaut, with the extracted fields', async () => {
    const card = await readFile(fixture('id-card-astronaut.jpg'));
    const result = await verifyId({ card, live: liveAstronaut, analyzer, ocr, now });
    expect(result.reasons.join(' | ')).not.toMatch(/could not|mismatch|fails/);
    expect(result.decision).toBe('verified');
    expect(result.fields).toMatchObject({
      name: `${CARD_PERSON.givenNames} ${CARD_PERSON.surname}`,
      documentNumber: CARD_PERSON.documentNumber,
      dateOfBirth: CARD_PERSON.dateOfBirth,
      expiry: CARD_PERSON.expiry,
    });
    expect(result.mrz).toMatchObject({ present: true, valid: true });
    expect(result.face.cardFaces).toBe(1);
    expect(result.face.liveFaces).toBe(1);
    expect(result.face.similarity!).toBeGreaterThanOrEqual(result.thresholds.verifySimilarity!);
    expect(result.liveEmbedding).toHaveLength(1024);
  });

  it('rejects the same card held up by another face, as face_mismatch', async () => {
    const card = await readFile(fixture('id-card-astronaut.jpg'));
    const other = await decodeImage(fixture('camera.jpg'));
    const result = await verifyId({ card, live: other, analyzer, ocr, now });
    expect(result.decision).toBe('rejected');
    expect(result.reasons[0]).toMatch(/^face_mismatch/);
    expect(result.face.similarity!).toBeLessThan(result.thresholds.rejectSimilarity!);
  });

  it('sends a blank card to review with its reasons instead of failing', async () => {
    const result = await verifyId({
      card: await makeIdCard({ blank: true }),
      live: liveAstronaut,
      analyzer,
      ocr,
      now,
    });
    expect(result.decision).toBe('needs_review');
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        'No face was found on the ID card.',
        'No text was found on the ID card.',
        expect.stringMatching(/blurred or featureless/),
      ]),
    );
    expect(result.face.similarity).toBeNull();
  });

  it('sends an unreadable file and an expired card to review', async () => {
    const junk = await verifyId({
      card: new TextEncoder().encode('not a photo'),
      live: liveAstronaut,
      analyzer,
      ocr,
      now,
    });
    expect(junk.decision).toBe('needs_review');
    expect(junk.reasons).toEqual(['The ID card image cannot be read; take the photo again.']);
    const card = await readFile(fixture('id-card-astronaut.jpg'));
    const later = await verifyId({
      card,
      live: liveAstronaut,
      analyzer,
      ocr,
      now: new Date('2035-01-01T00:00:00Z'),
    });
    expect(later.decision).toBe('needs_review');
    expect(later.reasons).toContain(`The ID card expired on ${CARD_PERSON.expiry}.`);
  });

  it('sends a 100-megapixel card photo to review with the pixel limit, without decoding it', async () => {
    const huge = await sharp({
      create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' },
      limitInputPixels: false,
    })
      .png()
      .toBuffer();
    const started = Date.now();
    const result = await verifyId({ card: huge, live: liveAstronaut, analyzer, ocr, now });
    expect(result.decision).toBe('needs_review');
    expect(result.reasons).toEqual([
      expect.stringContaining('is 10000 × 10000 pixels (100 megapixels); the limit is 40 megapixels'),
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
