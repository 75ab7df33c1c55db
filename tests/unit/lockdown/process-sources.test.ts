import { describe, expect, it } from 'vitest';
import { listProcesses, type ProcessSources } from '../../../src-main/lockdown/probes';
import { scanProcesses } from '../../../src-main/lockdown/process-scan';

function sources(platform: string, cim: ProcessSources['siProcesses']): ProcessSources & { psCalls: number } {
  const s = {
    platform,
    psCalls: 0,
    psList: async () => {
      s.psCalls++;
      return [{ pid: 7, ppid: 1, name: 'notepad.exe' }];
    },
    siProcesses: cim,
  };
  return s;
}

describe('process sources per platform', () => {
  it('uses the CIM list with executable paths on Windows, so a renamed copy is caught by its folder', async () => {
    const s = sources('win32', async () => [
      {
        pid: 7,
        parentPid: 1,
        name: 'notepad.exe',
        path: 'C:\\Users\\sam\\AppData\\Local\\obs-studio\\bin\\64bit\\notepad.exe',
        command: '"notepad.exe"',
      },
    ]);
    const list = await listProcesses(s);
    expect(s.psCalls).toBe(0);
    expect(list).toEqual([
      {
        pid: 7,
        ppid: 1,
        name: 'notepad.exe',
        path: 'C:\\Users\\sam\\AppData\\Local\\obs-studio\\bin\\64bit\\notepad.exe',
        cmd: '"notepad.exe"',
      },
    ]);
    const result = scanProcesses(list);
    expect(result.details.findings).toEqual([
      expect.objectContaining({ product: 'OBS Studio', renamed: true }),
    ]);
  });

  it('falls back to ps-list (names only) when the CIM query fails, and uses ps-list elsewhere', async () => {
    const failing = sources('win32', async () => {
      throw new Error('powershell not found');
    });
    expect(await listProcesses(failing)).toEqual([{ pid: 7, ppid: 1, name: 'notepad.exe' }]);
    expect(failing.psCalls).toBe(1);
    const linux = sources('linux', async () => {
      throw new Error('must not be called');
    });
    expect(await listProcesses(linux)).toHaveLength(1);
    expect(linux.psCalls).toBe(1);
  });
});
