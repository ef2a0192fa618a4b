// The page's handle on the worker: one request computed at a time, the latest of each kind waiting
// (typing replaces what has not started), and cancel, which terminates the worker (a run is synchronous,
// so nothing else can stop it at once) and starts a fresh one.
import type { Reply, Request } from './protocol.js';

/** A request before it is given its id. */
export type Unsent = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

type Pending = { request: Request; onReply: (reply: Reply) => void };
/** The replies that end a request (the others report on its way). */
const FINAL = new Set<Reply['type']>(['vocabulary', 'solution', 'worksheet', 'verdicts', 'export', 'failed']);

export class Engine {
  private worker!: Worker;
  private current: Pending | undefined;
  private startedAt = 0;
  private readonly waiting = new Map<string, Pending>();
  private nextId = 1;

  /** `early`: the worker the page's head started loading, if any (index.html). */
  constructor(private readonly url: string, private readonly onBusy: (busy: boolean) => void, early?: Worker) {
    this.start(early);
  }

  private start(early?: Worker): void {
    this.worker = early ?? new Worker(this.url);
    this.worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      if (!this.current || reply.id !== this.current.request.id) return;
      const { onReply } = this.current;
      if (FINAL.has(reply.type)) this.current = undefined;
      onReply(reply);
      if (!this.current) this.next();
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const c = this.current;
      this.current = undefined;
      c?.onReply({ type: 'failed', id: c.request.id, problem: { located: `the worker stopped: ${event.message}`, message: event.message, source: 'run' } });
      this.restart();
    };
  }

  /** Queues a request; one of the same `slot` not yet started is replaced. */
  send(slot: string, request: Unsent, onReply: (reply: Reply) => void): number {
    const id = this.nextId++;
    this.waiting.set(slot, { request: { ...request, id } as Request, onReply });
    if (!this.current) this.next();
    return id;
  }

  /** How long the request being computed has run, in ms (0 when idle). */
  running(): number {
    return this.current ? performance.now() - this.startedAt : 0;
  }

  /** Stops what is being computed and drops what waits; the request's owner hears it was cancelled. */
  cancel(): void {
    const c = this.current;
    this.current = undefined;
    this.waiting.clear();
    this.restart();
    c?.onReply({ type: 'failed', id: c.request.id, problem: { located: 'cancelled', message: 'cancelled', source: 'run' } });
  }

  private restart(): void {
    this.worker.terminate();
    this.start();
    this.onBusy(false);
  }

  private next(): void {
    const [slot, pending] = this.waiting.entries().next().value ?? [];
    if (!slot || !pending) {
      this.onBusy(false);
      return;
    }
    this.waiting.delete(slot);
    this.current = pending;
    this.startedAt = performance.now();
    this.onBusy(true);
    this.worker.postMessage(pending.request);
  }
}
