// `compline replay`: re-performs a pack's tests from the pack alone and says whether every verdict is the same.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { SOURCES_FILE } from '../evidence/evidence-rows.js';
import { type ReplayedCheck, replayChecks, replayFinops } from '../evidence/replay.js';
import { verifyPack } from '../evidence/verify.js';
import { unzipFiles } from '../evidence/zip.js';
import { didYouMean } from '../suggest.js';

export async function replayCommand(opts: {
  pack: string;
  check?: string;
}): Promise<{ checks: ReplayedCheck[]; text: string; exitCode: 0 | 1 }> {
  let data: Buffer;
  try {
    data = await readFile(opts.pack);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `replay ${opts.pack}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a pack' : 'cannot be read'}`,
    );
  }
  // Only an intact pack is worth re-performing: a changed row would make any agreement meaningless.
  const integrity = await verifyPack(data, { kind: 'none' });
  if (integrity.failure)
    return { checks: [], text: `NOT REPLAYED: ${integrity.failure.file}: ${integrity.failure.why}`, exitCode: 1 };
  const files = await unzipFiles(data);
  const ids = [...files.keys()]
    .filter((p) => p !== SOURCES_FILE)
    .map((p) => /^evidence\/([^/]+)\.json$/.exec(p)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort();
  if (opts.check && !ids.includes(opts.check))
    throw new UsageError(`replay: ${opts.check}: no evidence for this check in the pack${didYouMean(opts.check, ids)}`);
  const checks: ReplayedCheck[] = await replayChecks(files, opts.check ? [opts.check] : ids);
  const lines = checks.map((c) =>
    c.differences.length
      ? `${c.check_id}: ${c.differences.length} of ${c.findings} verdicts differ\n${c.differences
          .map((d) => `  ${d.resource_id}: reported ${d.reported ?? '(none)'}, replayed ${d.replayed ?? '(none)'}`)
          .join('\n')}`
      : `${c.check_id}: ${c.findings} verdicts identical`,
  );
  const differing = checks.filter((c) => c.differences.length).length;
  const total = `${checks.length} checks re-performed from the pack: ${differing ? `${differing} differ` : 'every verdict identical'}`;
  // The cost totals are re-performed with every full replay, not when one check is asked for.
  const costs = opts.check ? null : await replayFinops(files);
  const costDiffers = (costs ?? []).some((c) => c.reported !== c.replayed);
  const costLine = costs
    ? `\ncost totals re-computed from the pack's allocation rows: ${costs
        .map((c) =>
          c.reported === c.replayed
            ? `${c.currency} ${c.replayed} identical`
            : `${c.currency} reported ${c.reported ?? '(none)'}, replayed ${c.replayed ?? '(none)'}`,
        )
        .join('; ')}`
    : '';
  return {
    checks,
    text: `${lines.join('\n')}\n${total}${costLine}`,
    exitCode: differing || costDiffers ? 1 : 0,
  };
}
