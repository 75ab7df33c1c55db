// The risk-ranked review queue: riskiest sessions first, each score explained by the flags behind
// it, with filters, candidate search and keyset paging. Keyboard: j/k or arrows move, Enter opens,
// n/p next/previous page, / searches.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CallRequest, CallResponse } from '../../src-preload/contract';
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { warningTypes } from '../../src-preload/vocabulary';
import { isTyping, label } from './keys';

type Page = CallResponse<'reviewQueue'>;
type Filter = CallRequest<'reviewQueue'>;

export function Queue({ api, onOpen }: { api: ConsoleApi; onOpen: (sessionId: string) => void }) {
  const [filter, setFilter] = useState<Filter>({});
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [selected, setSelected] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const rowRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const cursor = cursors.at(-1);
  useEffect(() => {
    let live = true;
    void api.reviewQueue({ ...filter, ...(cursor ? { cursor } : {}) }).then((result) => {
      if (!live) return;
      if (result.ok) {
        setPage(result.value);
        setError(undefined);
        setSelected(0);
      } else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [api, filter, cursor]);

  const update = (change: Partial<Filter>) => {
    setCursors([]);
    setFilter((f) => {
      const next: Record<string, unknown> = { ...f, ...change };
      for (const [k, v] of Object.entries(next)) if (v === '' || v === undefined) delete next[k];
      return next;
    });
  };

  const rows = useMemo(() => page?.rows ?? [], [page]);
  const move = useCallback(
    (delta: number) => {
      setSelected((s) => {
        const next = Math.min(Math.max(s + delta, 0), Math.max(rows.length - 1, 0));
        rowRefs.current[next]?.focus();
        return next;
      });
    },
    [rows.length],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'j' || event.key === 'ArrowDown') move(1);
      else if (event.key === 'k' || event.key === 'ArrowUp') move(-1);
      else if (event.key === 'Enter' && rows[selected]) onOpen(rows[selected].sessionId);
      else if (event.key === 'n' && page?.nextCursor) setCursors((c) => [...c, page.nextCursor!]);
      else if (event.key === 'p' && cursors.length) setCursors((c) => c.slice(0, -1));
      else if (event.key === '/') searchRef.current?.focus();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, rows, selected, page, cursors.length, onOpen]);

  return (
    <section aria-labelledby="queue-title" className="panel console-wide">
      <h2 id="queue-title">Review queue</h2>
      <p className="hint">
        Riskiest first. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>n</kbd>/<kbd>p</kbd>{' '}
        page, <kbd>/</kbd> search.
      </p>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Queue filters">
        <label>
          Candidate
          <input
            ref={searchRef}
            type="search"
            placeholder="name or e-mail"
            onChange={(e) => update({ search: e.target.value })}
          />
        </label>
        <label>
          Flag
          <select onChange={(e) => update({ warningType: e.target.value })} defaultValue="">
            <option value="">any</option>
            {warningTypes.map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Review
          <select
            onChange={(e) => update({ reviewState: (e.target.value || undefined) as Filter['reviewState'] })}
            defaultValue=""
          >
            <option value="">any</option>
            <option value="pending">not reviewed</option>
            <option value="in_review">in review</option>
            <option value="decided">decided</option>
          </select>
        </label>
        <label>
          Status
          <select
            onChange={(e) => update({ status: (e.target.value || undefined) as Filter['status'] })}
            defaultValue=""
          >
            <option value="">any</option>
            <option value="completed">completed</option>
            <option value="in_progress">in progress</option>
            <option value="abandoned">abandoned</option>
            <option value="terminated">terminated</option>
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            onChange={(e) =>
              update({ from: e.target.value ? new Date(e.target.value).toISOString() : undefined })
            }
          />
        </label>
        <label>
          To
          <input
            type="date"
            onChange={(e) =>
              update({
                to: e.target.value
                  ? new Date(new Date(e.target.value).getTime() + 86_400_000).toISOString()
                  : undefined,
              })
            }
          />
        </label>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ol className="queue" aria-label="Sessions by risk" data-testid="queue">
        {rows.map((row, i) => (
          <li key={row.sessionId}>
            <button
              type="button"
              ref={(el) => {
                rowRefs.current[i] = el;
              }}
              className={i === selected ? 'queue-row selected' : 'queue-row'}
              aria-current={i === selected ? 'true' : undefined}
              onClick={() => onOpen(row.sessionId)}
              onFocus={() => setSelected(i)}
            >
              <span
                className={row.riskSource === 'device' ? 'risk advisory' : 'risk'}
                aria-label={`risk ${row.riskScore ?? 'not scored'}${row.riskSource === 'device' ? ' (device, advisory)' : ''}`}
                title={
                  row.riskSource === 'device'
                    ? 'Computed on the candidate’s device: advisory until the server scores the session'
                    : undefined
                }
              >
                {row.riskScore === null ? '—' : Math.round(row.riskScore)}
                {row.riskSource === 'device' && <sup aria-hidden="true">*</sup>}
              </span>
              <span className="who">
                <strong>{row.candidateName || row.candidateEmail}</strong>
                <span className="muted">
                  {row.examTitle} · {new Date(row.startedAt).toLocaleString()} · {row.status}
                </span>
              </span>
              <span className="flags">
                {row.flags.length === 0
                  ? 'no flags'
                  : row.flags.map((f) => `${label(f.type)} ×${f.count}`).join(', ')}
              </span>
              <span className={`state state-${row.reviewState}`}>
                {row.decision ?? row.reviewState.replace('_', ' ')}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {page && rows.length === 0 && <p>No sessions match.</p>}
      <nav className="pager" aria-label="Queue pages">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor!])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
