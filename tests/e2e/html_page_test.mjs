// html_page_test.mjs - the page of `cyclops confirm --html`, opened in a real browser
// (headless Chromium driven by playwright-core).
//
//   node html_page_test.mjs --cyclops PATH --workdir DIR --node-modules DIR
//                           [--chromium PATH] [--cycles N] [--budget-ms MS]
//
// Two pages, both made by running `cyclops confirm --report --html` in DIR on a stand-in
// program (testdata/confirm/fake/fake_program.sh, which copies a collector report into
// CYC_REPORT):
//   fake  the fixtures of testdata/confirm/fake/ (findings.json, observed.jsonl);
//   many  N generated cycles (200 unless --cycles), most confirmed by generated cycle-type
//         findings, the others missed: 1 to 16 objects (more than a diagram draws), some
//         going round their types twice, long and template type names, element fields.
// Each page must load without console errors, page errors or failed requests, and render
// (load event, first contentful paint and the first frame after load, all counted from the
// start of navigation) within 10 s. The times are printed; only --budget-ms makes them a
// condition, for a run on an idle machine (bench/README.md): the suite runs this test beside
// others, where a wall-clock budget measures the neighbours.
// Every confirmed and missed cycle of the --report JSON must have its diagram, in order:
// one node per drawn object, labelled with its type (cut at 60 characters), one edge per
// field, labelled with the field ("[elements]" for none), the last one, back to the first
// object, red; a cycle of more than 12 objects per round shows its first 11 and an
// ellipsis node. Nodes and labels must lie inside their diagram, labels inside their boxes.
// Screenshots go to DIR: confirm_fake.png (whole page), confirm_many.png (first screen)
// and confirm_many_last.png (the last diagram).
//
// --node-modules names the node_modules folder that holds playwright-core (scripts/setup
// installs it into .deps/playwright). --chromium defaults to chromium or chromium-browser on
// PATH. Exit status: 0 pass, 1 fail, 77 skipped (no playwright-core or no Chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAX_NODES = 12;  // HtmlReport.cpp: longer cycles show MAX_NODES - 1 objects and an ellipsis
const MAX_LABEL = 60;  // HtmlReport.cpp: longer type names are cut to MAX_LABEL - 3 and "..."
const FAKE_DIR = fileURLToPath(new URL('../../testdata/confirm/fake/', import.meta.url));

function usage(message) {
  console.error(`html_page_test: ${message}\nusage: node html_page_test.mjs --cyclops PATH --workdir DIR ` +
                '--node-modules DIR [--chromium PATH] [--cycles N] [--budget-ms MS]');
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { cycles: 200, budgetMs: Infinity };
  const names = { '--cyclops': 'cyclops', '--workdir': 'workdir', '--node-modules': 'nodeModules',
                  '--chromium': 'chromium', '--cycles': 'cycles', '--budget-ms': 'budgetMs' };
  for (let i = 0; i < argv.length; ++i) {
    let [name, value] = argv[i].split(/=(.*)/s);
    if (!(name in names)) usage(`unknown argument '${argv[i]}'`);
    if (value === undefined) value = argv[++i];
    if (value === undefined) usage(`${name} needs a value`);
    opts[names[name]] = value;
  }
  for (const key of ['cyclops', 'workdir', 'nodeModules'])
    if (!opts[key]) usage(`--${key === 'nodeModules' ? 'node-modules' : key} is required`);
  for (const key of ['cyclops', 'workdir', 'nodeModules', 'chromium'])
    if (opts[key]) opts[key] = path.resolve(opts[key]);
  opts.cycles = Number(opts.cycles);
  opts.budgetMs = Number(opts.budgetMs);
  if (!(opts.cycles > 0) || !(opts.budgetMs > 0)) usage('--cycles and --budget-ms must be positive');
  return opts;
}

function skip(reason) {
  console.log(`html_page_test: skipped: ${reason}`);
  process.exit(77);
}

function onPath(names) {
  for (const dir of (process.env.PATH || '').split(path.delimiter))
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {}
    }
  return null;
}

