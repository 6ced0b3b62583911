import { SingleBar } from "cli-progress";
import type { OutputStream } from "./io.js";

/** How a long copy shows that it is moving. */
export interface Progress {
  /** Entries handled so far: copied, skipped and failed. */
  update(done: number): void;
  stop(): void;
}

/** Plain progress lines at most this often, for logs and pipes. */
const LINE_INTERVAL_MS = 1_000;

/** A bar with entries/s and ETA on a terminal; elsewhere a plain line per second. */
export function createProgress(stream: OutputStream, total: number | undefined): Progress {
  return stream.isTTY === true && total !== undefined ? new BarProgress(stream, total) : new LineProgress(stream);
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private readonly started = Date.now();

  constructor(stream: OutputStream, total: number) {
    this.bar = new SingleBar({
      stream,
      format: "{bar} {percentage}% | {value}/{total} entries | {speed} entries/s | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 50,
    });
    this.bar.start(total, 0, { speed: 0 });
  }

  update(done: number): void {
    this.bar.update(done, { speed: entriesPerSecond(done, this.started) });
  }

  stop(): void {
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly started = Date.now();
  private lastLine = this.started;

  constructor(private readonly stream: OutputStream) {}

  update(done: number): void {
    const now = Date.now();
    if (now - this.lastLine < LINE_INTERVAL_MS) return;
    this.lastLine = now;
    this.stream.write(`progress: ${done} entries, ${entriesPerSecond(done, this.started)} entries/s\n`);
  }

  stop(): void {}
}

function entriesPerSecond(done: number, started: number): number {
  return Math.round((done * 1000) / Math.max(1, Date.now() - started));
}
