import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

// No import circles, counting every edge: `import type`, re-exports and `import()` too.
// eslint-plugin-import-x's no-cycle skips type-only imports by design (they are erased at run
// time), but a circle closed by a type is still two modules that cannot be understood, moved or
// tested one without the other, and every circle this workspace had was closed by one.

/** The specifiers a module imports, as TypeScript's pre-processor reads them (comments and strings skipped). */
const specifiers = (text) =>
  ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos, end }) => ({ fileName, pos, end }));

// Per file: its modification time and the files it imports. An editor's long-lived ESLint sees
// an edited file anew.
const edges = new Map();

function importsOf(file, resolve) {
  let mtime;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const known = edges.get(file);
  if (known?.mtime === mtime) return known.to;
  const to = resolved(file, specifiers(readFileSync(file, "utf8")), resolve).map((s) => s.to);
  edges.set(file, { mtime, to: [...new Set(to)] });
  return edges.get(file).to;
}

/** The imports that land in our own source (not a package's build, not a built-in). */
function resolved(file, found, resolve) {
  return found.flatMap((s) => {
    const result = resolve(s.fileName, file);
    const to = result.found ? result.path : null;
    return to && !to.split(path.sep).includes("node_modules") ? [{ ...s, to }] : [];
  });
}

export default {
  meta: {
    type: "problem",
    docs: { description: "Forbid import circles, type-only and dynamic imports included." },
    schema: [],
    messages: { circle: "Import circle: {{route}}. Move what both need to a module below them." },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!path.isAbsolute(file)) return {};
    // The resolver eslint-plugin-import-x is given (settings), so both rules see the same graph
    // and share its cache.
    const [resolver] = context.settings["import-x/resolver-next"] ?? [];
    if (!resolver) throw new Error("floors/no-import-cycle needs settings['import-x/resolver-next'].");
    const resolve = (source, from) => resolver.resolve(source, from);
    const { sourceCode } = context;
    return {
      "Program:exit"(program) {
        // Breadth first from each import, so the route reported is a shortest one.
        const reported = new Set();
        for (const start of resolved(file, specifiers(sourceCode.text), resolve)) {
          if (reported.has(start.to)) continue;
          const cameFrom = new Map([[start.to, null]]);
          const queue = [start.to];
          let closing = null;
          while (queue.length > 0 && closing === null) {
            const at = queue.shift();
            for (const next of importsOf(at, resolve)) {
              if (next === file) {
                closing = at;
                break;
              }
              if (!cameFrom.has(next)) {
                cameFrom.set(next, at);
                queue.push(next);
              }
            }
          }
          if (closing === null) continue;
          reported.add(start.to);
          const route = [file];
          for (let at = closing; at !== null; at = cameFrom.get(at)) route.splice(1, 0, at);
          route.push(file);
          const root = context.cwd;
          context.report({
            node: program,
            loc: { start: sourceCode.getLocFromIndex(start.pos), end: sourceCode.getLocFromIndex(start.end) },
            messageId: "circle",
            data: { route: route.map((f) => path.relative(root, f)).join(" → ") },
          });
        }
      },
    };
  },
};
