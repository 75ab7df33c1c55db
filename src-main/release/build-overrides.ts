// The parts of the electron-builder configuration that come from the release machine's environment,
// so nothing secret or site-specific lives in electron-builder.yml. Certificates, Apple credentials
// and Azure credentials are read by electron-builder itself from the variables listed in
// `signingVariables`; this adds what electron-builder only takes as configuration.
export const signingVariables = {
  windowsCertificate: ['CSC_LINK', 'CSC_KEY_PASSWORD', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'],
  windowsAzure: [
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'VIGIL_AZURE_ENDPOINT',
    'VIGIL_AZURE_ACCOUNT',
    'VIGIL_AZURE_CERT_PROFILE',
    'VIGIL_WIN_PUBLISHER',
  ],
  macIdentity: ['CSC_LINK', 'CSC_KEY_PASSWORD', 'CSC_NAME'],
  macNotarization: ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  update: ['VIGIL_UPDATE_URL'],
} as const;

export interface ReleaseOverrides {
  config: Record<string, unknown>;
  /** Human-readable notes on what the environment enables (printed by scripts/dist.mjs). */
  notes: string[];
}

export function releaseOverrides(env: NodeJS.ProcessEnv): ReleaseOverrides {
  const config: Record<string, unknown> = {};
  const notes: string[] = [];
  const win: Record<string, unknown> = {};

  if (env.VIGIL_AZURE_ENDPOINT) {
    const missing = ['VIGIL_AZURE_ACCOUNT', 'VIGIL_AZURE_CERT_PROFILE', 'VIGIL_WIN_PUBLISHER'].filter(
      (name) => !env[name],
    );
    if (missing.length > 0)
      throw new Error(`Azure Trusted Signing needs ${missing.join(', ')} as well as VIGIL_AZURE_ENDPOINT.`);
    // signtoolOptions and azureSignOptions are exclusive: Azure replaces the signtool settings.
    win.signtoolOptions = null;
    win.azureSignOptions = {
      endpoint: env.VIGIL_AZURE_ENDPOINT,
      codeSigningAccountName: env.VIGIL_AZURE_ACCOUNT,
      certificateProfileName: env.VIGIL_AZURE_CERT_PROFILE,
      publisherName: env.VIGIL_WIN_PUBLISHER,
    };
    notes.push('Windows: Azure Trusted Signing (credentials from AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET).');
  } else if (env.WIN_CSC_LINK || env.CSC_LINK) {
    notes.push('Windows: signtool with the certificate in WIN_CSC_LINK or CSC_LINK.');
  } else {
    notes.push('Windows: no signing variables set; installers will be unsigned.');
  }
  if (env.VIGIL_WIN_PUBLISHER && !win.azureSignOptions)
    win.signtoolOptions = { publisherName: env.VIGIL_WIN_PUBLISHER };
  if (Object.keys(win).length > 0) config.win = win;

  const notarize = Boolean(env.APPLE_API_KEY && env.APPLE_API_KEY_ID && env.APPLE_API_ISSUER);
  if (!notarize) {
    config.mac = { notarize: false };
    notes.push('macOS: APPLE_API_KEY/APPLE_API_KEY_ID/APPLE_API_ISSUER not all set; notarization off.');
  } else notes.push('macOS: notarization with the App Store Connect API key.');

  if (env.VIGIL_UPDATE_URL) {
    if (!/^https:\/\//.test(env.VIGIL_UPDATE_URL))
      throw new Error(
        'VIGIL_UPDATE_URL must be an https:// URL (electron-updater checks signatures over TLS).',
      );
    // An object, not a list: electron-builder merges it into the first publish entry of the file.
    config.publish = { provider: 'generic', url: env.VIGIL_UPDATE_URL, channel: 'latest' };
    notes.push(`Updates: generic server at ${env.VIGIL_UPDATE_URL}.`);
  } else notes.push('Updates: VIGIL_UPDATE_URL not set; the placeholder update URL stays in the app.');
  return { config, notes };
}
