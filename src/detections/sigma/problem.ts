/**
 * How compiling a rule reports what is wrong with it: a RuleFault carries the line and is caught per
 * rule by the loader, which turns it into a RuleProblem; other rules carry on.
 */
export class RuleFault extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'RuleFault';
  }
}

/** Where a compiler is in the document: lines for faults and a place for warnings. */
export interface CompileContext {
  lineOf(path: readonly (string | number)[]): number | null;
  warn(message: string, line: number | null): void;
}
