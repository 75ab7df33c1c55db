// The console's signed-in PostgreSQL login. A proctor or admin signs in with their own database
// credentials (the host and database come from `central.url`); every review and admin query then
// runs on that login, so row-level security, not the app, decides what the console can see.
import path from 'node:path';
import { AdminService } from '../admin/admin-service';
import { RetentionService } from '../admin/retention';
import { openPostgres, type CentralStore, type SslMode } from '../central/connect';
import { VigilError, isVigilError } from '../errors';
import { ReviewService } from './review-service';
import type { Reviewer } from './types';

export interface ConsoleSessionOptions {
  central: () => { url?: string; sslMode: SslMode; caFile?: string };
  /**
   * Where consoles kept their report versions before the central worker made them (one folder
   * per session): purge and erasure still clean it. The console renders no report itself.
   */
  reportsDir: string;
  /** Other per-session folders that purge and erasure clean (e.g. local recordings). */
  sessionDirs?: string[];
  onReportError?: (sessionId: string, error: unknown) => void;
  /**
   * The central worker filed a new report version after this console's verdict or decision (the
   * console's page then reloads its list).
   */
  onReportFiled?: (sessionId: string) => void;
}

interface Signed {
  /** The window that signed in (its WebContents id; undefined on the headless host). */
  owner: number | undefined;
  store: CentralStore;
  reviewer: Reviewer;
  review: ReviewService;
  admin: AdminService;
  retention: RetentionService;
}

export class ConsoleSession {
  private signed: Signed | undefined;

  constructor(private readonly options: ConsoleSessionOptions) {}

  /**
   * Signs in for the window `owner` (the Electron console window's WebContents id): the login is
   * that window's, refused to any other (`assertCaller`) and ended when it closes (`endWindow`).
   */
  async signIn(user: string, password: string, owner?: number): Promise<Reviewer> {
    const central = this.options.central();
    if (!central.url) {
      throw new VigilError(
        'UNAVAILABLE',
        'The review console needs the central PostgreSQL server: set central.url (VIGIL_CENTRAL_URL) and restart.',
      );
    }
    await this.signOut();
    const url = new URL(central.url);
    url.username = encodeURIComponent(user);
    url.password = encodeURIComponent(password);
    // No JIT: the console's queries are short, and compiling them (which PostgreSQL does once a
    // plan with row-level security sub-plans looks expensive) took most of a second at 100,000 sessions.
    url.searchParams.set('options', '-c jit=off');
    const store = openPostgres({
      url: url.toString(),
      defaultSslMode: central.sslMode,
      ...(central.caFile ? { caFile: central.caFile } : {}),
    });
    try {
      const review = new ReviewService(store.query, {
        ...(this.options.onReportFiled ? { onReportFiled: this.options.onReportFiled } : {}),
        ...(this.options.onReportError ? { onReportError: this.options.onReportError } : {}),
      });
      const reviewer = await review.whoAmI();
      this.signed = {
        owner,
        store,
        reviewer,
        review,
        admin: new AdminService(store.query),
        retention: new RetentionService(store.db as never, {
          sessionDirs: [this.options.reportsDir, ...(this.options.sessionDirs ?? [])],
        }),
      };
      return reviewer;
    } catch (error) {
      await store.close();
      if (isVigilError(error)) throw error;
      const code = (error as { code?: string }).code;
      if (code === '28P01' || code === '28000') {
        throw new VigilError('FORBIDDEN', 'The user name or password is wrong.');
      }
      throw new VigilError('UNAVAILABLE', `Cannot reach the central server: ${(error as Error).message}`);
    }
  }

  async signOut(): Promise<void> {
    const current = this.signed;
    this.signed = undefined;
    await current?.review.close();
    await current?.store.close();
  }

  /** Who is signed in, as the window `caller` sees it: nobody, when the login is another window's. */
  whoAmI(caller?: number): Reviewer | null {
    return this.signed && this.ownedBy(caller) ? this.signed.reviewer : null;
  }

  /**
   * Refuses a console call from a window that did not sign in. The candidate window is already
   * refused every console call by its call group; this also keeps a second console window (or any
   * contents that were not the signing one) from riding on the login.
   */
  assertCaller(caller: number | undefined): void {
    if (this.signed && !this.ownedBy(caller))
      throw new VigilError('FORBIDDEN', 'This console login belongs to another window: sign in here.', {
        reason: 'login_of_another_window',
      });
  }

  /** The window `id` closed: its login ends, so the next console call needs a sign-in. */
  async endWindow(id: number): Promise<void> {
    if (this.signed && this.signed.owner === id) await this.signOut();
  }

  private ownedBy(caller: number | undefined): boolean {
    return this.signed?.owner === undefined || this.signed.owner === caller;
  }

  private need(): Signed {
    if (!this.signed) throw new VigilError('FORBIDDEN', 'Sign in to the console first.');
    return this.signed;
  }

  get review(): ReviewService {
    return this.need().review;
  }

  /** The review service while someone is signed in (the blob route answers 403 otherwise). */
  get signedInReview(): ReviewService | undefined {
    return this.signed?.review;
  }

  /** Admin services; the database refuses a proctor login whatever the app asks. */
  get admin(): AdminService {
    return this.need().admin;
  }

  get retention(): RetentionService {
    return this.need().retention;
  }

  static reportsDirFor(dataDir: string): string {
    return path.join(dataDir, 'reports');
  }
}
