/** Shared Jest setup: TypeScript through ts-jest (transpile only; `tsc` type-checks separately). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: { module: "commonjs", moduleResolution: "node10", target: "ES2022", isolatedModules: true } }],
  },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30000,
  reporters: ["default", require.resolve("./tooling/jest/results-reporter.cjs")],
};
