// `vigil policy`: IT tooling for the managed policy: create a signing key pair, sign a policy,
// verify one against a public key, and print the policy's JSON Schema.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  generatePolicyKeyPair,
  readPolicyStamp,
  signatureFileFor,
  signPolicyBytes,
  verifyPolicySignature,
} from '../../config/policy-signature';
import { policyJsonSchema } from '../../config/policy-schema';

export function registerPolicyCommand(program: Command): void {
  const policy = program
    .command('policy')
    .description('Sign and verify IT policy files (Ed25519) and print their JSON Schema.');

  policy
    .command('keygen')
    .description('Create an Ed25519 key pair: keep the private key offline, build the public key into Vigil.')
    .requiredOption('--out <dir>', 'folder for policy-signing.key (private) and policy-signing.pub')
    .action((opts: { out: string }) => {
      const pair = generatePolicyKeyPair();
      fs.mkdirSync(opts.out, { recursive: true });
      const privateFile = path.join(opts.out, 'policy-signing.key');
      fs.writeFileSync(privateFile, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
      fs.writeFileSync(path.join(opts.out, 'policy-signing.pub'), pair.publicKeyPem, { flag: 'wx' });
      process.stdout.write(`key ${pair.keyId}: wrote ${privateFile} and policy-signing.pub\n`);
    });

  policy
    .command('sign <policyFile>')
    .description('Write <policyFile>.sig, a detached signature over the file exactly as it is.')
    .requiredOption('--key <privateKeyFile>', 'PEM private key from `vigil policy keygen`')
    .action((policyFile: string, opts: { key: string }) => {
      const bytes = fs.readFileSync(policyFile);
      // Refuse to sign something that is not JSON, or a policy the app would refuse once signed.
      const stamp = readPolicyStamp(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>);
      if ('problem' in stamp) {
        process.stderr.write(
          `${policyFile}: not signed: it ${stamp.problem}. Add e.g. "serial": 1, "expiresAt": "2027-06-30T00:00:00Z" and sign again.\n`,
        );
        process.exitCode = 1;
        return;
      }
      fs.writeFileSync(
        signatureFileFor(policyFile),
        signPolicyBytes(bytes, fs.readFileSync(opts.key, 'utf8')),
      );
      process.stdout.write(`wrote ${signatureFileFor(policyFile)}\n`);
    });

  policy
    .command('verify <policyFile>')
    .description('Check <policyFile>.sig against a public key (exit 1 if it does not match).')
    .requiredOption('--key <publicKeyFile>', 'PEM public key (or base64 of the raw 32 bytes)')
    .action((policyFile: string, opts: { key: string }) => {
      const signatureFile = signatureFileFor(policyFile);
      if (!fs.existsSync(signatureFile)) {
        process.stdout.write(`${policyFile}: not signed (no ${signatureFile})\n`);
        process.exitCode = 1;
        return;
      }
      const verdict = verifyPolicySignature(
        fs.readFileSync(policyFile),
        fs.readFileSync(signatureFile, 'utf8'),
        {
          publicKeys: [fs.readFileSync(opts.key, 'utf8')],
          requireSignedPolicy: true,
        },
      );
      const ok = verdict.status === 'valid';
      process.stdout.write(
        ok
          ? `${policyFile}: signature valid (key ${verdict.keyId})\n`
          : `${policyFile}: signature does NOT match: the file was changed after signing or signed with another key\n`,
      );
      if (!ok) process.exitCode = 1;
    });

  policy
    .command('schema')
    .description('Print the JSON Schema of the policy file.')
    .action(() => {
      process.stdout.write(JSON.stringify(policyJsonSchema(), null, 2) + '\n');
    });
}
