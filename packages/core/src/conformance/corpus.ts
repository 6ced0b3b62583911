import type { JsonObject } from "../types.js";

/** Values every store must return deep-equal to what was put. */
export const VALUE_CORPUS: readonly (readonly [string, JsonObject])[] = [
  ["empty object", {}],
  ["flat", { name: "Alice", age: 30, admin: false, manager: null }],
  ["nested", { a: { b: { c: { d: { e: [1, [2, [3, { f: "deep" }]]] } } } } }],
  ["arrays", { empty: [], mixed: [1, "two", true, null, { three: 3 }, [4]] }],
  ["unicode", { text: "ünïcödé 日本語 中文 한국어 עברית العربية 🎉👩‍👩‍👧‍👦", "键": "值", "🔑": "🗝️" }],
  ["escapes", { quote: '"', backslash: "\\", slash: "/", newline: "a\nb\r\nc", tab: "\t", nul: "\u0000", bell: "\u0007", ls: "\u2028\u2029" }],
  ["integers", { zero: 0, one: 1, minusOne: -1, maxSafe: Number.MAX_SAFE_INTEGER, minSafe: Number.MIN_SAFE_INTEGER }],
  ["floats", { half: 0.5, third: 1 / 3, tiny: 5e-324, small: 1e-7, big: 1e21, max: Number.MAX_VALUE, negative: -2.5e-10 }],
  ["empty strings and keys", { "": "", " ": " ", empty: "" }],
  ["awkward property names", { __proto__x: 1, constructor: "c", toString: "t", hasOwnProperty: "h", "a.b": 1, "a::b": 2, "$where": 3 }],
  ["integer-like property names", { "2": "two", "10": "ten", "1": "one", b: "b", a: "a" }],
  ["booleans and nulls", { t: true, f: false, n: null, list: [true, false, null] }],
  ["long string", { text: "x".repeat(100_000) }],
  ["many properties", Object.fromEntries(Array.from({ length: 1_000 }, (_, index) => [`p${index}`, index]))],
  ["deep nesting", JSON.parse(`${'{"n":'.repeat(64)}1${"}".repeat(64)}`) as JsonObject],
  ["a __proto__ property", JSON.parse('{"__proto__":{"polluted":true},"a":1}') as JsonObject],
  ["envelope look-alike", { value: { value: 1 }, created_at: "not a date", expires_at: "2000-01-01T00:00:00+00:00", version: 99, key: "k", collection: "c" }],
];

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function cyclicObject(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

function cyclicArray(): unknown {
  const list: unknown[] = [1];
  list.push(list);
  return { list };
}

/** Inputs that `put` must refuse with `SerializationError` before writing anything. */
export const BAD_VALUES: readonly (readonly [string, () => unknown])[] = [
  ["an array at the top", () => [1, 2, 3]],
  ["a string at the top", () => "text"],
  ["a number at the top", () => 42],
  ["null at the top", () => null],
  ["undefined at the top", () => undefined],
  ["a boolean at the top", () => true],
  ["undefined as a property value", () => ({ a: undefined })],
  ["undefined as an array element", () => ({ a: [1, undefined, 3] })],
  ["a function", () => ({ f: () => 1 })],
  ["a symbol", () => ({ s: Symbol("s") })],
  ["a bigint", () => ({ n: BigInt(1) })],
  ["NaN", () => ({ n: Number.NaN })],
  ["Infinity", () => ({ n: Number.POSITIVE_INFINITY })],
  ["-Infinity", () => ({ n: Number.NEGATIVE_INFINITY })],
  ["a Date", () => ({ d: new Date(0) })],
  ["a Date at the top", () => new Date(0)],
  ["a Map", () => ({ m: new Map([["a", 1]]) })],
  ["a Set", () => ({ s: new Set([1]) })],
  ["a Buffer", () => ({ b: Buffer.from("abc") })],
  ["a Uint8Array", () => ({ b: new Uint8Array([1, 2]) })],
  ["a class instance", () => ({ p: new Point(1, 2) })],
  ["a class instance at the top", () => new Point(1, 2)],
  ["an object with a custom prototype", () => ({ o: Object.create({ inherited: 1 }) as object })],
  ["a regular expression", () => ({ r: /x/ })],
  ["an Error", () => ({ e: new Error("x") })],
  ["a boxed string", () => ({ s: new String("x") })],
  // eslint-disable-next-line no-sparse-arrays -- a hole is exactly what this case needs
  ["a sparse array", () => ({ a: [1, , 3] })],
  ["a cyclic object", cyclicObject],
  ["a cycle through an array", cyclicArray],
  ["a lone surrogate in a string", () => ({ s: "a\uD800b" })],
  ["a lone surrogate in a property name", () => ({ ["\uDC00"]: 1 })],
  ["a symbol-keyed property", () => ({ [Symbol("k")]: 1, a: 1 })],
];

/** Names every store must hold as keys and as collections, up to 1,000 characters, whatever the characters. */
export const ANY_NAMES: readonly string[] = [
  "plain",
  "with space",
  " leading and trailing ",
  "/",
  "a/b/c",
  "\\",
  "a\\b",
  ".",
  "..",
  "../../etc/passwd",
  "::",
  "a::b",
  "a:b",
  ":::",
  "#",
  "?",
  "%",
  "%2F",
  "a*b",
  "<>|\"'`",
  "\u0000",
  "tab\there",
  "line\nbreak",
  "\u0001\u001f\u007f",
  "🎉",
  "👩‍👩‍👧‍👦 family",
  "日本語のキー",
  "ключ",
  "H_abc",
  "S_abc",
  "S_test_key-a2bc4860",
  "CON",
  "nul.txt",
  "key.json",
  ".tmp-123",
  "-leading-dash",
  "Key",
  "key",
  "KEY",
  "x".repeat(250),
  "y".repeat(1_000),
  "é".repeat(1_000),
  "🎉".repeat(500),
];

/** Keys and collections that every method must refuse with `InvalidKeyError`. */
export const INVALID_NAMES: readonly (readonly [string, unknown])[] = [
  ["the empty string", ""],
  ["a lone high surrogate", "a\uD800"],
  ["a lone low surrogate", "\uDC00b"],
  ["a number", 42],
  ["null", null],
  ["an object", { key: "k" }],
];

/** TTLs that `put` and `putMany` must refuse with `InvalidTtlError`. */
export const INVALID_TTLS: readonly (readonly [string, unknown])[] = [
  ["zero", 0],
  ["a negative number", -1],
  ["negative zero", -0],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["a string", "10"],
  ["a boolean", true],
  ["null", null],
  ["an object", { seconds: 1 }],
  ["past year 9999", 1e300],
];
