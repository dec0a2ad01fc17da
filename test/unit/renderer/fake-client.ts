/** An in-memory ApiClient for renderer tests: scripted method handlers, recorded calls, emitters. */
import type { ApiClient, EventName, Events, FrameMessage, MethodName, Params, Results } from '../../../src/shared/api';

type Handler<M extends MethodName> = (params: Params<M>) => Results[M] | Promise<Results[M]>;
export type Handlers = { [M in MethodName]?: Handler<M> };

export interface Call {
  method: MethodName;
  params: unknown;
}

export class FakeClient implements ApiClient {
  readonly calls: Call[] = [];
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly frameListeners = new Set<(frame: FrameMessage) => void>();

  constructor(public handlers: Handlers = {}) {}

  async invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
    this.calls.push({ method, params });
    const handler = this.handlers[method] as Handler<M> | undefined;
    if (!handler) throw new Error(`FakeClient: no handler for ${method}`);
    // Real transports serialize: hand out a copy so tests cannot share objects with the UI.
    return structuredClone(await handler(params));
  }

  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler as (data: never) => void);
    return () => set.delete(handler as (data: never) => void);
  }

  onFrame(handler: (frame: FrameMessage) => void): () => void {
    this.frameListeners.add(handler);
    return () => this.frameListeners.delete(handler);
  }

  emit<E extends EventName>(event: E, data: Events[E]): void {
    for (const h of this.listeners.get(event) ?? []) (h as (d: Events[E]) => void)(data);
  }

  emitFrame(frame: FrameMessage): void {
    for (const h of this.frameListeners) h(frame);
  }

  callsTo(method: MethodName): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }
}
