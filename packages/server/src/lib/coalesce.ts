/**
 * A background pass that is asked for more often than it can run: a request while a pass runs
 * schedules exactly one more pass after it, and every caller gets the promise of the pass in
 * progress. Used wherever a wake-up (a commit, a notification, a timer) means "look for work".
 */
export class CoalescedPass {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly options: { stopped(): boolean; onError(error: unknown): void },
  ) {}

  /** Runs a pass now, or once more after the one in progress. Never rejects. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.options.stopped());
      } catch (error) {
        this.options.onError(error);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when the pass in progress, if any, has ended. */
  async settled(): Promise<void> {
    await this.running;
  }
}
