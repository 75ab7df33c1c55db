// The admin console (`#/admin`): lists with search, filters, CSV export and revoke; exams; bulk
// enrollment codes with a mail-merge CSV; staff logins and proctor assignment; token usage and
// cost; the retention purge with a dry run. Same services as `vigil admin …`.
import { useEffect, useState, type FormEvent } from 'react';
import type { CallRequest, CallResponse } from '../../src-preload/contract';
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { examTypes, examTypeShortNames, type ExamType } from '../../src-preload/vocabulary';
import { SignIn, type Reviewer } from '../proctor/SignIn';
import { parseCandidateLines } from './candidates';
import { parseProfileLines } from './profiles';

type ListName = CallRequest<'adminList'>['list'];
const LISTS: ListName[] = ['sessions', 'users', 'exams', 'enrollments', 'devices', 'usage', 'receipts'];
const TABS = ['Lists', 'Exams', 'Enrollment', 'Staff', 'Usage', 'Retention'] as const;
type Tab = (typeof TABS)[number];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function Download({ text, fileName, children }: { text: string; fileName: string; children: string }) {
  const save = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <button type="button" className="secondary" onClick={save}>
      {children}
    </button>
  );
}

/** A form field as text (FormData may also hold files). */
function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

function Lists({ api }: { api: ConsoleApi }) {
  const [list, setList] = useState<ListName>('sessions');
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState('');
  const [data, setData] = useState<CallResponse<'adminList'> | undefined>();
  const [csv, setCsv] = useState<CallResponse<'adminExportCsv'> | undefined>();
  const [message, setMessage] = useState('');

  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    const request = { list, ...(search ? { search } : {}), ...(kind ? { kind } : {}), limit: 200 };
    void api.adminList(request).then((result) => {
      if (!live) return;
      if (result.ok) setData(result.value);
      else setMessage(result.error.message);
      setCsv(undefined);
    });
    return () => {
      live = false;
    };
  }, [api, list, search, kind, version]);

  const exportCsv = async () => {
    const result = await api.adminExportCsv({
      list,
      ...(search ? { search } : {}),
      ...(kind ? { kind } : {}),
    });
    if (result.ok) setCsv(result.value);
    else setMessage(result.error.message);
  };
  const revoke = async (what: 'enrollment' | 'device', id: string) => {
    const result = await api.adminRevoke({ what, id });
    setMessage(result.ok ? `Revoked ${what} ${id}.` : result.error.message);
    setVersion((v) => v + 1);
  };

  return (
    <section aria-labelledby="lists-title">
      <h3 id="lists-title">Lists</h3>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="List filters">
        <label>
          List
          <select value={list} onChange={(e) => setList(e.target.value as ListName)}>
            {LISTS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label>
          Filter
          <input
            value={kind}
            onChange={(e) => setKind(e.target.value)}
            placeholder="role, type, state or status"
          />
        </label>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        {csv && (
          <Download text={csv.csv} fileName={csv.fileName}>
            {`Download ${csv.fileName}`}
          </Download>
        )}
      </form>
      <p role="status">{message}</p>
      {data && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
          <table data-testid="admin-table">
            <caption>
              {list}: {data.rows.length} rows
            </caption>
            <thead>
              <tr>
                {data.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
                {(list === 'enrollments' || list === 'devices') && <th scope="col">action</th>}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row, i) => (
                <tr key={cellText(row.id) || i}>
                  {data.columns.map((c) => (
                    <td key={c}>{cellText(row[c])}</td>
                  ))}
                  {(list === 'enrollments' || list === 'devices') && (
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() =>
                          void revoke(list === 'devices' ? 'device' : 'enrollment', String(row.id))
                        }
                      >
                        Revoke
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface ExamChoice {
  id: string;
  title: string;
  /** Names of the exam's accommodation profiles. */
  profiles: string[];
}

function profileNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((p: unknown) =>
    p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string'
      ? [(p as { name: string }).name]
      : [],
  );
}

function useExams(api: ConsoleApi) {
  const [exams, setExams] = useState<ExamChoice[]>([]);
  useEffect(() => {
    void api.adminList({ list: 'exams', limit: 1000 }).then((r) => {
      if (r.ok)
        setExams(
          r.value.rows.map((x) => ({
            id: String(x.id),
            title: String(x.title),
            profiles: profileNames(x.accommodation_profiles),
          })),
        );
    });
  }, [api]);
  return exams;
}

function Exams({ api }: { api: ConsoleApi }) {
  const [message, setMessage] = useState('');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const text = (k: string) => field(f, k);
    const keyQuestions = text('questions')
      .split('\n')
      .map((line) => line.split('|'))
      .filter(([q]) => q?.trim())
      .map(([q, s]) => ({ question: q!.trim(), time_limit_s: Number(s) || 120 }));
    const accommodationProfiles = parseProfileLines(text('accommodations'));
    const result = await api.adminSaveExam({
      exam: {
        title: text('title'),
        type: text('type') as ExamType,
        difficulty: Number(text('difficulty')),
        keyQuestions,
        accommodationProfiles,
        retentionDays: Number(text('retention')),
        uploadMode: text('upload') as 'full',
      },
    });
    setMessage(result.ok ? `Exam saved: ${result.value.id}` : result.error.message);
  };
  return (
    <section aria-labelledby="exams-title">
      <h3 id="exams-title">New exam</h3>
      <form className="form-grid" onSubmit={(e) => void submit(e)}>
        <label htmlFor="exam-title">Title</label>
        <input id="exam-title" name="title" required />
        <label htmlFor="exam-type">Type</label>
        <select id="exam-type" name="type" defaultValue="SKL">
          {examTypes.map((type) => (
            <option key={type} value={type}>
              {examTypeShortNames[type]}
            </option>
          ))}
        </select>
        <label htmlFor="exam-difficulty">Difficulty (1–10)</label>
        <input id="exam-difficulty" name="difficulty" type="number" min={1} max={10} defaultValue={5} />
        <label htmlFor="exam-questions">Key questions (one per line: question | seconds)</label>
        <textarea id="exam-questions" name="questions" rows={3} />
        <label htmlFor="exam-accommodations">
          Accommodation profiles (one per line: name | extra time % | breaks × minutes | detectors | allowed
          apps, e.g. &quot;extra time 50% | 50 | 1x5 | no_gaze | calc, gnome-calculator&quot;)
        </label>
        <textarea id="exam-accommodations" name="accommodations" rows={2} />
        <label htmlFor="exam-retention">Retention (days)</label>
        <input id="exam-retention" name="retention" type="number" min={1} max={3650} defaultValue={90} />
        <label htmlFor="exam-upload">Upload mode</label>
        <select id="exam-upload" name="upload" defaultValue="full">
          <option value="full">full video</option>
          <option value="flags_only">flags only (clips)</option>
        </select>
        <div />
        <button type="submit">Save exam</button>
      </form>
      <p role="status">{message}</p>
    </section>
  );
}

function Enrollment({ api }: { api: ConsoleApi }) {
  const exams = useExams(api);
  const [examId, setExamId] = useState('');
  const [accommodation, setAccommodation] = useState('');
  const [text, setText] = useState('');
  const exam = exams.find((x) => x.id === examId) ?? exams[0];
  const [result, setResult] = useState<CallResponse<'adminCreateEnrollments'> | undefined>();
  const [message, setMessage] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const lines = parseCandidateLines(text);
    if (!lines.length) return setMessage('Add one candidate per line: email, name');
    const candidates = accommodation ? lines.map((c) => ({ ...c, accommodation })) : lines;
    const r = await api.adminCreateEnrollments({ examId: exam!.id, candidates });
    if (r.ok) {
      setResult(r.value);
      setMessage(
        `${r.value.codes.length} codes created. They are shown only now: download the mail-merge file.`,
      );
    } else setMessage(r.error.message);
  };
  return (
    <section aria-labelledby="enroll-title">
      <h3 id="enroll-title">Enrollment codes</h3>
      <form className="form-grid" onSubmit={(e) => void submit(e)}>
        <label htmlFor="enroll-exam">Exam</label>
        <select
          id="enroll-exam"
          value={exam?.id ?? ''}
          onChange={(e) => {
            setExamId(e.target.value);
            setAccommodation('');
          }}
        >
          {exams.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
        <label htmlFor="enroll-accommodation">Accommodation for these candidates</label>
        <select
          id="enroll-accommodation"
          value={accommodation}
          onChange={(e) => setAccommodation(e.target.value)}
        >
          <option value="">None (the exam&apos;s standard timing and detectors)</option>
          {(exam?.profiles ?? []).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label htmlFor="enroll-candidates">Candidates (one per line: email, name)</label>
        <textarea id="enroll-candidates" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
        <div />
        <button type="submit">Create codes</button>
      </form>
      <p role="status">{message}</p>
      {result && (
        <Download text={result.csv} fileName="enrollment-codes.csv">
          Download mail-merge CSV
        </Download>
      )}
    </section>
  );
}

function Staff({ api }: { api: ConsoleApi }) {
  const exams = useExams(api);
  const [proctors, setProctors] = useState<{ id: string; email: string }[]>([]);
  const [message, setMessage] = useState('');
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void api.adminList({ list: 'users', kind: 'proctor', limit: 1000 }).then((r) => {
      if (r.ok) setProctors(r.value.rows.map((x) => ({ id: String(x.id), email: String(x.email) })));
    });
  }, [api, version]);
  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const r = await api.adminAddStaff({
      email: field(f, 'email'),
      name: field(f, 'name'),
      role: field(f, 'role') as 'proctor',
      login: field(f, 'login'),
      password: field(f, 'password'),
    });
    setMessage(r.ok ? `Added ${field(f, 'login')}.` : r.error.message);
    setVersion((v) => v + 1);
  };
  const assign = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const r = await api.adminAssignProctor({
      examId: field(f, 'exam'),
      proctorId: field(f, 'proctor'),
      remove: f.get('remove') === 'on',
    });
    setMessage(r.ok ? 'Assignment saved.' : r.error.message);
  };
  return (
    <section aria-labelledby="staff-title">
      <h3 id="staff-title">Staff and assignments</h3>
      <form className="form-grid" onSubmit={(e) => void add(e)} aria-label="Add staff">
        <label htmlFor="staff-email">E-mail</label>
        <input id="staff-email" name="email" type="email" required />
        <label htmlFor="staff-name">Name</label>
        <input id="staff-name" name="name" />
        <label htmlFor="staff-role">Role</label>
        <select id="staff-role" name="role">
          <option value="proctor">proctor</option>
          <option value="admin">admin</option>
        </select>
        <label htmlFor="staff-login">Database login</label>
        <input id="staff-login" name="login" pattern="[a-z][a-z0-9_]{2,62}" required />
        <label htmlFor="staff-password">Password (12+ characters)</label>
        <input
          id="staff-password"
          name="password"
          type="password"
          minLength={12}
          autoComplete="new-password"
          required
        />
        <div />
        <button type="submit">Add staff</button>
      </form>
      <form className="form-grid" onSubmit={(e) => void assign(e)} aria-label="Assign proctor">
        <label htmlFor="assign-exam">Exam</label>
        <select id="assign-exam" name="exam">
          {exams.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
        <label htmlFor="assign-proctor">Proctor</label>
        <select id="assign-proctor" name="proctor">
          {proctors.map((p) => (
            <option key={p.id} value={p.id}>
              {p.email}
            </option>
          ))}
        </select>
        <label htmlFor="assign-remove">Remove instead</label>
        <input id="assign-remove" name="remove" type="checkbox" />
        <div />
        <button type="submit">Save assignment</button>
      </form>
      <p role="status">{message}</p>
    </section>
  );
}

function Usage({ api }: { api: ConsoleApi }) {
  const [usage, setUsage] = useState<CallResponse<'adminUsage'> | undefined>();
  useEffect(() => {
    void api.adminUsage({}).then((r) => r.ok && setUsage(r.value));
  }, [api]);
  if (!usage) return <p role="status">Loading usage…</p>;
  return (
    <section aria-labelledby="usage-title">
      <h3 id="usage-title">Token usage and cost</h3>
      <p data-testid="usage-total">
        Total: {usage.totalTokens.toLocaleString()} tokens, ${usage.totalCost.toFixed(4)}
      </p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Scrollable table">
        <table>
          <caption>By exam and model</caption>
          <thead>
            <tr>
              <th scope="col">exam</th>
              <th scope="col">model</th>
              <th scope="col">requests</th>
              <th scope="col">tokens</th>
              <th scope="col">cost</th>
            </tr>
          </thead>
          <tbody>
            {usage.byExam.map((r, i) => (
              <tr key={i}>
                <td>{cellText(r.exam_title)}</td>
                <td>{cellText(r.model)}</td>
                <td>{cellText(r.requests)}</td>
                <td>{cellText(r.total_tokens)}</td>
                <td>${Number(r.cost).toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Retention({ api }: { api: ConsoleApi }) {
  const [receipt, setReceipt] = useState<CallResponse<'adminPurge'> | undefined>();
  const [confirmed, setConfirmed] = useState(false);
  const [message, setMessage] = useState('');
  const run = async (dryRun: boolean) => {
    const r = await api.adminPurge({ dryRun });
    if (r.ok) {
      setReceipt(r.value);
      setMessage(`${dryRun ? 'Would delete' : 'Deleted'} ${r.value.sessions.length} sessions.`);
    } else setMessage(r.error.message);
    setConfirmed(false);
  };
  return (
    <section aria-labelledby="retention-title">
      <h3 id="retention-title">Retention</h3>
      <p>
        Sessions older than their exam&apos;s retention are deleted with their evidence, here and on the
        server.
      </p>
      <button type="button" onClick={() => void run(true)}>
        Dry run
      </button>{' '}
      <label>
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> I have
        checked the dry run
      </label>{' '}
      <button type="button" className="danger" disabled={!confirmed} onClick={() => void run(false)}>
        Purge now
      </button>
      <p role="status">{message}</p>
      {receipt && (
        <pre className="receipt" data-testid="receipt">
          {JSON.stringify({ ...receipt, files: receipt.files.length }, null, 2)}
        </pre>
      )}
    </section>
  );
}

export function AdminConsole({ api }: { api: ConsoleApi }) {
  const [who, setWho] = useState<Reviewer | null | undefined>();
  const [tab, setTab] = useState<Tab>('Lists');
  useEffect(() => {
    void api.consoleWhoAmI({}).then((r) => setWho(r.ok ? r.value : null));
  }, [api]);
  if (who === undefined) return <p role="status">Checking sign-in…</p>;
  if (!who) return <SignIn api={api} title="Administrator sign-in" onSignedIn={setWho} />;
  return (
    <section className="panel console-wide" aria-labelledby="admin-title">
      <h2 id="admin-title">Administration</h2>
      <p className="signed-in">
        Signed in as <strong>{who.name || who.pgRole}</strong> ({who.role})
      </p>
      <nav className="tabs" aria-label="Administration sections">
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            aria-pressed={t === tab}
            className={t === tab ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {t}
          </button>
        ))}
      </nav>
      {tab === 'Lists' && <Lists api={api} />}
      {tab === 'Exams' && <Exams api={api} />}
      {tab === 'Enrollment' && <Enrollment api={api} />}
      {tab === 'Staff' && <Staff api={api} />}
      {tab === 'Usage' && <Usage api={api} />}
      {tab === 'Retention' && <Retention api={api} />}
    </section>
  );
}
