import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright-core drives it and downloads no browser. */
export const CHROMIUM = process.env.ROSTER_CHROMIUM ?? '/usr/bin/chromium';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../docs/screenshots');

/** Launches headless Chromium; fails, never skips, when it or the built UI is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}, and it is not there. Install it with ` +
        '`apt-get install -y chromium` (bash .ci/run does), or set ROSTER_CHROMIUM to another Chromium.',
    );
  }
  if (!fs.existsSync(WEB_INDEX)) {
    throw new Error(`The web UI is not built (${WEB_INDEX} is missing): run \`npm run build\` first.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Saves what the viewport shows as docs/screenshots/<name>.png, the pictures of the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  });
}

/** Scrolls the page so that the element is at the top of the viewport (for a screenshot of what follows it). */
export async function scrollToTop(element: Locator): Promise<void> {
  await element.evaluate((e) => {
    e.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -16);
  });
}

/**
 * What makes the page wider than its viewport (so it scrolls sideways on a phone): the outermost elements
 * that stick out, as `tag.class`; none when the page fits. Content of a scrolling container does not count.
 */
export function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const out = [...document.body.querySelectorAll('*')].filter(
      (e) => e.getBoundingClientRect().right > root.clientWidth + 0.5,
    );
    return out
      .filter((e) => !out.includes(e.parentElement!))
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`,
      );
  });
}