// The collector report and findings of `count` cycles; see the header for their variety.
function generate(count) {
  const findings = [], records = [], confirmed = [];
  for (let i = 0; i < count; ++i) {
    const period = 1 + (i % 16), rounds = i % 7 === 3 ? 2 : 1;
    const steps = [];
    for (let k = 0; k < period; ++k) {
      const type = k === 0 && i % 5 === 0
        ? `gen::Table<std::map<std::string, gen::C${i}::Entry<const char&>>, std::less<gen::C${i}::Key>>`
        : `gen::C${i}::T${k}`;
      steps.push({ type, field: k === period - 1 && i % 6 === 0 ? '' : `f${k}` });
    }
    const turn = i % period;  // the collector starts the cycle anywhere
    const walked = [...steps.slice(turn), ...steps.slice(0, turn)];
    const observed = Array.from({ length: rounds }, () => walked).flat();
    records.push({ record: 'cycle', pid: 1000 + (i % 3), collection: 1 + i, reason: 'explicit', generation: 2,
                   path: observed.map(s => ({ ...s, owner: s.type })), objects: observed.length,
                   host_bytes: 48 * observed.length, device_bytes: i % 9 === 0 ? 1024 * i : 0,
                   waited_ns: 1000 * i, waited_collections: i % 4 });
    if (i % 4 === 3) continue;  // missed: no finding predicts it
    const id = (0xc0de0000 + i).toString(16).padStart(16, '0');
    confirmed.push(id);
    findings.push({ id, rule: 'cycle-type', severity: 'warning', file: `src/gen${i}.h`, line: 10, column: 3,
                    message: `generated cycle ${i}`,
                    path: steps.map((s, k) => ({ ...s, file: `src/gen${i}.h`, line: 10 + k })) });
  }
  return { findings: { findings }, report: records.map(r => JSON.stringify(r)).join('\n') + '\n',
           confirmed, missed: count - confirmed.length };
}

// What each diagram must show, from the --report JSON: confirmed findings' observed paths
// (rotated so that the closing step comes last), then the missed cycles' paths.
function expectedDiagrams(report) {
  const fieldLabel = f => f === '' ? '[elements]' : f;
  const typeLabel = t => t.length > MAX_LABEL ? t.slice(0, MAX_LABEL - 3) + '...' : t;
  const plan = (name, sectionId, p) => {
    const same = (a, b) => a.type === b.type && a.field === b.field;
    let period = p.length;
    for (let q = 1; q < p.length; ++q)
      if (p.length % q === 0 && p.every((s, i) => same(s, p[i % q]))) {
        period = q;
        break;
      }
    const elided = period > MAX_NODES ? period - (MAX_NODES - 1) : 0;
    const shown = p.slice(0, elided ? MAX_NODES - 1 : period);
    const nodes = shown.map(s => typeLabel(s.type)), edges = shown.map(s => fieldLabel(s.field));
    if (elided) {
      nodes.push(`... ${elided} more objects`);
      edges.push(fieldLabel(p[period - 1].field));
    }
    return { name, sectionId, nodes, edges, captions: 2 + (p.length > period ? 1 : 0) + (elided ? 1 : 0) };
  };
  return [...report.confirmed.map(c => plan(`finding ${c.id}`, `finding-${c.id}`, c.observed_path)),
          ...report.missed.map((m, i) => plan(`missed cycle ${i + 1}`, '', m.path))];
}

