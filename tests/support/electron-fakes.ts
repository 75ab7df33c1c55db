// Small stand-ins for the Electron objects the shell uses (the Electron binary is not available on
// build machines). They record calls and let tests fire events, nothing more.
export class FakeEmitter {
  readonly listeners = new Map<string, Set<(...args: never[]) => void>>();

  on(event: string, listener: (...args: never[]) => void): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  removeListener(event: string, listener: (...args: never[]) => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  count(event?: string): number {
    if (event) return this.listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }
}

export class FakeWindow extends FakeEmitter {
  readonly calls: string[] = [];
  destroyed = false;
  private record(name: string, ...args: unknown[]) {
    this.calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
  }
  setKiosk(flag: boolean) {
    this.record('setKiosk', flag);
  }
  setFullScreen(flag: boolean) {
    this.record('setFullScreen', flag);
  }
  setAlwaysOnTop(flag: boolean, level?: string) {
    this.record('setAlwaysOnTop', flag, level);
  }
  setContentProtection(enable: boolean) {
    this.record('setContentProtection', enable);
  }
  setMinimizable(flag: boolean) {
    this.record('setMinimizable', flag);
  }
  setMovable(flag: boolean) {
    this.record('setMovable', flag);
  }
  setResizable(flag: boolean) {
    this.record('setResizable', flag);
  }
  setSkipTaskbar(flag: boolean) {
    this.record('setSkipTaskbar', flag);
  }
  focus() {
    this.record('focus');
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class FakeScreen extends FakeEmitter {
  displays: { id: number; label?: string }[] = [{ id: 1, label: 'Built-in' }];
  getAllDisplays() {
    return this.displays;
  }
}

export class FakePowerSaveBlocker {
  private next = 1;
  readonly started = new Map<number, string>();
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number {
    const id = this.next++;
    this.started.set(id, type);
    return id;
  }
  stop(id: number): boolean {
    return this.started.delete(id);
  }
  isStarted(id: number): boolean {
    return this.started.has(id);
  }
}

export class FakeClipboard {
  text = '';
  readText() {
    return this.text;
  }
  writeText(text: string) {
    this.text = text;
  }
  clear() {
    this.text = '';
  }
}

/** A keyboard event as Electron's before-input-event delivers it. */
export function key(
  keyName: string,
  mods: Partial<{ control: boolean; meta: boolean; alt: boolean; shift: boolean }> = {},
  type = 'keyDown',
) {
  return { type, key: keyName, control: false, meta: false, alt: false, shift: false, ...mods };
}

export function preventable() {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}
