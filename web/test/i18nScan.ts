import ts from 'typescript';

/**
 * Finds user-visible text in the web app's source that does not go through `t()`, and the
 * translation keys the source uses, by walking the TypeScript syntax tree (no regexes on code).
 */

/** JSX attributes (and object properties inside JSX attributes) a person reads or hears. */
const VISIBLE_ATTRIBUTES = new Set(['aria-label', 'aria-valuetext', 'aria-description', 'aria-roledescription', 'title', 'placeholder', 'alt', 'label', 'confirmLabel', 'message', 'hint', 'error']);

/** Calls whose string argument ends up on screen. */
const VISIBLE_CALL = /^(set\w*(Error|Notice|Message)|toast|alert|confirm)$/;

/** Text that needs no translation: symbols, brand names, git's HEAD, units that are the same in every language. */
export const ALLOWED_TEXT = new Set(['CodeRoom', 'HEAD', '×', '?', '🔇', 'Ctrl', 'Esc', 'Tab', '↑', '↓', '←', '→', 'A−', 'A+', '/']);

/** An untranslated string at a place in a file. */
export interface Finding {
  file: string;
  line: number;
  text: string;
}

/** A translation key used in the source; `namespaces` are where a key without `ns:` may live. */
export interface KeyUse {
  file: string;
  line: number;
  /** The key, or for a template literal its constant prefix (`roles.`) with `prefix` set. */
  key: string;
  prefix: boolean;
  namespaces: string[];
}

/** Code-like examples (a path, a URL: one token with a slash or dot) read the same in every language. */
const isCodeLike = (s: string): boolean => /^\S*[/.]\S*$/.test(s.trim());

const hasWords = (s: string): boolean => /\p{L}/u.test(s) && !ALLOWED_TEXT.has(s.trim()) && !isCodeLike(s);

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function calleeName(call: ts.CallExpression): string {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

/** String literals inside an expression that would be shown, skipping call arguments and comparisons. */
function visibleStrings(expr: ts.Node, out: ts.Node[]): void {
  if (ts.isCallExpression(expr)) return; // t('key'), fn('id'): arguments are keys and values
  if (ts.isBinaryExpression(expr)) {
    const op = expr.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return;
    if (op === ts.SyntaxKind.InKeyword) return; // 'error' in result: a property name
  }
  if (ts.isElementAccessExpression(expr)) return visibleStrings(expr.expression, out);
  if (ts.isJsxElement(expr) || ts.isJsxSelfClosingElement(expr) || ts.isJsxFragment(expr)) return; // visited on their own
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
    out.push(expr);
    return;
  }
  if (ts.isTemplateExpression(expr)) {
    out.push(expr);
    return;
  }
  ts.forEachChild(expr, (c) => visibleStrings(c, out));
}

function templateText(node: ts.Node): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => s.literal.text).join(' ');
  return '';
}

/** The untranslated user-visible strings of one source file. */
export function findUntranslated(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, text: string): void => {
    if (hasWords(text)) findings.push({ file, line: lineOf(sf, node), text: text.trim() });
  };
  const reportStrings = (expr: ts.Node): void => {
    const found: ts.Node[] = [];
    visibleStrings(expr, found);
    for (const n of found) report(n, templateText(n));
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      report(node, node.text);
    } else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      reportStrings(node.expression);
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText(sf);
      const init = node.initializer;
      if (init && VISIBLE_ATTRIBUTES.has(name)) {
        if (ts.isStringLiteral(init)) report(init, init.text);
        else if (ts.isJsxExpression(init) && init.expression) reportStrings(init.expression);
      } else if (init && ts.isJsxExpression(init) && init.expression) {
        // action={{ label: 'Try again' }}
        const props: ts.PropertyAssignment[] = [];
        const collect = (n: ts.Node): void => {
          if (ts.isCallExpression(n)) return;
          if (ts.isPropertyAssignment(n) && VISIBLE_ATTRIBUTES.has(n.name.getText(sf))) props.push(n);
          ts.forEachChild(n, collect);
        };
        collect(init.expression);
        for (const p of props) reportStrings(p.initializer);
      }
    } else if (ts.isCallExpression(node) && VISIBLE_CALL.test(calleeName(node))) {
      for (const arg of node.arguments) reportStrings(arg);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

/** Every `t('…')`, `i18next.t('…')` and `<Trans i18nKey="…">` key of one source file. */
export function findKeyUses(file: string, source: string): KeyUse[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  // The namespaces this file asks for: useTranslation('room') → room; useTranslation() → common.
  const namespaces = new Set<string>();
  const uses: Omit<KeyUse, 'namespaces'>[] = [];
  const addKey = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) uses.push({ file, line: lineOf(sf, node), key: node.text, prefix: false });
    else if (ts.isTemplateExpression(node)) uses.push({ file, line: lineOf(sf, node), key: node.head.text, prefix: true });
    else if (ts.isConditionalExpression(node)) {
      addKey(node.whenTrue);
      addKey(node.whenFalse);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const arg = node.arguments[0];
      if (name === 'useTranslation') namespaces.add(arg && ts.isStringLiteral(arg) ? arg.text : 'common');
      if (name === 't' && arg) addKey(arg);
    }
    if (ts.isJsxAttribute(node) && node.name.getText(sf) === 'i18nKey' && node.initializer) {
      addKey(ts.isJsxExpression(node.initializer) && node.initializer.expression ? node.initializer.expression : node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const ns = namespaces.size > 0 ? [...namespaces] : ['common'];
  return uses.map((u) => ({ ...u, namespaces: ns }));
}
