// Typed events from main to every connected renderer. Payloads are validated on emit so a bug in a
// service cannot push a malformed event to the UI.
import { events, type EventName, type EventPayload } from '../../src-preload/contract';

export type EventSink = (event: EventName, payload: unknown) => void;

export class EventBus {
  private readonly sinks = new Set<EventSink>();

  /** Transports attach here; returns a detach function. */
  attach(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload);
    for (const sink of this.sinks) sink(event, checked);
  }
}
