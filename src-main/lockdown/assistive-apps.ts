// Assistive technology and input methods a candidate may always run during an exam: screen readers,
// magnifiers, on-screen keyboards, dictation and the input methods (IMEs) that type Chinese, Japanese
// and Korean. The process scan never reports them, whatever the exam blocks: a blind candidate's
// screen reader or a Japanese candidate's IME is not cheating, and flagging it would punish the
// candidate for a disability or a language. The exam's `lockdown.allowedApps` extends this list, and
// a candidate's accommodation profile may add named applications (a calculator, an interpreter's
// meeting app) through `accommodation.allowedApps` (session/exam-options.ts).
//
// Names are the executables' (compared like the blocklist's: lower case, without `.exe`/`.app`).
// Where they come from:
// - NVDA: nvda.exe, nvda_uiAccess.exe and nvda_noUIAccess.exe (setup.py's `dest_base` copies),
//   nvda_slave.exe, nvda_eoaProxy.exe (Ease of Access proxy, registered as the `ATExe`) and
//   nvdaHelperRemoteLoader.exe are the executables NV Access's build and installer name
//   (github.com/nvaccess/nvda: source/setup.py, source/installer.py).
// - JAWS: jfw.exe (JAWS for Windows) with jhookldr.exe (its keyboard hook loader), fsSynth32.exe,
//   fsbrldsp.exe, FSOcr.exe/FSOcrServer.exe; Freedom Scientific's FSReader: fsreader.exe. ZoomText:
//   Zt.exe, ZtUac.exe, AiSquared.ZoomText.UI.exe, AiSquared.Magnification.Service.exe. (The names
//   accessibility tooling on GitHub watches for, e.g. the GPII's conflicting-apps handlers.)
// - Windows: Narrator.exe, Magnify.exe, osk.exe (On-Screen Keyboard), TabTip.exe and
//   TextInputHost.exe (touch keyboard and IME candidate window), ctfmon.exe (Text Services Framework,
//   which hosts every IME), ChsIME.exe (Microsoft Pinyin/Wubi, C:\Windows\System32\InputMethod\CHS),
//   sapisvr.exe (Windows Speech Recognition), VoiceAccess.exe (Voice access) — all under
//   C:\Windows\System32 or SystemApps, as Microsoft's accessibility and input documentation names
//   them. Dragon: natspeak.exe. WeType (Tencent's Chinese IME): wetype*.exe.
// - macOS: VoiceOver.app and AssistiveControl.app (the Accessibility Keyboard) in
//   /System/Library/CoreServices; TextInputMenuAgent and TextInputSwitcher (the input menu);
//   the system IMEs in /System/Library/Input Methods (JapaneseIM, since macOS 11 also as
//   JapaneseIM-RomajiTyping and JapaneseIM-KanaTyping, KoreanIM, SCIM, TCIM).
// - Linux: orca (GNOME's screen reader) and speech-dispatcher (its speech), at-spi-bus-launcher and
//   at-spi2-registryd (the accessibility bus), onboard, florence and caribou (on-screen keyboards),
//   ibus-daemon / ibus-x11 / ibus-ui-gtk3 and the ibus-engine-* of libpinyin, anthy, mozc and
//   hangul, fcitx and fcitx5, mozc_server — the Debian packages' binaries.

export type AssistiveKind =
  'screen_reader' | 'magnifier' | 'on_screen_keyboard' | 'speech_input' | 'input_method';

export interface AssistiveApp {
  product: string;
  kind: AssistiveKind;
  names: readonly string[];
}

const app = (product: string, kind: AssistiveKind, names: string[]): AssistiveApp => ({
  product,
  kind,
  names,
});

export const defaultAssistiveApps: readonly AssistiveApp[] = [
  app('NVDA', 'screen_reader', [
    'nvda',
    'nvda_uiaccess',
    'nvda_nouiaccess',
    'nvda_slave',
    'nvda_eoaproxy',
    'nvdahelperremoteloader',
  ]),
  app('JAWS', 'screen_reader', [
    'jfw',
    'jhookldr',
    'fssynth32',
    'fsbrldsp',
    'fsocr',
    'fsocrserver',
    'fsreader',
  ]),
  app('Windows Narrator', 'screen_reader', ['narrator']),
  app('VoiceOver', 'screen_reader', ['voiceover']),
  app('Orca', 'screen_reader', ['orca', 'speech-dispatcher', 'at-spi-bus-launcher', 'at-spi2-registryd']),
  app('Windows Magnifier', 'magnifier', ['magnify']),
  app('ZoomText', 'magnifier', ['zt', 'ztuac', 'aisquared.zoomtext.ui', 'aisquared.magnification.service']),
  app('Windows On-Screen Keyboard', 'on_screen_keyboard', ['osk', 'tabtip', 'textinputhost']),
  app('macOS Accessibility Keyboard', 'on_screen_keyboard', ['assistivecontrol']),
  app('Linux on-screen keyboard', 'on_screen_keyboard', ['onboard', 'florence', 'caribou']),
  app('Speech recognition', 'speech_input', ['sapisvr', 'voiceaccess', 'natspeak']),
  app('Windows input methods', 'input_method', [
    'ctfmon',
    'chsime',
    'wetype',
    'wetype_renderer',
    'wetype_server',
    'wetype_service',
  ]),
  app('macOS input methods', 'input_method', [
    'textinputmenuagent',
    'textinputswitcher',
    'japaneseim',
    'japaneseim-romajityping',
    'japaneseim-kanatyping',
    'koreanim',
    'scim',
    'tcim',
  ]),
  app('IBus', 'input_method', [
    'ibus-daemon',
    'ibus-x11',
    'ibus-ui-gtk3',
    'ibus-engine-libpinyin',
    'ibus-engine-anthy',
    'ibus-engine-mozc',
    'ibus-engine-hangul',
    'mozc_server',
  ]),
  app('Fcitx', 'input_method', ['fcitx', 'fcitx5']),
];

/** Lower case, no folder, no `.exe`/`.app`: how names are compared (process-scan's normalizeName). */
export function normalizeAppName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base
    .trim()
    .toLowerCase()
    .replace(/\.(exe|app|appimage)$/, '');
}

/**
 * The names the process scan never reports: the default assistive apps plus the exam's and the
 * accommodation's `allowedApps` (already merged into the lockdown policy, see exam-options.ts).
 */
export function allowedAppNames(extra: readonly string[] = []): Set<string> {
  return new Set([...defaultAssistiveApps.flatMap((a) => a.names), ...extra.map(normalizeAppName)]);
}
