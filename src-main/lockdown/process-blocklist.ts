// The maintained, categorized list of programs that must not run during an exam. Each entry names
// the executables (lower case, without `.exe`) and the install folders or app bundles that give the
// product away even when its executable has been renamed. Keep entries specific: a generic name
// here would flag innocent candidates.

export type ProcessCategory =
  'screen_recorder' | 'remote_control' | 'virtual_camera' | 'chat' | 'ai_assistant';

export const processCategories: readonly ProcessCategory[] = [
  'screen_recorder',
  'remote_control',
  'virtual_camera',
  'chat',
  'ai_assistant',
];

export interface BlocklistEntry {
  id: string;
  product: string;
  category: ProcessCategory;
  /** Executable names, lower case, without extension. */
  names: readonly string[];
  /** Path segments (folder or bundle names, lower case) that identify the product. */
  pathSegments: readonly string[];
}

function entry(
  id: string,
  product: string,
  category: ProcessCategory,
  names: string[],
  pathSegments: string[] = [],
): BlocklistEntry {
  return { id, product, category, names, pathSegments };
}

export const processBlocklist: readonly BlocklistEntry[] = [
  // Screen recorders and streaming tools.
  entry(
    'obs',
    'OBS Studio',
    'screen_recorder',
    ['obs', 'obs64', 'obs32', 'obs-studio'],
    ['obs-studio', 'obs.app', 'com.obsproject.studio'],
  ),
  entry(
    'streamlabs',
    'Streamlabs Desktop',
    'screen_recorder',
    ['streamlabs obs', 'streamlabs desktop'],
    ['streamlabs obs', 'streamlabs desktop', 'streamlabs desktop.app'],
  ),
  entry('bandicam', 'Bandicam', 'screen_recorder', ['bdcam', 'bandicam'], ['bandicam']),
  entry(
    'camtasia',
    'Camtasia',
    'screen_recorder',
    ['camtasiastudio', 'camtasia', 'camrecorder'],
    ['camtasia', 'camtasia.app', 'camtasia 2024.app'],
  ),
  entry('sharex', 'ShareX', 'screen_recorder', ['sharex'], ['sharex']),
  entry(
    'snagit',
    'Snagit',
    'screen_recorder',
    ['snagit32', 'snagiteditor', 'snagit'],
    ['snagit', 'snagit.app'],
  ),
  entry(
    'xsplit',
    'XSplit Broadcaster',
    'screen_recorder',
    ['xsplit.core', 'xsplitbroadcaster'],
    ['xsplit broadcaster'],
  ),
  entry('fraps', 'Fraps', 'screen_recorder', ['fraps'], ['fraps']),
  entry('screenflow', 'ScreenFlow', 'screen_recorder', ['screenflow'], ['screenflow.app']),
  entry('loom', 'Loom', 'screen_recorder', ['loom'], ['loom.app']),
  entry('simplescreenrecorder', 'SimpleScreenRecorder', 'screen_recorder', ['simplescreenrecorder'], []),
  entry('kazam', 'Kazam', 'screen_recorder', ['kazam'], []),
  entry('vokoscreen', 'vokoscreenNG', 'screen_recorder', ['vokoscreenng'], []),
  entry('kooha', 'Kooha', 'screen_recorder', ['kooha'], []),

  // Remote control and remote desktop.
  entry('anydesk', 'AnyDesk', 'remote_control', ['anydesk'], ['anydesk', 'anydesk.app']),
  entry(
    'teamviewer',
    'TeamViewer',
    'remote_control',
    ['teamviewer', 'teamviewer_service', 'teamviewerd', 'tv_w32', 'tv_x64'],
    ['teamviewer', 'teamviewer.app'],
  ),
  entry('rustdesk', 'RustDesk', 'remote_control', ['rustdesk'], ['rustdesk', 'rustdesk.app']),
  entry(
    'chrome-remote-desktop',
    'Chrome Remote Desktop',
    'remote_control',
    ['remoting_host', 'remoting_desktop', 'chrome-remote-desktop-host'],
    ['chrome remote desktop', 'chrome-remote-desktop'],
  ),
  entry('parsec', 'Parsec', 'remote_control', ['parsecd'], ['parsec', 'parsec.app']),
  entry(
    'splashtop',
    'Splashtop',
    'remote_control',
    ['srmanager', 'srserver', 'strwinclt'],
    ['splashtop', 'splashtop streamer.app'],
  ),
  entry(
    'vnc',
    'VNC server',
    'remote_control',
    ['winvnc', 'tvnserver', 'x11vnc', 'xvnc', 'vncserver', 'vncserver-x11', 'vino-server'],
    ['realvnc', 'tightvnc', 'ultravnc'],
  ),
  entry('logmein', 'LogMeIn', 'remote_control', ['logmein', 'lmiguardiansvc'], ['logmein']),
  entry('quickassist', 'Quick Assist', 'remote_control', ['quickassist'], []),
  // rdpclip runs on the machine being used through Remote Desktop: a remote session indicator.
  entry('rdpclip', 'Remote Desktop clipboard (RDP session)', 'remote_control', ['rdpclip'], []),

  // Virtual cameras (they replace the proctoring camera's picture).
  entry('manycam', 'ManyCam', 'virtual_camera', ['manycam', 'manycamservice'], ['manycam', 'manycam.app']),
  entry('snap-camera', 'Snap Camera', 'virtual_camera', ['snap camera'], ['snap camera', 'snap camera.app']),
  entry('xsplit-vcam', 'XSplit VCam', 'virtual_camera', ['xsplit.vcam', 'xsplitvcam'], ['xsplit vcam']),
  entry('e2esoft-vcam', 'e2eSoft VCam', 'virtual_camera', ['vcam'], ['e2esoft']),
  entry('mmhmm', 'mmhmm', 'virtual_camera', ['mmhmm'], ['mmhmm.app']),
  entry('camo', 'Reincubate Camo', 'virtual_camera', ['camo'], ['camo.app', 'reincubate']),
  entry('camtwist', 'CamTwist', 'virtual_camera', ['camtwist'], ['camtwist.app']),
  entry('droidcam', 'DroidCam', 'virtual_camera', ['droidcam', 'droidcamapp'], ['droidcam']),
  entry('ivcam', 'iVCam', 'virtual_camera', ['ivcam'], ['ivcam']),
  entry(
    'nvidia-broadcast',
    'NVIDIA Broadcast',
    'virtual_camera',
    ['nvidia broadcast', 'nvidia broadcast ui'],
    ['nvidia broadcast'],
  ),

  // Chat and meeting tools.
  entry('discord', 'Discord', 'chat', ['discord'], ['discord', 'discord.app']),
  entry('slack', 'Slack', 'chat', ['slack'], ['slack.app']),
  entry(
    'telegram',
    'Telegram',
    'chat',
    ['telegram', 'telegram desktop'],
    ['telegram desktop', 'telegram.app'],
  ),
  entry('whatsapp', 'WhatsApp', 'chat', ['whatsapp'], ['whatsapp.app']),
  entry('signal', 'Signal', 'chat', ['signal'], ['signal.app']),
  entry('skype', 'Skype', 'chat', ['skype'], ['skype.app']),
  entry('teams', 'Microsoft Teams', 'chat', ['teams', 'ms-teams'], ['microsoft teams.app']),
  entry('zoom', 'Zoom', 'chat', ['zoom', 'zoom.us'], ['zoom.us.app']),

  // AI assistants and interview overlay tools.
  entry('chatgpt', 'ChatGPT desktop', 'ai_assistant', ['chatgpt'], ['chatgpt.app']),
  entry('claude', 'Claude desktop', 'ai_assistant', ['claude'], ['claude.app', 'anthropicclaude']),
  entry('perplexity', 'Perplexity', 'ai_assistant', ['perplexity'], ['perplexity.app']),
  entry('copilot', 'Microsoft Copilot', 'ai_assistant', ['copilot', 'microsoft.copilot'], []),
  entry('cluely', 'Cluely', 'ai_assistant', ['cluely'], ['cluely', 'cluely.app']),
  entry(
    'interview-coder',
    'Interview Coder',
    'ai_assistant',
    ['interview coder', 'interviewcoder'],
    ['interview coder', 'interview coder.app'],
  ),
  entry('final-round-ai', 'Final Round AI', 'ai_assistant', ['final round ai'], ['final round ai.app']),
];
