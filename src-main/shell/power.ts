// Keeps the machine and its display awake during an exam (a sleeping laptop would also stop the
// recording), and releases the blocker afterwards.

/** The part of Electron's powerSaveBlocker this module uses. */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): boolean | void;
  isStarted(id: number): boolean;
}

export function preventSleep(blocker: PowerSaveBlockerLike): () => void {
  const id = blocker.start('prevent-display-sleep');
  return () => {
    if (blocker.isStarted(id)) blocker.stop(id);
  };
}
