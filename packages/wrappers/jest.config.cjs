// The suites mostly wait (expiry, backoff, timeouts) rather than compute, so they run four at a time even on two cores.
module.exports = { ...require("../../jest.config.base.cjs"), maxWorkers: 4 };
