/**
 * Flags users bring from other linters (ESLint, hadolint, prettier), per command, with what stackopt
 * does instead. Commander would answer `lint --fix` with "did you mean --file?"; these get an answer
 * that says where the feature is.
 */
const FIX_INSTEAD =
  'lint only reports; `stackopt fix` applies the fixes: it writes <file>.optimized beside each file (--in-place overwrites the file, --diff prints the changes, --check exits 1 when a fix is pending)';
const DRY_RUN_INSTEAD = '`stackopt fix --diff` prints what the fixes would change and writes nothing; `stackopt fix --check` exits 1 when a fix is pending';
const IGNORE_FILES_INSTEAD = 'files to skip go under `ignore:` in .stackopt.yaml (.gitignore patterns); .gitignore itself is honoured';

const ADVICE: Record<string, Record<string, string>> = {
  lint: {
    '--fix': FIX_INSTEAD,
    '--fix-dry-run': DRY_RUN_INSTEAD,
    '--fix-type': '`stackopt fix` applies the safe fixes; --unsafe adds those that change behaviour, --rule ID applies only that rule\'s fixes',
    '--failure-threshold': 'use --fail-on error|warning|info|none',
    '--no-fail': 'use --fail-on none: findings are reported and do not fail the run',
    '--ignore': 'turn a rule off with --rule ID:off (or rules: {ID: off} in .stackopt.yaml); ' + IGNORE_FILES_INSTEAD,
    '--ignore-pattern': IGNORE_FILES_INSTEAD,
    '--ignore-path': IGNORE_FILES_INSTEAD,
    '--init': '`stackopt init` writes a .stackopt.yaml for the repository',
  },
  fix: {
    '--fix': '`stackopt fix` fixes without it',
    '--dry-run': DRY_RUN_INSTEAD.replace(/`stackopt fix (--\w+)`/g, '$1'),
    '--fix-dry-run': DRY_RUN_INSTEAD.replace(/`stackopt fix (--\w+)`/g, '$1'),
    '--write': '--in-place overwrites the input files (by default each gets a fixed copy, <file>.optimized)',
  },
};

/**
 * What to tell a user who gave a command a flag of another tool, or null. Looks at the options
 * between the command name and `--` only.
 */
export function foreignFlagAdvice(argv: readonly string[]): string | null {
  const at = argv.findIndex((a) => !a.startsWith('-'));
  const command = at < 0 ? undefined : argv[at];
  const table = command === undefined ? undefined : ADVICE[command];
  if (!table) return null;
  for (const arg of argv.slice(at + 1)) {
    if (arg === '--') break;
    const flag = arg.split('=')[0]!;
    if (Object.hasOwn(table, flag)) return `${command} has no ${flag} option: ${table[flag]}`;
  }
  return null;
}
