import type { Command } from 'commander';
import { CliError } from './exit-codes.js';
import type { GlobalContext } from './shared.js';

export function registerLsp(program: Command, g: GlobalContext): void {
  program
    .command('lsp')
    .summary('language server for editors (Language Server Protocol over standard input and output)')
    .description(
      'Run a language server over standard input and output: diagnostics as you type, quick fixes, ' +
        '"disable this rule on this line", and the rule\'s documentation on hover. The editor\'s buffer is ' +
        'linted as the file it will be saved as (its .stackopt.yaml, .env and target). Set-up for Neovim, ' +
        'VS Code and Helix: docs/editors.md.',
    )
    .option('--stdio', 'talk over standard input and output (the default, and the only transport)')
    // editors' clients add their own arguments (`--clientProcessId=N`, read by the server library)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async () => {
      // the server and its library are loaded only by this command
      let server: typeof import('../lsp/server.js');
      try {
        server = await import('../lsp/server.js');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new CliError('stackopt lsp needs the vscode-languageserver package, which is not installed: reinstall stackopt with its dependencies');
        throw e;
      }
      g.exitCode = await server.startServer({ version: g.version });
    });
}
