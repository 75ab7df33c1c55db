// electron-builder afterPack hook: flips Electron's fuses in the packaged binary, before signing.
// Node-as-a-runtime switches (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect) are turned off so the
// signed app cannot be used to run arbitrary code or be debugged into; the app only loads from its
// ASAR archive, whose integrity is checked; file:// gets no extra privileges (Vigil uses app://).
// Referenced from electron-builder.yml as `afterPack: scripts/electron-fuses.cjs`.
'use strict';

const path = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');

/** The fuse settings, by name. Asserted by tests/unit/shell/electron-fuses.test.ts. */
const fuseSettings = Object.freeze({
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
});

/** electron-builder's Arch enum values for arm64 and universal macOS builds. */
const ARCH_ARM64 = 3;
const ARCH_UNIVERSAL = 4;

function fuseConfig(platform, arch) {
  const config = {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature arm64 macOS binaries need to launch at all.
    resetAdHocDarwinSignature:
      (platform === 'darwin' || platform === 'mas') && (arch === ARCH_ARM64 || arch === ARCH_UNIVERSAL),
  };
  for (const [name, value] of Object.entries(fuseSettings)) config[FuseV1Options[name]] = value;
  return config;
}

/** Where electron-builder put the Electron executable for this platform. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const productFilename = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${productFilename}.exe`);
    case 'linux':
      return path.join(appOutDir, packager.executableName);
    default:
      throw new Error(`electron-fuses: unsupported platform ${electronPlatformName}`);
  }
}

exports.fuseSettings = fuseSettings;
exports.fuseConfig = fuseConfig;
exports.electronBinaryPath = electronBinaryPath;

exports.default = async function afterPack(context) {
  const binary = electronBinaryPath(context);
  const flipped = await flipFuses(binary, fuseConfig(context.electronPlatformName, context.arch));
  if (flipped < 1) throw new Error(`electron-fuses: no fuse wire found in ${binary}`);
  console.log(`electron-fuses: flipped fuses in ${binary}`);
};
