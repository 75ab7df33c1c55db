import { useEffect, useRef, type ReactNode } from 'react';

/** A screen with one heading that receives focus when the screen appears (screen readers announce it). */
export function Screen({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [title]);
  return (
    <section className="panel" aria-labelledby="screen-title" data-testid={testId}>
      <h2 id="screen-title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      {children}
    </section>
  );
}

export function ErrorText({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