// Per section.cycle: its diagram as drawn, and whatever lies outside where it belongs.
function readDiagrams() {
  const inside = (b, o, slack) => b.x >= o.x - slack && b.y >= o.y - slack &&
    b.x + b.width <= o.x + o.width + slack && b.y + b.height <= o.y + o.height + slack;
  return [...document.querySelectorAll('section.cycle')].map(section => {
    const svgs = section.querySelectorAll('svg'), svg = svgs[0];
    const out = { sectionId: section.id, svgs: svgs.length, problems: [] };
    if (!svg) return out;
    const [x, y, width, height] = (svg.getAttribute('viewBox') || '').split(/\s+/).map(Number);
    const view = { x, y, width, height };
    const shown = svg.getBoundingClientRect();
    if (!(shown.width > 0 && shown.height > 0)) out.problems.push('the diagram has no size on the page');
    out.nodes = [...svg.querySelectorAll('g.node')].map(g => {
      const rect = g.querySelector('rect'), text = g.querySelector('text'), label = text ? text.textContent : null;
      if (!rect || !text) {
        out.problems.push(`node ${label} lacks its box or text`);
        return label;
      }
      const box = rect.getBBox();
      if (!inside(box, view, 0.5)) out.problems.push(`node ${label} outside the diagram`);
      if (!inside(text.getBBox(), box, 0.5)) out.problems.push(`label ${label} sticks out of its box`);
      return label;
    });
    out.edges = [...svg.querySelectorAll('g.edge')].map(g => {
      const line = g.querySelector('path'), text = g.querySelector('text.label');
      const label = text ? text.textContent : null;
      const marker = (line && line.getAttribute('marker-end') || '').match(/^url\(#(.+)\)$/);
      const head = marker && document.getElementById(marker[1]);
      if (!line || !text) out.problems.push(`edge ${label} lacks its line or label`);
      else if (!inside(line.getBBox(), view, 0.5) || !inside(text.getBBox(), view, 0.5))
        out.problems.push(`edge ${label} outside the diagram`);
      if (!head || head.tagName !== 'marker' || !svg.contains(head))
        out.problems.push(`edge ${label} has no arrowhead of its own diagram`);
      return { label, back: g.classList.contains('back'),
               stroke: line ? getComputedStyle(line).stroke : '' };
    });
    out.captions = svg.querySelectorAll('text.caption').length;
    return out;
  });
}

function compare(expected, drawn, problems) {
  if (drawn.length !== expected.length)
    problems.push(`${drawn.length} cycle sections on the page, the report has ${expected.length} cycles`);
  expected.forEach((want, i) => {
    const got = drawn[i], where = `diagram ${i + 1} (${want.name})`;
    if (!got) return;
    const bad = what => problems.push(`${where}: ${what}`);
    if (got.sectionId !== want.sectionId) bad(`section id '${got.sectionId}', expected '${want.sectionId}'`);
    if (got.svgs !== 1) return bad(`${got.svgs} diagrams in its section`);
    got.problems.forEach(bad);
    const nodes = got.nodes, edges = got.edges.map(e => e.label);
    if (nodes.length !== want.nodes.length) bad(`${nodes.length} nodes, expected ${want.nodes.length}`);
    else if (nodes.some((n, k) => n !== want.nodes[k])) bad(`nodes [${nodes}], expected [${want.nodes}]`);
    if (edges.length !== want.edges.length) bad(`${edges.length} edges, expected ${want.edges.length}`);
    else if (edges.some((e, k) => e !== want.edges[k])) bad(`edge labels [${edges}], expected [${want.edges}]`);
    const back = got.edges.map((e, k) => e.back ? k : -1).filter(k => k >= 0);
    if (back.length !== 1 || back[0] !== got.edges.length - 1) bad(`closing edges at [${back}], expected the last`);
    else if (got.edges.length > 1 && got.edges[back[0]].stroke === got.edges[0].stroke)
      bad('the closing edge is drawn like the others');
    if (got.captions !== want.captions) bad(`${got.captions} captions, expected ${want.captions}`);
  });
}

// Runs confirm in `dir` on the stand-in program with `observed` as the collector's report.
function runConfirm(cyclops, dir, name, findings, observed) {
  const html = path.join(dir, `${name}.html`), report = path.join(dir, `${name}.json`);
  fs.rmSync(html, { force: true });
  fs.rmSync(report, { force: true });
  const run = spawnSync(cyclops, ['confirm', `--findings=${findings}`, `--report=${report}`, `--html=${html}`, '--',
                                  'sh', path.join(FAKE_DIR, 'fake_program.sh'), observed],
                        { cwd: dir, encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run ${cyclops}: ${run.error.message}`);
  return { status: run.status, output: run.stdout + run.stderr, html, report };
}

async function checkPage(browser, opts, page, problems) {
  const errors = [];
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  tab.on('console', m => m.type() === 'error' && errors.push(`console error: ${m.text()}`));
  tab.on('pageerror', e => errors.push(`page error: ${e.message}`));
  tab.on('requestfailed', r => errors.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  await tab.goto(pathToFileURL(page.run.html).href, { waitUntil: 'load' });
  // Load, the first contentful paint, and the first frame after load (layout of the whole page).
  const timing = await tab.evaluate(() => new Promise(done => {
    const nav = performance.getEntriesByType('navigation')[0], t = { load: nav.loadEventEnd - nav.startTime };
    const finish = () => 'paint' in t && 'frame' in t && done(t);
    new PerformanceObserver(list => {
      const fcp = list.getEntriesByName('first-contentful-paint')[0];
      if (fcp) t.paint = fcp.startTime - nav.startTime, finish();
    }).observe({ type: 'paint', buffered: true });
    requestAnimationFrame(() => requestAnimationFrame(() => (t.frame = performance.now() - nav.startTime, finish())));
    setTimeout(() => done({ paint: NaN, frame: NaN, ...t }), 10000);
  }));
  const drawn = await tab.evaluate(readDiagrams);
  const mine = [];
  compare(page.expected, drawn, mine);
  const rendered = Math.max(timing.load, timing.paint, timing.frame);
  if (Number.isNaN(rendered)) mine.push('no first paint or frame within 10 s');
  else if (rendered >= opts.budgetMs) mine.push(`rendered in ${rendered.toFixed(0)} ms, over ${opts.budgetMs} ms`);
  for (const [file, what] of page.shots) {  // what: 'page', 'screen' or 'last' (diagram)
    const to = path.join(opts.workdir, file);
    if (what === 'last') await tab.locator('section.cycle').last().screenshot({ path: to });
    else await tab.screenshot({ path: to, fullPage: what === 'page' });
  }
  await tab.close();
  mine.push(...errors);
  problems.push(...mine.map(p => `${page.name}: ${p}`));
  const nodes = drawn.reduce((n, d) => n + (d.nodes ? d.nodes.length : 0), 0);
  const edges = drawn.reduce((n, d) => n + (d.edges ? d.edges.length : 0), 0);
  console.log(`html_page_test: ${page.name}: ${drawn.length} diagrams (${nodes} nodes, ${edges} edges), ` +
              `${(fs.statSync(page.run.html).size / 1024).toFixed(0)} KiB; load ${timing.load.toFixed(0)} ms, ` +
              `first contentful paint ${timing.paint.toFixed(0)} ms, first frame after load ` +
              `${timing.frame.toFixed(0)} ms; ${mine.length ? `${mine.length} problems` : 'ok'}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pw = path.join(opts.nodeModules, 'playwright-core');
  if (!fs.existsSync(path.join(pw, 'package.json')))
    skip(`no playwright-core in ${opts.nodeModules} (scripts/setup installs it)`);
  const chromium = opts.chromium || onPath(['chromium', 'chromium-browser']);
  if (!chromium || !fs.existsSync(chromium)) skip(`no Chromium (${opts.chromium || 'chromium on PATH'})`);
  fs.mkdirSync(opts.workdir, { recursive: true });

  const problems = [], pages = [];
  const fake = runConfirm(opts.cyclops, opts.workdir, 'confirm_fake', path.join(FAKE_DIR, 'findings.json'),
                          path.join(FAKE_DIR, 'observed.jsonl'));
  pages.push({ name: 'fake', run: fake, status: 1, shots: [['confirm_fake.png', 'page']] });

  const gen = generate(opts.cycles);
  const findings = path.join(opts.workdir, 'many_findings.json');
  const observed = path.join(opts.workdir, 'many_observed.jsonl');
  fs.writeFileSync(findings, JSON.stringify(gen.findings, null, 1));
  fs.writeFileSync(observed, gen.report);
  const many = runConfirm(opts.cyclops, opts.workdir, 'confirm_many', findings, observed);
  pages.push({ name: `many (${opts.cycles} cycles)`, run: many, status: gen.missed ? 1 : 0, generated: gen,
               shots: [['confirm_many.png', 'screen'], ['confirm_many_last.png', 'last']] });

  for (const page of pages) {
    const { run } = page;
    if (run.status !== page.status || !fs.existsSync(run.html) || !fs.existsSync(run.report)) {
      problems.push(`${page.name}: cyclops confirm exited ${run.status} (expected ${page.status}), ` +
                    `html ${fs.existsSync(run.html) ? 'written' : 'missing'}:\n${run.output}`);
      continue;
    }
    const report = JSON.parse(fs.readFileSync(run.report, 'utf8'));
    page.expected = expectedDiagrams(report);
    const gen = page.generated;
    if (gen) {  // the report itself against what was generated
      const ids = report.confirmed.map(c => c.id).sort().join(), want = [...gen.confirmed].sort().join();
      if (ids !== want || report.missed.length !== gen.missed)
        problems.push(`${page.name}: the report has ${report.confirmed.length} confirmed and ` +
                      `${report.missed.length} missed cycles, expected ${gen.confirmed.length} and ${gen.missed}`);
    }
  }

  // No sandbox: it cannot start as root, and the pages are our own files.
  const { chromium: driver } = createRequire(import.meta.url)(pw);
  const browser = await driver.launch({ executablePath: chromium, chromiumSandbox: false,
                                        args: ['--disable-dev-shm-usage'] });
  try {
    for (const page of pages) if (page.expected) await checkPage(browser, opts, page, problems);
  } finally {
    await browser.close();
  }
  for (const p of problems.slice(0, 40)) console.log(`html_page_test: FAIL: ${p}`);
  if (problems.length > 40) console.log(`html_page_test: ... and ${problems.length - 40} more problems`);
  console.log(problems.length ? `html_page_test: FAILED (${problems.length} problems)`
                              : `html_page_test: all pages as expected; screenshots in ${opts.workdir}`);
  return problems.length ? 1 : 0;
}

main().then(code => process.exit(code), e => {
  console.log(`html_page_test: FAIL: ${e.stack || e}`);
  process.exit(1);
});
