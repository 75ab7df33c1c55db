import { describe, expect, it } from 'vitest';
import { processBlocklist, processCategories } from '../../../src-main/lockdown/process-blocklist';
import {
  matchProcess,
  normalizeName,
  scanProcesses,
  type ProcessFinding,
  type ProcessInfo,
} from '../../../src-main/lockdown/process-scan';
import { lockdownFixture } from '../../support/lockdown-fixtures';

interface ProcessFixture {
  expected: { status: string; products?: string[]; renamed?: { pid: number; product: string }[] };
  processes: ProcessInfo[];
}

const findingsOf = (details: Record<string, unknown>) => details.findings as ProcessFinding[];

describe('process scan against recorded process lists', () => {
  it.each([
    'processes-windows-anydesk-manycam.json',
    'processes-macos-renamed-obs.json',
    'processes-linux-renamed-obs.json',
    'processes-linux-clean.json',
  ])('%s yields the expected verdict and evidence', (file) => {
    const fixture = lockdownFixture<ProcessFixture>(file);
    const result = scanProcesses(fixture.processes);
    expect(result.status).toBe(fixture.expected.status);
    const findings = findingsOf(result.details);
    expect([...new Set(findings.map((f) => f.product))].sort()).toEqual(
      [...(fixture.expected.products ?? [])].sort(),
    );
    for (const renamed of fixture.expected.renamed ?? []) {
      const finding = findings.find((f) => f.pid === renamed.pid);
      expect(finding).toMatchObject({ product: renamed.product, renamed: true, matchedBy: ['path'] });
      expect(result.evidence).toContainEqual(
        expect.objectContaining({ source: `process[${renamed.pid}].path`, value: finding?.path }),
      );
    }
    if (result.status === 'pass') {
      expect(result.evidence).toEqual([]);
      expect(result.confidence).toBe(0);
    } else {
      expect(result.evidence.length).toBeGreaterThan(0);
      expect(result.confidence).toBeGreaterThan(0.8);
    }
  });

  it('catches AnyDesk by name on Windows where ps-list gives no path', () => {
    const fixture = lockdownFixture<ProcessFixture>('processes-windows-anydesk-manycam.json');
    const anydesk = findingsOf(scanProcesses(fixture.processes).details).filter(
      (f) => f.entryId === 'anydesk',
    );
    expect(anydesk.map((f) => f.pid)).toEqual([6044, 6120]);
    expect(anydesk[0]).toMatchObject({ category: 'remote_control', matchedBy: ['name'], renamed: false });
  });

  it('reports only the categories the exam policy blocks', () => {
    const fixture = lockdownFixture<ProcessFixture>('processes-macos-renamed-obs.json');
    const result = scanProcesses(fixture.processes, { categories: ['virtual_camera'] });
    expect(findingsOf(result.details).map((f) => f.product)).toEqual(['Snap Camera']);
    const none = scanProcesses(fixture.processes, { categories: ['chat'] });
    expect(none.status).toBe('pass');
  });

  it('never reports its own processes', () => {
    const result = scanProcesses([{ pid: 42, name: 'obs64.exe' }], { ownPids: [42] });
    expect(result.status).toBe('pass');
  });

  it('matches whole names and whole path folders, not substrings', () => {
    expect(matchProcess({ pid: 1, name: 'obsidian', path: '/opt/Obsidian/obsidian' })).toEqual([]);
    expect(matchProcess({ pid: 2, name: 'zoomer', path: '/home/a/zoom-notes/zoomer' })).toEqual([]);
    expect(
      matchProcess({ pid: 3, name: 'x', path: 'C:\\Program Files\\obs-studio\\bin\\64bit\\x.exe' }),
    ).toEqual([expect.objectContaining({ entryId: 'obs', renamed: true })]);
    // The executable named like a blocked program is a name match even if the process name differs.
    expect(matchProcess({ pid: 4, name: 'kworker', path: '/usr/bin/anydesk' })[0]).toMatchObject({
      entryId: 'anydesk',
      matchedBy: ['name'],
    });
  });

  it('normalizes names across platforms', () => {
    expect(normalizeName('AnyDesk.exe')).toBe('anydesk');
    expect(normalizeName('C:\\Tools\\TeamViewer.EXE')).toBe('teamviewer');
    expect(normalizeName('/Applications/Slack.app')).toBe('slack');
  });

  it('keeps a well-formed blocklist: unique ids, known categories, lower-case names, every category used', () => {
    const ids = processBlocklist.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of processBlocklist) {
      expect(processCategories).toContain(entry.category);
      for (const value of [...entry.names, ...entry.pathSegments]) expect(value).toBe(value.toLowerCase());
      expect(entry.names.length + entry.pathSegments.length).toBeGreaterThan(0);
    }
    for (const category of processCategories)
      expect(processBlocklist.some((e) => e.category === category)).toBe(true);
  });
});
