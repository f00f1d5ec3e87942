import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedDemo, type DemoSeed } from '../../src/demo/demo-seed';
import type { Env } from '../../src/config/app.config';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

/** Debian's Chromium (.ci/run installs it); playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const ROOT = join(__dirname, '..', '..');
/** Every run's screenshots (ignored by git). */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'dashboards');
/** The README's set, refreshed only with CONCORD_UPDATE_SCREENSHOTS=1 (so a test run leaves the tree clean). */
export const DOCS_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

export interface DashboardHarness {
  /** The API, listening on 127.0.0.1 (no processors). */
  api: TestApp;
  /** The worker (in a second app on the same queues), null while stopped. */
  worker: TestApp | null;
  baseUrl: string;
  browser: Browser;
  demo: DemoSeed;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** A batch is finished for the dashboards once it failed, or completed with its verdict. */
export const finished = (batch: { status: string; verdict?: unknown }): boolean =>
  batch.status === 'failed' || (batch.status === 'completed' && batch.verdict !== 'pending');

/**
 * The API on a real port, the worker beside it (separately, so a test can stop it and watch a batch
 * wait), the demo project and batch seeded through src/demo and analysed, and Chromium. `env`
 * overrides the environment of both apps.
 */
export async function startDashboardHarness(options: { env?: Env } = {}): Promise<DashboardHarness> {
  const api = await createTestApp({ worker: false, ...options });
  await api.app.listen(0, '127.0.0.1');
  const { port } = api.app.getHttpServer().address() as AddressInfo;
  const harness: DashboardHarness = {
    api,
    worker: null,
    baseUrl: `http://127.0.0.1:${port}`,
    browser: undefined as unknown as Browser,
    demo: undefined as unknown as DemoSeed,
    async startWorker() {
      harness.worker ??= await createTestApp({ worker: true, ...options });
    },
    async stopWorker() {
      await harness.worker?.close();
      harness.worker = null;
    },
    async close() {
      await harness.browser?.close();
      await harness.stopWorker();
      await api.close();
    },
  };
  await harness.startWorker();
  harness.demo = await seedDemo(api.app);
  await waitForBatch(api.agent, harness.demo.batchId, api.adminKey, { until: finished, timeoutMs: 180_000, pollMs: 200 });
  harness.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return harness;
}

/**
 * Saves a screenshot under test/artifacts/ (and docs/screenshots/ when asked): the full page, or
 * only the element `selector` names.
 */
export async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  const paths = [join(ARTIFACTS, `${name}.png`)];
  if (process.env.CONCORD_UPDATE_SCREENSHOTS === '1') paths.push(join(DOCS_SCREENSHOTS, `${name}.png`));
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true });
    if (selector === undefined) await page.screenshot({ path, fullPage: true });
    else await page.locator(selector).screenshot({ path });
  }
}

/** The data a chart registered (window.__charts[name]) once it is drawn. */
export async function chartData<T = ChartEntry>(page: Page, name: string): Promise<T> {
  // Functions run in the page (the pages' CSP forbids evaluating strings); `globalThis` is the
  // window there, typed by hand as the tests are type-checked without the DOM library.
  await page.waitForFunction((chart) => (globalThis as unknown as ChartWindow).__charts?.[chart] !== undefined, name);
  return page.evaluate((chart) => (globalThis as unknown as ChartWindow).__charts![chart], name) as Promise<T>;
}

/** What the dashboards put on `window` for tests. */
export interface ChartWindow {
  __charts?: Record<string, unknown>;
}

export interface ChartEntry {
  kind: string;
  labels: string[];
  datasets: Array<{ label: string; type: string; data: unknown[] }>;
}

export interface MatrixEntry {
  kind: 'matrix';
  rows: string[];
  columns: string[];
  values: Array<Array<number | null>>;
}
