const base = require("../../jest.config.base.cjs");

// Creating an index takes a cluster-state update; the suite creates dozens at once.
module.exports = { ...base, testTimeout: 120000 };
