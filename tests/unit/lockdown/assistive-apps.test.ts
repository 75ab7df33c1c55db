// Assistive technology inside lockdown (issue 20 item 5): screen readers, on-screen keyboards and
// input methods are never flagged by the process scan; the exam's policy and the candidate's
// accommodation extend the allow-list; a blocked program renamed after an assistive app is still
// caught. Real detector functions over fake process lists.
import { describe, expect, it } from 'vitest';
import { defaultAssistiveApps } from '../../../src-main/lockdown/assistive-apps';
import { createLockdownMonitor, type Scheduler } from '../../../src-main/lockdown/monitor';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { processBlocklist, type BlocklistEntry } from '../../../src-main/lockdown/process-blocklist';
import {
  scanProcesses,
  type ProcessFinding,
  type ProcessInfo,
} from '../../../src-main/lockdown/process-scan';
import type { LockdownProbes } from '../../../src-main/lockdown/run-checks';
import type { LockdownWarning } from '../../../src-main/lockdown/types';
import { examLockdownInput } from '../../../src-main/session/exam-options';
import { examLockdownPolicy } from '../../../src-main/session/integrity-gate';
import type { CachedExam } from '../../../src-main/store/exam-cache';

const products = (details: Record<string, unknown>) =>
  [...new Set((details.findings as ProcessFinding[]).map((f) => f.product))].sort();

// A screen-reader user's Windows machine with a Chinese IME, and a Linux one with Orca and fcitx5.
const windowsAssistive: ProcessInfo[] = [
  { pid: 100, name: 'nvda.exe' },
  { pid: 101, name: 'nvda_slave.exe' },
  { pid: 102, name: 'jfw.exe' },
  { pid: 103, name: 'Narrator.exe' },
  { pid: 104, name: 'osk.exe' },
  { pid: 105, name: 'TabTip.exe' },
  { pid: 106, name: 'ctfmon.exe' },
  { pid: 107, name: 'ChsIME.exe' },
];
const linuxAssistive: ProcessInfo[] = [
  { pid: 200, name: 'orca', path: '/usr/bin/orca' },
  { pid: 201, name: 'onboard', path: '/usr/bin/onboard' },
  { pid: 202, name: 'ibus-daemon', path: '/usr/bin/ibus-daemon' },
  { pid: 203, name: 'fcitx5', path: '/usr/bin/fcitx5' },
];
const macAssistive: ProcessInfo[] = [
  {
    pid: 302,
    name: 'JapaneseIM-RomajiTyping',
    path: '/System/Library/Input Methods/JapaneseIM-RomajiTyping.app/Contents/MacOS/JapaneseIM-RomajiTyping',
  },
  {
    pid: 300,
    name: 'VoiceOver',
    path: '/System/Library/CoreServices/VoiceOver.app/Contents/MacOS/VoiceOver',
  },
  {
    pid: 301,
    name: 'AssistiveControl',
    path: '/System/Library/CoreServices/AssistiveControl.app/Contents/MacOS/AssistiveControl',
  },
];

// A stricter site blocklist whose broad entries name assistive apps too (e.g. a policy author who
// files "anything that reads the screen aloud" under screen recording): the allow-list still wins.
const broadBlocklist: BlocklistEntry[] = [
  ...processBlocklist,
  {
    id: 'screen-readers',
    product: 'Screen reading software',
    category: 'screen_recorder',
    names: ['nvda', 'jfw', 'narrator', 'voiceover', 'orca'],
    pathSegments: ['voiceover.app'],
  },
  {
    id: 'keyboards',
    product: 'Input injection',
    category: 'remote_control',
    names: [
      'osk',
      'tabtip',
      'onboard',
      'ibus-daemon',
      'fcitx5',
      'ctfmon',
      'chsime',
      'assistivecontrol',
      'japaneseim-romajityping',
    ],
    pathSegments: [],
  },
];

