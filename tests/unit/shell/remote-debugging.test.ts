// Remote debugging is refused in production: the launch decision taken from argv and the build kind,
// with every form a debugging switch can be typed in, and main.ts taking it before anything starts.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debuggingLaunchDecision } from '../../../src-main/shell/devtools';

const exe = '/opt/Vigil/vigil';

describe('debugging switches at launch', () => {
  const refused: [string, string[], string][] = [
    ['--remote-debugging-port=9222', ['--remote-debugging-port=9222'], '--remote-debugging-port'],
    ['split --remote-debugging-port 9222', ['--remote-debugging-port', '9222'], '--remote-debugging-port'],
    ['--remote-debugging-pipe', ['--remote-debugging-pipe'], '--remote-debugging-pipe'],
    ['--remote-debugging-address', ['--remote-debugging-address=0.0.0.0'], '--remote-debugging-address'],
    ['--inspect', ['--inspect'], '--inspect'],
    ['--inspect=9229', ['--inspect=9229'], '--inspect'],
    ['--inspect=0.0.0.0:9229', ['--inspect=0.0.0.0:9229'], '--inspect'],
    ['--inspect-brk=0', ['--inspect-brk=0'], '--inspect-brk'],
    ['split --inspect-brk 0', ['--inspect-brk', '0'], '--inspect-brk'],
    ['--inspect-port=0', ['--inspect-port=0'], '--inspect-port'],
    ['--inspect-wait', ['--inspect-wait'], '--inspect-wait'],
    ['single dash -remote-debugging-port=9222', ['-remote-debugging-port=9222'], '--remote-debugging-port'],
    ['Windows /remote-debugging-port=9222', ['/remote-debugging-port=9222'], '--remote-debugging-port'],
    ['upper case --Remote-Debugging-Port=9222', ['--Remote-Debugging-Port=9222'], '--remote-debugging-port'],
    ['after other switches', ['--proctor', '--inspect-brk=0'], '--inspect-brk'],
  ];

  it.each(refused)('a production launch with %s is refused, naming the switch', (_name, args, switchName) => {
    const decision = debuggingLaunchDecision([exe, ...args], true);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.switches).toEqual([switchName]);
    expect(decision.message).toContain(switchName);
    expect(decision.message).toMatch(/without these options/);
  });

  it.each(refused)('a development launch with %s runs', (_name, args) => {
    expect(debuggingLaunchDecision([exe, ...args], false)).toEqual({ allowed: true });
  });

  it('names every switch once when several are given', () => {
    const decision = debuggingLaunchDecision(
      [exe, '--inspect=9229', '--remote-debugging-port=9222', '--remote-debugging-port', '9223'],
      true,
    );
    expect(decision).toMatchObject({ allowed: false, switches: ['--inspect', '--remote-debugging-port'] });
  });

  it('lets an ordinary production launch run', () => {
    expect(debuggingLaunchDecision([exe], true)).toEqual({ allowed: true });
    expect(debuggingLaunchDecision([exe, '--proctor'], true)).toEqual({ allowed: true });
    // A look-alike is not the switch, and nothing after `--` is a switch (Chromium ignores it too).
    expect(debuggingLaunchDecision([exe, '--inspector-theme=dark'], true)).toEqual({ allowed: true });
    expect(debuggingLaunchDecision([exe, '--', '--inspect'], true)).toEqual({ allowed: true });
  });

  it('main.ts decides from argv and execArgv before the sandbox or any window, and exits', () => {
    const main = fs.readFileSync('src-main/shell/main.ts', 'utf8');
    const decision = main.indexOf(
      'debuggingLaunchDecision([...process.execArgv, ...process.argv.slice(1)], production)',
    );
    expect(decision).toBeGreaterThan(0);
    expect(decision).toBeLessThan(main.indexOf('app.enableSandbox();'));
    expect(main).toMatch(
      /if \(!debugging\.allowed\) \{\s*dialog\.showErrorBox\('Vigil cannot start', debugging\.message\);\s*app\.exit\(1\);/,
    );
    expect(main).toMatch(/if \(!debugging\.allowed \|\| !app\.requestSingleInstanceLock\(\)\)/);
  });
});
