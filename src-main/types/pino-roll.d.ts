// pino-roll ships no type declarations; this covers the part Vigil uses.
declare module 'pino-roll' {
  import type { SonicBoom } from 'sonic-boom';
  interface RollOptions {
    file: string | (() => string);
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    symlink?: boolean;
    sync?: boolean;
  }
  export default function roll(options: RollOptions): Promise<SonicBoom>;
}
