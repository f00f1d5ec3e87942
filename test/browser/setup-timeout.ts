// Browser tests boot the API and worker, seed the demo batch and drive Chromium: generous timeouts.
jest.setTimeout(120_000);