describe('assistive technology and the process scan', () => {
  it('never flags screen readers, on-screen keyboards or IMEs, even when a blocklist names them', () => {
    const all = [...windowsAssistive, ...linuxAssistive, ...macAssistive];
    expect(scanProcesses(all).status).toBe('pass');
    const result = scanProcesses(all, { blocklist: broadBlocklist });
    expect(result.status).toBe('pass');
    expect(result.evidence).toEqual([]);
    // What the allow-list let through is recorded (only what a blocked category matched).
    const allowed = result.details.allowed as { pid: number; product: string }[];
    expect(allowed.map((a) => a.pid).sort()).toEqual(
      all
        .map((p) => p.pid)
        .filter((p) => p !== 101)
        .sort(),
    );
  });

  it('still flags AnyDesk next to a screen reader, and an AnyDesk renamed nvda.exe in its own folder', () => {
    const result = scanProcesses([
      ...windowsAssistive,
      { pid: 400, name: 'AnyDesk.exe' },
      { pid: 401, name: 'nvda.exe', path: 'C:\\Program Files (x86)\\AnyDesk\\nvda.exe' },
    ]);
    expect(result.status).toBe('violation');
    const findings = result.details.findings as ProcessFinding[];
    expect(findings.map((f) => [f.pid, f.product, f.matchedBy])).toEqual([
      [400, 'AnyDesk', ['name']],
      [401, 'AnyDesk', ['path']],
    ]);
  });

  it('the exam policy extends the list: Zoom for a sign-language interpreter passes, Discord does not', () => {
    const processes = [
      { pid: 500, name: 'Zoom.exe' },
      { pid: 501, name: 'Discord.exe' },
    ];
    expect(products(scanProcesses(processes).details)).toEqual(['Discord', 'Zoom']);
    const policy = parseLockdownPolicy({ allowedApps: ['Zoom.exe'] });
    expect(policy.blockedCategories).toContain('chat');
    expect(products(scanProcesses(processes, { allowedApps: policy.allowedApps }).details)).toEqual([
      'Discord',
    ]);
  });

  it("an accommodation profile's apps join the exam's in the lockdown the device applies", () => {
    const policy = {
      lockdown: { allowedApps: ['zoom'] },
      accommodation: { name: 'calculator', allowedApps: ['calc', 'CalculatorApp', 'gnome-calculator'] },
    };
    expect(examLockdownInput(policy)).toEqual({
      allowedApps: ['zoom', 'calc', 'CalculatorApp', 'gnome-calculator'],
    });
    const exam = { policy } as unknown as CachedExam;
    const lockdown = examLockdownPolicy(exam);
    expect(lockdown.allowedApps).toEqual(['zoom', 'calc', 'CalculatorApp', 'gnome-calculator']);
    // A calculator the site's blocklist files under ai_assistant is allowed for this candidate only.
    const blocklist: BlocklistEntry[] = [
      ...processBlocklist,
      {
        id: 'calc',
        product: 'Calculator',
        category: 'ai_assistant',
        names: ['calculatorapp'],
        pathSegments: [],
      },
    ];
    const running = [{ pid: 600, name: 'CalculatorApp.exe' }];
    expect(scanProcesses(running, { blocklist }).status).toBe('violation');
    expect(scanProcesses(running, { blocklist, allowedApps: lockdown.allowedApps }).status).toBe('pass');
    // No accommodation: the exam's lockdown as it is (with the list the schema defaults to).
    expect(examLockdownInput({})).toEqual({ allowedApps: [] });
    expect(examLockdownInput({ lockdown: { kiosk: false } })).toEqual({ kiosk: false, allowedApps: [] });
  });

  it('the lockdown monitor raises no warning for assistive apps over the whole exam', async () => {
    let processes: ProcessInfo[] = [...windowsAssistive];
    const warnings: LockdownWarning[] = [];
    const scheduler: Scheduler = { every: () => ({ cancel: () => undefined }) };
    const probes: LockdownProbes = {
      listProcesses: async () => processes,
      systemSnapshot: async () => {
        throw new Error('no snapshot in this test');
      },
      mediaDevices: async () => [],
      displays: async () => [{ id: '1' }],
    };
    const monitor = createLockdownMonitor({
      probes,
      policy: parseLockdownPolicy({ allowedApps: ['zoom'], virtualMachine: 'allow', remoteSession: 'allow' }),
      sink: { emit: (w) => warnings.push(w) },
      ownPids: [],
      now: () => Date.parse('2026-01-10T09:00:00Z'),
      scheduler,
    });
    await monitor.start();
    processes = [...windowsAssistive, ...macAssistive, { pid: 700, name: 'zoom' }];
    await monitor.scan();
    expect(warnings.filter((w) => w.type === 'blocked_process')).toEqual([]);
    processes = [...windowsAssistive, { pid: 701, name: 'obs64.exe' }];
    await monitor.scan();
    expect(warnings.filter((w) => w.type === 'blocked_process').map((w) => w.details.finding)).toEqual([
      expect.objectContaining({ product: 'OBS Studio' }),
    ]);
    monitor.stop();
  });

  it('every default entry has names the scan compares (lower case, no extension)', () => {
    for (const app of defaultAssistiveApps)
      for (const name of app.names) expect(name).toMatch(/^[a-z0-9_.+-]+$/);
  });
});
