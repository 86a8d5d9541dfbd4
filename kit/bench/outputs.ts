/** What a bench run leaves behind: raw results, the terminal summary, docs/benchmarks.md and its chart. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/app/project-root.ts';
import { formatTable } from '../tools/text-table.ts';
import type { BenchEnv } from './bench-env.ts';
import { peerMarkdown, peerRows } from './peer-report.ts';
import { profileMarkdown, replaceBlock, resultsMarkdown, throughputChart } from './report-docs.ts';
import { type BenchReport, tableRows } from './report.ts';

const DOC = 'docs/benchmarks.md';
const CHART = 'docs/benchmarks-throughput.svg';

/**
 * The raw report (JSON) in the run's folder, the summary table on the terminal, and the generated
 * sections of docs/benchmarks.md with the chart: into docs/ when `toDocs`, else beside the raw report.
 */
export function writeOutputs(
  env: BenchEnv,
  report: BenchReport,
  toDocs: boolean,
  log: (line: string) => void,
  print: (line: string) => void,
): void {
  const root = projectRoot();
  writeFileSync(join(env.outDir, 'report.json'), JSON.stringify(report, null, 2));
  if (!report.profileMode) {
    const rows = tableRows(report);
    print('');
    for (const line of formatTable(
      [
        { header: 'measure' },
        { header: 'value', align: 'right' },
        { header: 'ratio / detail' },
        { header: 'target' },
        { header: 'met' },
      ],
      rows.map((r) => [r.measure, r.value, r.comparison, r.target, r.met]),
    ))
      print(line);
    print('');
    if (report.peer) {
      for (const line of formatTable(
        [{ header: 'against the peer' }, { header: 'ours' }, { header: 'peer' }, { header: 'ours ÷ peer' }],
        peerRows(report).map((r) => [r.measure, r.ours, r.peer, r.ratio]),
      ))
        print(line);
      print('');
    }
  }
  const docPath = toDocs ? join(root, DOC) : join(env.outDir, 'benchmarks.md');
  const chartPath = toDocs ? join(root, CHART) : join(env.outDir, 'benchmarks-throughput.svg');
  const base = existsSync(docPath)
    ? readFileSync(docPath, 'utf8')
    : existsSync(join(root, DOC))
      ? readFileSync(join(root, DOC), 'utf8')
      : '# Benchmarks\n';
  let document = base;
  if (report.profileMode) {
    document = replaceBlock(document, 'profile', profileMarkdown(report));
  } else {
    const chart = throughputChart(report);
    if (chart !== undefined) writeFileSync(chartPath, chart);
    document = replaceBlock(document, 'results', resultsMarkdown(report, 'benchmarks-throughput.svg'));
    if (report.peer) document = replaceBlock(document, 'peer', peerMarkdown(report));
  }
  writeFileSync(docPath, document);
  // The generated tables in the repository's formatting (Biome aligns Markdown tables), so `kms test` stays green.
  if (toDocs) {
    const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
    spawnSync(process.execPath, [biome, 'format', '--write', docPath], { cwd: root, stdio: 'ignore', timeout: 60_000 });
  }
  log(
    `wrote ${relative(root, docPath)}${report.profileMode ? '' : ` and ${relative(root, chartPath)}`}; ` +
      `raw results ${relative(root, join(env.outDir, 'report.json'))}`,
  );
}
