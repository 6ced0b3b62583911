import { describe, expect, it } from "@jest/globals";
import { InvalidArgumentError, batched } from "../src/index.js";

async function* numbers(count: number, pulled: number[] = []): AsyncGenerator<number> {
  for (let index = 0; index < count; index += 1) {
    pulled.push(index);
    yield index;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("batched", () => {
  it("groups items into arrays of the size, the last one shorter", async () => {
    await expect(collect(batched(numbers(7), 3))).resolves.toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("yields no batch for an empty source and no empty batch after a full one", async () => {
    await expect(collect(batched(numbers(0), 3))).resolves.toEqual([]);
    await expect(collect(batched(numbers(6), 3))).resolves.toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it("pulls no further than the batch it yields", async () => {
    const pulled: number[] = [];
    const batches = batched(numbers(100, pulled), 10);
    await batches.next();
    expect(pulled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await batches.return(undefined);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, "3"])("refuses the size %p with InvalidArgumentError", async (size) => {
    await expect(collect(batched(numbers(3), size as number))).rejects.toThrow(InvalidArgumentError);
  });
});
