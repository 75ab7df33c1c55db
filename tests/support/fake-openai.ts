// A local HTTP server speaking the parts of the OpenAI API Vigil uses: chat completions with
// json_schema output and usage, audio transcriptions, and the failure modes a real provider shows
// (429 with Retry-After, 500, slow responses, malformed JSON). Tests script each response; nothing
// reaches the internet.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeReply =
  | {
      kind: 'chat';
      content: unknown;
      usage?: { prompt_tokens: number; completion_tokens: number };
      model?: string;
    }
  | { kind: 'transcription'; text: string; usage?: Record<string, unknown> }
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'malformed-body' }
  | { kind: 'slow'; delayMs: number; then: FakeReply }
  /** Held until the test releases it (orders the reply after something the test checks first). */
  | { kind: 'held'; until: Promise<void>; then: FakeReply };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface FakeOpenAI {
  /** Base URL to give the SDK (ends in /v1). */
  baseURL: string;
  requests: RecordedRequest[];
  /** Replies used in order for the next requests to each endpoint; then the default is used. */
  script(endpoint: 'chat' | 'transcription', ...replies: FakeReply[]): void;
  setDefault(endpoint: 'chat' | 'transcription', reply: (req: RecordedRequest) => FakeReply): void;
  /** TCP connections accepted so far (shows whether clients keep connections alive). */
  connections(): number;
  close(): Promise<void>;
}

let completionCounter = 0;

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queues: Record<'chat' | 'transcription', FakeReply[]> = { chat: [], transcription: [] };
  const defaults: Record<'chat' | 'transcription', (req: RecordedRequest) => FakeReply> = {
    chat: () => ({ kind: 'status', status: 500, message: 'no reply scripted' }),
    transcription: () => ({ kind: 'transcription', text: '' }),
  };
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: http.ServerResponse, reply: FakeReply, req: RecordedRequest): void => {
    switch (reply.kind) {
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send(res, reply.then, req);
        }, reply.delayMs);
        timers.add(timer);
        return;
      }
      case 'held':
        void reply.until.then(() => {
          if (!res.destroyed) send(res, reply.then, req);
        });
        return;
      case 'status':
        res.writeHead(reply.status, {
          'content-type': 'application/json',
          ...(reply.retryAfter !== undefined ? { 'retry-after': reply.retryAfter } : {}),
        });
        res.end(
          JSON.stringify({ error: { message: reply.message ?? `status ${reply.status}`, type: 'fake' } }),
        );
        return;
      case 'malformed-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-broken", "choices": [');
        return;
      case 'transcription':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: reply.text, ...(reply.usage ? { usage: reply.usage } : {}) }));
        return;
      case 'chat': {
        const body = req.json as { model?: string } | null;
        const usage = reply.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
        const content = typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-fake-${++completionCounter}`,
            object: 'chat.completion',
            created: 1_700_000_000,
            model: reply.model ?? body?.model ?? 'fake-model',
            choices: [
              { index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } },
            ],
            usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
          }),
        );
        return;
      }
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      let json: unknown = null;
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
      };
      requests.push(recorded);
      const endpoint = recorded.path.endsWith('/chat/completions')
        ? 'chat'
        : recorded.path.endsWith('/audio/transcriptions')
          ? 'transcription'
          : null;
      if (!endpoint) {
        res.writeHead(404).end();
        return;
      }
      send(res, queues[endpoint].shift() ?? defaults[endpoint](recorded), recorded);
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (endpoint, ...replies) => queues[endpoint].push(...replies),
    setDefault: (endpoint, reply) => {
      defaults[endpoint] = reply;
    },
    connections: () => connections,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
