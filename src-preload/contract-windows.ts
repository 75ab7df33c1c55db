// Which window may use which contract call and hear which event. The contract is the product
// surface: every call belongs to the window that uses it (the candidate window, the proctor/admin
// console) or to both (`app`). Each window's preload exposes only its calls and main refuses the
// rest per sender, so a compromised candidate page cannot sign into the console or export data.
// Pure: no node/electron/DOM imports. `satisfies Record<…>` makes TypeScript list every call and
// event here exactly once.
import type { CallName, CallRequest, CallResponse, EventName, EventPayload, Result } from './contract';

export const windowKinds = ['candidate', 'console'] as const;
export type WindowKind = (typeof windowKinds)[number];

export type CallGroup = 'app' | WindowKind;

export const callGroups = {
  // The About screen, reachable from both windows.
  getAppInfo: 'app',
  ping: 'app',
  checkExamReadiness: 'app',
  runDoctor: 'app',
  getSettings: 'app',
  changeSetting: 'app',
  saveDiagnostics: 'app',
  // The candidate window: the session from enrollment to finish, and its recording.
  mediaStart: 'candidate',
  mediaAppendChunk: 'candidate',
  mediaStop: 'candidate',
  candidateOverview: 'candidate',
  candidateEnroll: 'candidate',
  candidateConsent: 'candidate',
  candidateSystemCheck: 'candidate',
  candidateVerifyId: 'candidate',
  candidateBeginInterview: 'candidate',
  candidateInterviewState: 'candidate',
  candidateSaveDraft: 'candidate',
  candidateSubmitAnswer: 'candidate',
  candidateSubmitSpokenAnswer: 'candidate',
  candidateEndBreak: 'candidate',
  candidateFrame: 'candidate',
  candidateAudio: 'candidate',
  candidateFocus: 'candidate',
  candidateFinish: 'candidate',
  candidateFinishProgress: 'candidate',
  candidateUpdateStatus: 'candidate',
  candidateRestartToUpdate: 'candidate',
  // The console window: the proctor's review and the admin screens.
  consoleSignIn: 'console',
  consoleSignOut: 'console',
  consoleWhoAmI: 'console',
  reviewQueue: 'console',
  reviewLoad: 'console',
  reviewWarning: 'console',
  reviewDecide: 'console',
  reviewBlob: 'console',
  adminList: 'console',
  adminExportCsv: 'console',
  adminSaveExam: 'console',
  adminAddStaff: 'console',
  adminAssignProctor: 'console',
  adminCreateEnrollments: 'console',
  adminRevoke: 'console',
  adminUsage: 'console',
  adminPurge: 'console',
} as const satisfies Record<CallName, CallGroup>;

export const eventGroups = {
  pong: 'app',
  candidateNotice: 'candidate',
  syncStatus: 'candidate',
  updateStatus: 'candidate',
  mediaMergeProgress: 'candidate',
  mediaDiskLow: 'candidate',
  reviewReportFiled: 'console',
} as const satisfies Record<EventName, CallGroup>;

type CallGroups = typeof callGroups;
type EventGroups = typeof eventGroups;

/** The calls a window's preload exposes: its own group and the app-wide one. */
export type WindowCallName<W extends WindowKind> = {
  [K in CallName]: CallGroups[K] extends 'app' | W ? K : never;
}[CallName];
export type WindowEventName<W extends WindowKind> = {
  [E in EventName]: EventGroups[E] extends 'app' | W ? E : never;
}[EventName];

/** What a window's renderer sees as `window.vigil`, whatever the transport. */
export type WindowApi<W extends WindowKind> = {
  [K in WindowCallName<W>]: (request: CallRequest<K>) => Promise<Result<CallResponse<K>>>;
} & {
  /** The window this API was built for (its preload, or the host connection it declared). */
  readonly window: W;
  on<E extends WindowEventName<W>>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
/** The app-wide calls (the About screen), which every window has. */
export type AppCallName = WindowCallName<never>;
export type CandidateApi = WindowApi<'candidate'>;
export type ConsoleApi = WindowApi<'console'>;
export type AppApi = Pick<CandidateApi, AppCallName>;
/** Either window's API; `api.window` tells which. */
export type AnyWindowApi = CandidateApi | ConsoleApi;

const inWindow = (group: CallGroup, window: WindowKind) => group === 'app' || group === window;

export function isWindowKind(value: unknown): value is WindowKind {
  return typeof value === 'string' && (windowKinds as readonly string[]).includes(value);
}

export function windowCallNames<W extends WindowKind>(window: W): WindowCallName<W>[] {
  return (Object.keys(callGroups) as CallName[]).filter((name) =>
    inWindow(callGroups[name], window),
  ) as WindowCallName<W>[];
}

export function windowEventNames<W extends WindowKind>(window: W): WindowEventName<W>[] {
  return (Object.keys(eventGroups) as EventName[]).filter((name) =>
    inWindow(eventGroups[name], window),
  ) as WindowEventName<W>[];
}

export function isWindowCall(window: WindowKind, call: CallName): boolean {
  return inWindow(callGroups[call], window);
}

export function isWindowEvent(window: WindowKind, event: EventName): boolean {
  return inWindow(eventGroups[event], window);
}

/**
 * The window a renderer route belongs to: `#/proctor` and `#/admin` are the console, `#/about`
 * (app-wide) stays in whichever window shows it (undefined), every other route is the candidate's.
 */
export function windowOfRoute(hash: string): WindowKind | undefined {
  if (hash.startsWith('#/proctor') || hash.startsWith('#/admin')) return 'console';
  if (hash.startsWith('#/about')) return undefined;
  return 'candidate';
}
