import type { LRef } from '../model/access.js';
import type { Loc } from '../parse/location.js';
import type { Service, Stack } from '../model/types.js';
import type { UsageInput } from '../model/usage-recommend.js';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export type RuleCategory = 'syntax' | 'resources' | 'availability' | 'security' | 'policy' | 'compatibility' | 'references' | 'cluster';

/** One replacement of `text[start, end)` in a file, offsets into `SourceFile.text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** All edits one problem needs, in one file: applied together or not at all. */
export interface Fix {
  /** `SourceFile.path` of the file the edits apply to */
  file: string;
  edits: TextEdit[];
  /** what the fix does, for the summary (`added deploy.resources.limits`) */
  description: string;
  /** behaviour-changing fixes only run with --unsafe */
  unsafe?: boolean;
}

export interface RuleMeta<O extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  description: string;
  severity: Severity;
  category: RuleCategory;
  /**
   * whether some of its findings can be fixed, and whether those fixes change behaviour: every fix
   * of an `unsafe` rule is unsafe (a fix run without --unsafe does not compute them until its report)
   */
  fixable?: 'safe' | 'unsafe';
  /**
   * A service inherits this rule's fix through `extends` as it is (an item appended to a list that
   * merges by appending): `fix` lets a service's fix wait while a base of it gets the same one in a pass.
   */
  fixInheritedByExtends?: boolean;
  /** a rule that only makes sense on a live swarm */
  live?: boolean;
  /** message templates by id; `{{name}}` is replaced by `data.name` */
  messages: Record<string, string>;
  /** JSON schema of the rule's options (for the config schema) and their defaults */
  options?: { schema: Record<string, unknown>; defaults: O };
}

export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string | number>;
  /** where the problem is: a location, or a node of the model (its key is underlined when it has one) */
  at: Loc | LRef;
  /** what to underline when it is not `at`'s key (e.g. the value of a wrong setting) */
  loc?: Loc;
  /** the YAML path reported; taken from `at` when it is a model node */
  path?: readonly string[];
  service?: Service | null;
  /** overrides the rule's severity for this finding (e.g. a warning-level case of an error rule) */
  severity?: Severity;
  /** a value that must not be shown (a secret): masked wherever its source line is printed */
  sensitive?: Loc;
  fix?: Fix | (() => Fix | null) | null;
}

export interface RuleContext<O = Record<string, unknown>> {
  readonly stack: Stack;
  readonly options: O;
  /** what the services used, when a usage profile was given (`--usage`); null otherwise */
  readonly usage: UsageInput | null;
  report(d: ReportDescriptor): void;
}

export interface RuleVisitor {
  service?(svc: Service): void;
  /** called once after every service, for checks across services */
  stack?(stack: Stack): void;
}

export interface Rule<O extends Record<string, unknown> = Record<string, unknown>> {
  meta: RuleMeta<O>;
  create(ctx: RuleContext<O>): RuleVisitor;
}

/** Declare a rule: an identity function that gives the rule's options their type. */
export function defineRule<O extends Record<string, unknown>>(rule: Rule<O>): Rule<O> {
  return rule;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** the file shown to the user (or the live object) */
  file: string;
  service: string | null;
  /** the path of the value as formatPath writes it (`services.web.ports[0]`), '' when there is none */
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fixable: boolean;
  /** not serialised: the fix and the location it came from */
  fix?: Fix | null;
  loc?: Loc;
  /** not serialised: a value not to show where the source is printed (code frames, diffs) */
  sensitive?: Loc;
  /** not serialised: set on a finding that a suppression or a baseline accepted (reported by SARIF only) */
  suppression?: FindingSuppression;
}

/** Why a finding is not reported: a directive in the file (`inSource`) or a baseline (`external`). */
export interface FindingSuppression {
  kind: 'inSource' | 'external';
  /** what suppressed it: `stackopt-disable-next-line`, `x-stackopt.disable`, `baseline FILE` */
  directive: string;
  /** the reason written after ` -- ` in the directive */
  justification?: string;
  /** where the directive is written */
  loc?: Loc;
}
