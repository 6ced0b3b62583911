import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { PassThrough } from "node:stream";
import { createProgress } from "../src/progress.js";

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe("progress", () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("draws a bar with entries/s and ETA on a terminal", () => {
    jest.useFakeTimers({ now: 0 });
    const { stream, text } = capture(true);
    const progress = createProgress(stream, 1_000);
    jest.setSystemTime(2_000);
    progress.update(500);
    progress.stop();
    expect(text()).toMatch(/50% \| 500\/1000 entries \| 250 entries\/s \| ETA \d+s/);
  });

  it("writes a plain line at most once a second elsewhere", () => {
    jest.useFakeTimers({ now: 0 });
    const { stream, text } = capture(false);
    const progress = createProgress(stream, undefined);
    progress.update(10);
    jest.setSystemTime(1_000);
    progress.update(3_000);
    jest.setSystemTime(1_500);
    progress.update(4_000);
    progress.stop();
    expect(text()).toBe("progress: 3000 entries, 3000 entries/s\n");
  });
});
