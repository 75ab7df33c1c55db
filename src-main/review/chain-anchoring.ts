// Whether a session's evidence chain was anchored while it was written (central 0433): the device
// reports its chain head at least every 30 s while online, and the server stores each report with
// its own receive time. Gaps between those times (and from the start, and up to the end) longer
// than ANCHOR_GAP_S are time the device wrote without the server seeing its chain: "written
// offline". Pure, so the console and the report read the same verdict.

/** The device reports every 20 s and the server expects one every 30 s; beyond this it was offline. */
export const ANCHOR_GAP_S = 45;

export interface ChainAnchoring {
  /** anchored: no gap over ANCHOR_GAP_S; partly_offline: some; offline: never anchored. */
  state: 'anchored' | 'partly_offline' | 'offline';
  anchors: number;
  /** Seconds of the session in gaps longer than ANCHOR_GAP_S. */
  offlineS: number;
  longestGapS: number;
}

export function chainAnchoring(input: {
  startedAt: Date;
  endedAt: Date | null;
  receivedAt: Date[];
}): ChainAnchoring {
  const times = input.receivedAt.map((t) => t.getTime()).sort((a, b) => a - b);
  const start = input.startedAt.getTime();
  const end = input.endedAt?.getTime() ?? times.at(-1) ?? start;
  const points = [start, ...times.filter((t) => t > start && t < end), end];
  let offline = 0;
  let longest = 0;
  for (let i = 1; i < points.length; i++) {
    const gap = (points[i]! - points[i - 1]!) / 1000;
    longest = Math.max(longest, gap);
    if (gap > ANCHOR_GAP_S) offline += gap;
  }
  const state = times.length === 0 ? 'offline' : offline === 0 ? 'anchored' : 'partly_offline';
  return {
    state,
    anchors: times.length,
    offlineS: Math.round(offline),
    longestGapS: Math.round(longest),
  };
}
