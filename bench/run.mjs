// The benchmark harness: `npm run bench` (quick pass, under 5 minutes) or `npm run bench -- --full`.
// Runs each section in its own process (which starts its servers and load generators in further
// processes), one after another so they never compete for the cores, then writes
// bench/results/<date>.json and regenerates docs/benchmarks.md from it.
// Options: --full, --only collab,collabNodes,terminal,media,web (a partial run still writes both
// files: the sections it did not run are copied from the newest stored run of the same mode, and
// the page says so).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, machineFacts } from './lib/proc.mjs';
import { renderReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const FULL = process.argv.includes('--full');
const onlyIdx = process.argv.indexOf('--only');
const ONLY = onlyIdx > 0 ? process.argv[onlyIdx + 1].split(',') : null;

/** Each section: the script and its arguments for the quick pass and the full run. */
const SECTIONS = {
  collab: { script: 'collab/run.mjs', quick: [], full: ['--full'] },
  collabNodes: { script: 'collab/run.mjs', quick: ['--nodes', '1,3'], full: ['--nodes', '1,3', '--full'] },
  terminal: { script: 'terminal/run.mjs', quick: ['--mb', '10', '--viewers', '0,1,10', '--echo-viewers', '10', '--samples', '100'], full: [] },
  media: { script: 'media/run.mjs', quick: [], full: ['--full'] },
  web: { script: 'web/run.mjs', quick: ['--runs', '3'], full: ['--runs', '10'] },
};

function runSection(name, tmp) {
  const s = SECTIONS[name];
  const out = join(tmp, `${name}.json`);
  const args = [join(here, s.script), ...(FULL ? s.full : s.quick), '--out', out];
  const t0 = performance.now();
  const loadStart = load();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code, signal) => {
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      const meta = { command: `node bench/${s.script} ${(FULL ? s.full : s.quick).join(' ')}`.trim(), seconds, loadavgStart: loadStart, loadavgEnd: load() };
      try {
        resolve({ ...meta, ok: true, result: JSON.parse(readFileSync(out, 'utf8')) });
      } catch {
        resolve({ ...meta, ok: false, error: `exited with ${signal ?? code} and wrote no result` });
      }
    });
  });
}

const started = new Date();
const run = {
  date: started.toISOString(),
  mode: FULL ? 'full' : 'quick',
  command: `npm run bench${FULL || ONLY ? ' --' : ''}${FULL ? ' --full' : ''}${ONLY ? ` --only ${ONLY.join(',')}` : ''}`,
  machine: machineFacts(),
  loadavgStart: load(),
  sections: {},
};
const tmp = mkdtempSync(join(tmpdir(), 'bench-run-'));
try {
  for (const name of Object.keys(SECTIONS)) {
    if (ONLY && !ONLY.includes(name)) continue;
    console.error(`bench: ${name}…`);
    run.sections[name] = await runSection(name, tmp);
    console.error(`bench: ${name} ${run.sections[name].ok ? 'done' : `FAILED (${run.sections[name].error})`} in ${run.sections[name].seconds} s`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
run.loadavgEnd = load();

/** The newest stored harness run of this mode (bench/results/<date>.json), or null. */
function newestStoredRun() {
  const dir = join(here, 'results');
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => /^\d{4}-.*\.json$/.test(f)).sort().reverse();
  } catch {
    return null;
  }
  for (const f of files) {
    const stored = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    if (stored.mode === run.mode && stored.sections) return { file: `bench/results/${f}`, stored };
  }
  return null;
}

// A partial run keeps the page whole: sections not run now come from the newest stored run.
if (ONLY) {
  const prev = newestStoredRun();
  for (const name of Object.keys(SECTIONS)) {
    const old = prev?.stored.sections[name];
    if (run.sections[name] || !old) continue;
    run.sections[name] = { ...old, fromRun: old.fromRun ?? { file: prev.file, date: prev.stored.date } };
  }
}
run.seconds = Math.round((Date.now() - started.getTime()) / 1000);

mkdirSync(join(here, 'results'), { recursive: true });
const jsonFile = join(here, 'results', `${run.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(jsonFile, JSON.stringify(run, null, 2) + '\n');
writeFileSync(join(root, 'docs', 'benchmarks.md'), renderReport(run, `bench/results/${jsonFile.split('/').pop()}`));
console.error(`bench: wrote ${jsonFile} and docs/benchmarks.md in ${run.seconds} s`);
