// One line per problem, `path: message`, as `faultline validate` and start-up print them.

import type { ConfigProblem } from './schema.js';

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((problem) => (problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`)).join('\n');
}
