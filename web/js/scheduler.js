// When the core runs: edits coalesced into runs, a slow run split into tasks, stale runs
// dropped, and the timing marks of the browser tests. All of the playground's scheduling is
// here; the Rust app (web/src/app.rs) only does a run's work, in the tasks this hands it
// (`later`), and keeps its own count of runs to drop what a newer run replaced.

/** Keys closer than this (ms) are typing that goes on; a key after a longer pause starts a run. */
const TYPING_MS = 150;

/** A core that typically takes less than this (ms) runs in the edit's own task. */
const INSTANT_MS = 8;

/** `postTask`'s queue. */
const tasks = [];
const taskChannel = new MessageChannel();
taskChannel.port1.onmessage = () => tasks.shift()();

/** Runs `f` in a task of its own, after the tasks already queued (input first): a
 * MessageChannel message, as a chain of `setTimeout(0)` waits 4 ms per task from its fifth. */
export function postTask(f) {
  tasks.push(f);
  taskChannel.port2.postMessage(0);
}

/** Marks that the results of the latest edit are in the DOM (for performance tests). */
export function markResults() {
  performance.mark("sc:results");
}

/** Measures a phase of the app's work on an edit (`sc:load`, `sc:analyze`, `sc:panel`):
 * its start and its own time (a load read in several tasks counts only its slices). */
export function phase(name, start, duration) {
  performance.measure("sc:" + name, { start, duration });
}

export class Scheduler {
  /** `run()` runs the core on the current text (the app's `on_text`). */
  constructor(run) {
    this.run = run;
    this.pending = false;
    /** Cancels the scheduled run, if any. */
    this.cancel = null;
    /** How long the last runs took, from the edit flushed to its results (ms). */
    this.costs = [];
    /** The last cost is the first task of a run still going on. */
    this.provisional = false;
    /** A frame's callback is running the core (`schedule`). */
    this.inFrame = false;
    this.waiters = [];
    this.lastEdit = -Infinity;
    /** When the oldest edit not yet in the results came (0: none waits). */
    this.waitingSince = 0;
    this.runStart = 0;
    /** The current run was forced by an edit waiting too long: it is not dropped. */
    this.forced = false;
    /** A run deferred until the one in progress ends (whether forced), or null. */
    this.next = null;
    this.work = 0;
    this.measuring = false;
  }

  // Coalesces edits into runs of the core (`run`).
  // A fast core (the median of the last runs under `INSTANT_MS`: the seed examples) runs at the
  // end of the edit's task, so the edit and its results are painted in one frame; one within a
  // frame's budget runs once per frame, just before it is painted. A slow one (a large mesh: a
  // run takes several tasks, `beginWork`, the load alone in 8 ms slices) must not come between
  // keys and their frames:
  //  - the first edit after a pause in typing starts a run right after its own frame is
  //    painted: a single change shows its results as soon as the core can give them. The price:
  //    when it is the first key of a fast burst, the second key waits for the task of the run
  //    that is going on (waiting 50 ms for a second key before starting was measured: every edit
  //    pays the wait, and keys did not clearly gain);
  //  - an edit while typing goes on waits for a pause as long as a run, and what is left of the
  //    run it interrupts is dropped (`stale()`), so a key waits for one task of the core at most;
  //  - but an edit that has waited half a second forces a run that is not dropped: results
  //    still follow continuous typing.
  schedule() {
    const now = performance.now();
    const quiet = now - this.lastEdit;
    this.lastEdit = now;
    const idle = !this.pending && !this.work;
    if (!this.pending) {
      performance.mark("sc:edit");
      this.measuring = true;
    }
    if (!this.waitingSince) this.waitingSince = now;
    this.pending = true;
    const cost = this.typicalCost();
    if (cost <= INSTANT_MS) {
      // At the end of this task, before the edit's frame: the edit and its results show in one.
      if (!this.cancel) {
        let live = true;
        queueMicrotask(() => live && this.flush(false));
        this.cancel = () => (live = false);
      }
      return;
    }
    if (cost <= 16) {
      if (!this.cancel) {
        const id = requestAnimationFrame(() => {
          this.inFrame = true;
          this.flush(false);
          this.inFrame = false;
        });
        this.cancel = () => cancelAnimationFrame(id);
      }
      return;
    }
    this.cancel?.();
    if (idle && quiet >= TYPING_MS) {
      // After this frame: a task queued by the frame's own callback runs once it is painted.
      let timer = 0;
      const id = requestAnimationFrame(() => (timer = setTimeout(() => this.flush(false), 0)));
      this.cancel = () => (cancelAnimationFrame(id), clearTimeout(timer));
      return;
    }
    const forced = now - this.waitingSince >= 500;
    const timer = setTimeout(() => this.flush(forced), forced ? 0 : Math.min(300, Math.max(50, cost)));
    this.cancel = () => clearTimeout(timer);
  }

