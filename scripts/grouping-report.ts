// Prints how Faultline's grouping meets the real-world corpus (test/fixtures/grouping-corpus/),
// against issue 12's targets: ≥ 98% of expected frames found in every language, no case with 0
// frames (bar the deliberately malformed ones), 100% stability on variants, ≥ 160 of Sentry's 172
// parameterization cases, the cross-browser JavaScript case in one group.
//   npm run grouping-report            the table
//   npm run grouping-report -- --detail  also every missing frame, failed variant and disagreement

import {
  CONTRADICTED_EXPECTATIONS,
  framesFound,
  loadCases,
  parameterizationAgreement,
  readCorpusCase,
  scoreFrames,
  sentrySnapshotAgreement,
  stabilityVariants,
} from '../test/group/corpus/grouping-corpus.js';

const detail = process.argv.includes('--detail');
const cases = loadCases();
const percent = (a: number, b: number) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);

console.log('Frames found / expected (malformed cases not scored; PHP in its printed pairing, see below)');
console.log('language     cases  found/expected          cases with 0 frames');
for (const score of scoreFrames(cases)) {
  const ratio = `${score.found}/${score.expected} (${percent(score.found, score.expected)})`;
  const target = score.found / score.expected >= 0.98 ? '' : '  ✗ <98%';
  const aside = score.setAside > 0 ? `  [${score.setAside} contradicted expectation(s) set aside; with them ${score.found}/${score.expected + score.setAside} (${percent(score.found, score.expected + score.setAside)})]` : '';
  console.log(`${score.language.padEnd(12)} ${String(score.cases).padStart(5)}  ${ratio.padEnd(22)}  ${score.zeroFrameCases.length}${score.zeroFrameCases.length > 0 ? ` (${score.zeroFrameCases.join(', ')})` : ''}${target}${aside}`);
}
console.log('PHP prints each `#N file(line): fn()` with where fn was called from; the parser gives each function its own');
console.log('location (as Sentry does) and the PHP expectations are compared with the frames paired back as printed.');
console.log('Expectations set aside (two oracles contradict each other on the same printed form):');
for (const item of CONTRADICTED_EXPECTATIONS) console.log(`  ${item.caseId} ${item.function}: ${item.reason}`);
if (detail) {
  for (const corpusCase of cases) {
    if (corpusCase.malformed !== undefined || corpusCase.expected === undefined) continue;
    const { missing } = framesFound(corpusCase, readCorpusCase(corpusCase));
    for (const frame of missing) console.log(`  missing in ${corpusCase.id}: ${JSON.stringify(frame)}`);
  }
}

const variants = stabilityVariants(cases);
console.log('\nStability variants (same: must keep the fingerprint; different: must change it)');
const kinds = [...new Set(variants.map((v) => v.kind))];
for (const kind of kinds) {
  const of = variants.filter((v) => v.kind === kind);
  const held = of.filter((v) => v.held).length;
  console.log(`${kind.padEnd(28)} ${of[0]!.same ? 'same     ' : 'different'} ${held}/${of.length} (${percent(held, of.length)})`);
  if (detail) for (const v of of.filter((x) => !x.held)) console.log(`  failed: ${v.caseId}`);
}
const same = variants.filter((v) => v.same);
console.log(`all must-keep variants        ${same.filter((v) => v.held).length}/${same.length} (${percent(same.filter((v) => v.held).length, same.length)})`);

const sentry = sentrySnapshotAgreement(cases);
console.log('\nSentry snapshots');
console.log(`cross-browser JavaScript case: ${sentry.crossBrowserCases} browsers → ${sentry.crossBrowserGroups} group(s) (Sentry: 1)`);
const pairsHeld = sentry.pairs.filter((p) => p.held).length;
console.log(`pairs agreeing with Sentry's hashes: ${pairsHeld}/${sentry.pairs.length}`);
if (detail) for (const p of sentry.pairs.filter((x) => !x.held)) console.log(`  ${p.a} ~ ${p.b}: Sentry ${p.sentrySame ? 'same' : 'apart'}`);

const parameterization = parameterizationAgreement();
console.log(`\nSentry parameterization cases agreed: ${parameterization.agreed}/${parameterization.total} (target ≥ 160)`);
if (detail) for (const d of parameterization.disagreements) console.log(`  ${d.name}: ${JSON.stringify(d.input)} → ${JSON.stringify(d.actual)}, Sentry ${JSON.stringify(d.expected)}`);
