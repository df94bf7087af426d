// Reading a V8 .cpuprofile (what `node --cpu-prof` writes): self time per function, mapped from the
// built dist/ files back to src/ through their source maps, and summed per package.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  /** `function (file:line)`, the file relative to the repository, in src/ where a source map says so. */
  where: string;
  functionName: string;
  file: string;
  line: number;
  /** Self time, ms. */
  selfMs: number;
  /** Share of all sampled time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Functions by self time, most first. */
  hotspots: Hotspot[];
  /** Self time per package (`@recordkit/sqlite`, `node:internal`, `pino`, `(program)`...), most first. */
  byPackage: { name: string; selfMs: number; share: number }[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null;
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/** Where a frame points, mapped to the original source when the file has a source map. */
function locate(frame: CallFrame, root: string): { file: string; line: number } {
  if (!frame.url) return { file: '', line: 0 };
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  if (frame.url.startsWith('file://')) {
    const entry = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      file = source.startsWith('/') ? source : new URL(source, `file://${file}`).pathname;
      line = entry.originalLine + 1;
    }
    file = relative(root, file);
  }
  return { file, line };
}

function packageOf(file: string, functionName: string): string {
  if (!file) return `(${functionName || 'anonymous'})`.replace(/^\(\((.*)\)\)$/, '($1)');
  if (file.startsWith('node:')) return file.startsWith('node:internal') ? 'node:internal' : file;
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (inModules) return inModules[1] as string;
  const own = /^(packages|apps)\/([^/]+)\//.exec(file);
  if (own) return own[1] === 'apps' ? `apps/${own[2]}` : `@recordkit/${own[2]}`;
  if (file.startsWith('bench/')) return 'bench';
  return file;
}

/** The system's monotonic clock in µs: the clock of V8 profile timestamps, in any process. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Summarize a .cpuprofile file; `root` is the repository root paths are made relative to. With
 * `window` (µs of {@link monotonicMicros}), only samples taken inside it count, so start-up and warm-up
 * stay out of the figures.
 */
export function summarizeProfile(path: string, root: string, top = 20, window?: { from: number; to: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let totalUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window.from || at > window.to)) continue;
    self.set(id, (self.get(id) ?? 0) + dt);
    totalUs += dt;
  }
  const functions = new Map<string, Hotspot>();
  const packages = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { file, line } = locate(node.callFrame, root);
    const name = node.callFrame.functionName || '(anonymous)';
    const where = file ? `${name} (${file}:${line})` : name;
    const hotspot = functions.get(where) ?? { where, functionName: name, file, line, selfMs: 0, share: 0 };
    hotspot.selfMs += us / 1000;
    functions.set(where, hotspot);
    const pkg = packageOf(file, node.callFrame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us / 1000);
  }
  const totalMs = totalUs / 1000;
  const hotspots = [...functions.values()]
    .map((h) => ({ ...h, share: h.selfMs / totalMs }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  const byPackage = [...packages].map(([name, selfMs]) => ({ name, selfMs, share: selfMs / totalMs })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, hotspots, byPackage };
}
