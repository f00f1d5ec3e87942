// The e2e tests boot Nest apps and wait for jobs: jest's 5 s default is too short for their hooks.
jest.setTimeout(60_000);
