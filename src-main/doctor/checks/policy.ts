// The configuration in effect: the IT policy file and its signature, every value with where it came
// from (default, policy, user, env) and whether it is locked, and any configuration problem.
import { describeIssue, type LoadedConfig } from '../../config/load';
import { secretKeys } from '../../config/schema';
import type { DoctorCheck } from '../types';

export function policyCheck(loaded: LoadedConfig): DoctorCheck {
  const values: Record<string, { value: unknown; source: string; locked: boolean }> = {};
  for (const [key, source] of Object.entries(loaded.sources)) {
    const [section, name] = key.split('.') as [string, string];
    const raw = (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]?.[name];
    values[key] = {
      value: secretKeys.has(key) && raw !== undefined ? '(set)' : (raw ?? null),
      source,
      locked: loaded.lockedKeys.includes(key),
    };
  }
  const { policy } = loaded;
  const signature =
    policy.signature === 'valid'
      ? `signed (key ${policy.keyId}${policy.stamp ? `, serial ${policy.stamp.serial}, expires ${policy.stamp.expiresAt}` : ''})`
      : policy.signature === 'absent'
        ? 'no policy file'
        : policy.signature;
  const problems = loaded.issues.map(describeIssue);
  return {
    id: 'policy',
    title: 'Policy and settings',
    status: problems.length > 0 ? 'fail' : 'ok',
    summary:
      problems.length > 0
        ? `${problems.length} configuration problem(s): ${problems.join(' | ')}`
        : `policy ${policy.file}: ${signature}${policy.signatureRequired ? ', signature required' : ''}; ${loaded.lockedKeys.length} managed key(s)`,
    details: {
      policyFile: policy.file,
      signatureFile: policy.signatureFile,
      signature: policy.signature,
      signatureKeyId: policy.keyId ?? null,
      signatureRequired: policy.signatureRequired,
      policyRefused: policy.refused,
      policySerial: policy.stamp?.serial ?? null,
      policyExpiresAt: policy.stamp?.expiresAt ?? null,
      userSettingsFile: loaded.files.user,
      dataDir: loaded.dataDir,
      values,
      ignoredOverrides: loaded.ignoredOverrides,
      problems,
    },
  };
}
