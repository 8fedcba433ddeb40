import type { Command } from 'commander';
import { AppError, toAppError } from '../core/errors.js';
import { terminalText } from '../core/terminal.js';
import { createContext, type CliContext, type GlobalOptions } from './context.js';

/**
 * Wraps a command's action: builds the context from the global options, runs the action, and turns
 * any failure into one line on stderr plus the exit status of the error's code (0 ok, 1 failure,
 * 2 bad usage). The action receives commander's arguments unchanged, with the context first.
 */
export type Action<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<number | void>;

export interface RunState {
  exitCode: number;
  controller: AbortController;
}

export function makeRunner(state: RunState) {
  return function run<A extends unknown[]>(action: Action<A>) {
    return async (...args: A): Promise<void> => {
      const command = args[args.length - 1] as Command;
      let ctx: CliContext | undefined;
      try {
        // Inside the try: a bad --db or --data is one line and an exit status, like any other error.
        ctx = createContext(command.optsWithGlobals<GlobalOptions>(), state.controller.signal);
        const code = await action(ctx, ...args);
        state.exitCode = typeof code === 'number' ? code : 0;
      } catch (e) {
        const error = toAppError(e);
        const err = ctx?.err ?? process.stderr;
        // Messages quote what was given (an id, a file name, a flag): never an escape sequence to the terminal.
        err.write(`tenantwatch: ${terminalText(error.toLine())}\n`);
        if (error.code === 'INTERNAL' && error.cause instanceof Error && process.env.TENANTWATCH_DEBUG) {
          err.write(`${error.cause.stack}\n`);
        }
        state.exitCode = error.exitCode;
      } finally {
        await ctx?.close().catch(() => undefined);
      }
    };
  };
}

export type Runner = ReturnType<typeof makeRunner>;

/** For commands whose issue has not landed yet: a clear exit 1, never a crash. */
export function notYet(what: string): never {
  throw new AppError('NOT_IMPLEMENTED', `${what} is not available in this build yet`, {
    hint: 'See the README for what this version can do',
  });
}
