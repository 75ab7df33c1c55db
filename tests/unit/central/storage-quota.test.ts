// The exam policy's explicit storage quota as the admin tools check it before saving (the server,
// central 0520, ignores a malformed value and keeps the derived quota).
import { describe, expect, it } from 'vitest';
import { checkStorageQuotaPolicy } from '../../../src-main/central/storage-quota';

describe('policy.storageQuota', () => {
  it('accepts positive whole numbers for any of its four keys, or no quota at all', () => {
    expect(() => checkStorageQuotaPolicy({})).not.toThrow();
    expect(() =>
      checkStorageQuotaPolicy({
        storageQuota: { sessionBytes: 5e9, sessionBlobs: 2000, deviceBytes: 1.5e10, deviceBlobs: 6000 },
      }),
    ).not.toThrow();
    expect(() => checkStorageQuotaPolicy({ storageQuota: { deviceBlobs: 1 } })).not.toThrow();
  });

  it.each([
    [{ sessionBytes: 0 }, 'storageQuota.sessionBytes'],
    [{ sessionBlobs: 2.5 }, 'storageQuota.sessionBlobs'],
    [{ deviceBytes: '10 GB' }, 'storageQuota.deviceBytes'],
    [{ sessionbytes: 10 }, 'storageQuota'],
  ])('refuses %j, naming the setting', (quota, where) => {
    let error: unknown;
    try {
      checkStorageQuotaPolicy({ storageQuota: quota });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'policy.storageQuota' } });
    expect(JSON.stringify((error as { details: unknown }).details)).toContain(where);
  });

  it('refuses a quota that is not an object', () => {
    expect(() => checkStorageQuotaPolicy({ storageQuota: 1000 })).toThrow(/positive whole number/);
  });
});