  /** The run in progress is for an older text and may be dropped: the app asks between tasks. */
  stale() {
    return this.pending && !this.forced;
  }

  /** The median of the last runs (the largest while there are fewer than three). */
  typicalCost() {
    if (this.costs.length < 3) return Math.max(0, ...this.costs);
    const sorted = [...this.costs].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  /** Resolves once the results of every edit so far are computed (for tests and tools). */
  idle() {
    if (!this.pending && !this.work) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The app finishes this edit's results in later tasks (a large input); see `endWork`. */
  beginWork() {
    this.work++;
  }

  endWork() {
    this.work = Math.max(0, this.work - 1);
    if (this.work) return;
    const next = this.next;
    this.next = null;
    if (!this.pending) {
      this.finished();
    } else if (next !== null && !this.cancel) {
      // The run deferred by `flush`, unless a newer edit scheduled its own since.
      const timer = setTimeout(() => this.flush(next), 0);
      this.cancel = () => clearTimeout(timer);
    }
  }

  flush(forced) {
    this.cancel = null;
    if (!this.pending) return;
    if (this.work) {
      // A run is in progress (its rest dropped if stale): this one starts when it ends.
      this.next = forced || this.next === true;
      return;
    }
    this.pending = false;
    this.forced = forced;
    // A forced run is never dropped: the edits so far no longer wait.
    if (forced) this.waitingSince = 0;
    this.runStart = performance.now();
    this.run();
    if (!this.work) {
      this.finished();
      return;
    }
    // The app goes on in later tasks: the core is slow. Until the run ends (it may be dropped),
    // its first task stands for its cost.
    this.record(performance.now() - this.runStart);
    this.provisional = true;
  }

  record(cost) {
    if (this.provisional) this.costs.pop();
    this.provisional = false;
    this.costs.push(cost);
    if (this.costs.length > 5) this.costs.shift();
  }

  /** The results of the latest edit are computed: timing marks, and `idle()` resolves. */
  finished() {
    if (this.runStart) {
      this.record(performance.now() - this.runStart);
      this.runStart = 0;
    }
    this.waitingSince = 0;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
    // Only edits are measured (not the first text, nor a proxy picked in a panel).
    if (!this.measuring) return;
    this.measuring = false;
    performance.measure("sc:edit-to-results", "sc:edit");
    // The panels' DOM updates follow in microtasks, the next frame is painted, then the measure
    // (a task queued by a frame's callback runs once that frame is painted).
    const measure = () => setTimeout(() => performance.measure("sc:edit-to-paint", "sc:edit"), 0);
    if (this.inFrame) measure();
    else requestAnimationFrame(measure);
  }

  /** Runs `f` in a task of its own, as part of the run in progress (`idle()` waits for it),
   * unless that run is stale by then: a newer edit waits for it to end (`flush`). */
  later(f) {
    this.beginWork();
    postTask(() => {
      try {
        if (!this.stale()) f();
      } finally {
        this.endWork();
      }
    });
  }
}
