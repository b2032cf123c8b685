/**
 * What every page is held to: no serious axe-core violation, nothing wider
 * than the screen, and a screenshot at phone and desktop width in
 * test-artifacts/ for a person to look at.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifact, DESKTOP, PHONE } from './harness';

const axeSource = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

interface AxeReport {
  readonly page: string;
  readonly violations: { id: string; impact: string | null; help: string; nodes: number }[];
}

/** Every axe result of this test file, written out by writeAxeReport. */
const axeReports: AxeReport[] = [];

export async function shoot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  const width = size === null ? 'x' : size.width <= 400 ? 'phone' : 'desktop';
  await page.screenshot({ path: artifact(`${name}-${width}.png`), fullPage: true });
  // Nothing may stick out sideways: at 360 px the page must not scroll horizontally.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} is wider than the ${width} screen`).toBeLessThanOrEqual(0);
}

/** Screenshots of the page at both widths, then back to the width it had. */
export async function shootBoth(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await shoot(page, name);
  }
  if (before !== null) await page.setViewportSize(before);
}

export async function axe(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  axeReports.push({ page: name, violations: result });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${name}: ${JSON.stringify(serious)}`).toEqual([]);
}

/** One report per test file, so that files running side by side do not overwrite each other's. */
export function writeAxeReport(file: string): void {
  if (axeReports.length > 0) fs.writeFileSync(artifact(`axe-report-${file}.json`), `${JSON.stringify(axeReports, null, 2)}\n`);
}
