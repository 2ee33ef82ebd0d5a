/** One attempt's clock and cancellation (a call's `timeout` as a deadline, a stream's longest
 * silence, the caller's `AbortSignal`) over an `AbortController`, and the abortable sleep between
 * attempts. */

import { TransportError } from "./errors.js";

/** Why an attempt was aborted: its clock ran out, or the caller's signal fired. */
export const DEADLINE = Symbol("deadline");
export const CALLER = Symbol("caller");

/** One attempt's abort controller: the deadline (or idle) timer and the caller's signal. */
export class Attempt {
  readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCaller = (): void => this.controller.abort(CALLER);

  constructor(
    private readonly ms: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal?.aborted) this.controller.abort(CALLER);
    signal?.addEventListener("abort", this.onCaller, { once: true });
    this.arm();
  }

  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(DEADLINE), this.ms);
  }

  disarm(): void {
    clearTimeout(this.timer);
  }

  get reason(): unknown {
    return this.controller.signal.aborted ? (this.controller.signal.reason as unknown) : undefined;
  }

  /** Stop the timer, and the request if it is still running. */
  end(): void {
    this.disarm();
    this.signal?.removeEventListener("abort", this.onCaller);
    if (!this.controller.signal.aborted) this.controller.abort();
  }
}

export function sleep(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, seconds * 1000);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function aborted(): TransportError {
  return new TransportError("the call was aborted by its AbortSignal");
}
