import { inChunks, slashPath, type Formatter } from './types.js';
import { showControls } from '../model/describe.js';

/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff
 * (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=<rule>::message`). Severity info is a
 * `notice`. Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF.
 */
export const formatGithub: Formatter = inChunks(function* (results) {
  for (const r of results) {
    const lines: string[] = [];
    for (const f of r.findings) {
      const cmd = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      // a live object (stackopt audit) is no file: the annotation goes on the run, its name in the message
      const live = f.loc?.kind === 'live';
      const props: string[] = live ? [] : [`file=${escapeProperty(showControls(slashPath(f.file), true))}`];
      if (!live && f.line > 0) {
        props.push(`line=${f.line}`);
        if (f.endLine > 0) props.push(`endLine=${f.endLine}`);
        // GitHub only uses columns on single-line annotations
        if (f.column > 0) props.push(`col=${f.column}`);
        if (f.endColumn > 0 && f.endLine === f.line) props.push(`endColumn=${f.endColumn}`);
      }
      props.push(`title=${escapeProperty(f.ruleId)}`);
      const text = live ? `${showControls(f.file, true)}: ${f.message} [${f.ruleId}]` : `${f.message} [${f.ruleId}]`;
      lines.push(`::${cmd} ${props.join(',')}::${escapeData(text)}`);
    }
    if (lines.length) yield `${lines.join('\n')}\n`;
  }
});

/** Escape a workflow command's message (`%`, CR, LF). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow command's property value (also `:` and `,`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
