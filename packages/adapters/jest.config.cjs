const base = require("../../jest.config.base.cjs");

// arktype (and its @ark/* and arkregex packages) ship ES modules only, which Jest's CommonJS runtime cannot require: compile them too.
module.exports = {
  ...base,
  transform: {
    ...base.transform,
    "^.+\\.js$": ["ts-jest", { tsconfig: { allowJs: true, module: "commonjs", moduleResolution: "node10", target: "ES2022", isolatedModules: true } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(arktype|arkregex|@ark)/)"],
};
