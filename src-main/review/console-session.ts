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
  store: CentralStore;
  reviewer: Reviewer;
  review: ReviewService;
  admin: AdminService;
  retention: RetentionService;
}

export class ConsoleSession {
  private signed: Signed | undefined;

  constructor(private readonly options: ConsoleSessionOptions) {}

  async signIn(user: string, password: string): Promise<Reviewer> {
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
      sslMode: central.sslMode,
      ...(central.caFile ? { caFile: central.caFile } : {}),
    });
    try {
      const review = new ReviewService(store.query, {
        ...(this.options.onReportFiled ? { onReportFiled: this.options.onReportFiled } : {}),
        ...(this.options.onReportError ? { onReportError: this.options.onReportError } : {}),
      });
      const reviewer = await review.whoAmI();
      this.signed = {
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

  whoAmI(): Reviewer | null {
    return this.signed?.reviewer ?? null;
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
