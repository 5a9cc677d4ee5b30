// No export exists for tests alone: every value a module of src/ exports is imported by another
// module of src/ (tests go through those same doors), but for main(), which the bin calls. Types
// are left out: a type exported with the function whose signature it is belongs to that function.
// The TypeScript compiler reads the modules, so every form of export counts: declarations
// (functions, generators, classes, enums, constants), `export default`, `export { … }` lists,
// re-exports and `export *`.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');
/** Called from outside src/: the bin (scripts/bundle.mjs writes it) calls main(). */
const ENTRY_POINTS = ['cli.ts#main'];
/** A module imported whole (`import * as`, `import()`): every export of it counts as imported. */
const WHOLE = '*';

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.startsWith('generated'))
  .map((f) => join(SRC, f));

function program(): ts.Program {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return ts.createProgram(sources, { ...options, noEmit: true });
}

/** The file a relative module specifier names, or undefined for a package's. */
function targetOf(checker: ts.TypeChecker, specifier: ts.Expression): string | undefined {
  if (!ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return undefined;
  const declaration = checker.getSymbolAtLocation(specifier)?.valueDeclaration;
  return declaration && ts.isSourceFile(declaration) ? declaration.fileName : undefined;
}

/** Every value name each module's own text exports: declared there, or listed in its `export { … }`. */
function exportsOf(checker: ts.TypeChecker, file: ts.SourceFile): string[] {
  const module = checker.getSymbolAtLocation(file);
  if (!module) return [];
  return checker
    .getExportsOfModule(module)
    .filter((symbol) => {
      const declarations = symbol.declarations ?? [];
      // What `export *` brings in is the other module's, judged there.
      if (!declarations.some((d) => d.getSourceFile() === file)) return false;
      if (declarations.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) return false;
      const meant = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return (meant.flags & ts.SymbolFlags.Value) !== 0;
    })
    .map((symbol) => symbol.name);
}

/** Each module's file → the value names other modules import from it or re-export. */
function importedNames(checker: ts.TypeChecker, files: readonly ts.SourceFile[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const use = (target: string | undefined, names: readonly string[]) => {
    if (target !== undefined) used.set(target, new Set([...(used.get(target) ?? []), ...names]));
  };
  /** `export * from` edges, re-exporter → source: a name used from the first is used from the second. */
  const stars: Array<readonly [string, string]> = [];
  const named = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) => elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text);
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && node.importClause && node.importClause.phaseModifier !== ts.SyntaxKind.TypeKeyword) {
        const { name, namedBindings } = node.importClause;
        const target = targetOf(checker, node.moduleSpecifier);
        if (name) use(target, ['default']);
        if (namedBindings && ts.isNamedImports(namedBindings)) use(target, named(namedBindings.elements));
        if (namedBindings && ts.isNamespaceImport(namedBindings)) use(target, [WHOLE]);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
        const target = targetOf(checker, node.moduleSpecifier);
        if (!node.exportClause) {
          if (target !== undefined) stars.push([file.fileName, target]);
        } else if (ts.isNamedExports(node.exportClause)) use(target, named(node.exportClause.elements));
        else use(target, [WHOLE]);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
        use(targetOf(checker, node.arguments[0]), [WHOLE]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, to] of stars) {
      const before = used.get(to)?.size ?? 0;
      use(to, [...(used.get(from) ?? [])].filter((name) => name !== 'default'));
      grew ||= (used.get(to)?.size ?? 0) > before;
    }
  }
  return used;
}

describe('exports of src/', () => {
  it('are each imported by another module of src/ (or are the bin’s main)', () => {
    const built = program();
    const checker = built.getTypeChecker();
    const files = sources.map((path) => built.getSourceFile(path)!);
    const used = importedNames(checker, files);
    const unused = files.flatMap((file) =>
      exportsOf(checker, file)
        .map((name) => `${relative(SRC, file.fileName)}#${name}`)
        .filter((id) => {
          const names = used.get(file.fileName);
          return !ENTRY_POINTS.includes(id) && !names?.has(WHOLE) && !names?.has(id.split('#')[1]!);
        }),
    );
    expect(unused).toEqual([]);
  });
});
