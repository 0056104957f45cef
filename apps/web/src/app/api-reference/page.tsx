import type { Metadata } from "next";
import { openApiDocument } from "@rollgate/core/contract/openapi";

export const metadata: Metadata = { title: "API reference" };

type Operation = { summary: string; description?: string; responses: Record<string, { description: string }> };

/** The OpenAPI document, readable: one section per operation with its status codes. */
export default function ApiReferencePage() {
  const doc = openApiDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">API reference</h1>
        <p className="text-slate-600 dark:text-slate-300">
          {doc.info.description} Machine-readable:{" "}
          <a className="underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </a>{" "}
          (OpenAPI {doc.openapi}).
        </p>
      </header>
      {operations.map(({ path, method, op }) => (
        <section
          key={`${method} ${path}`}
          aria-labelledby={`${method}-${path}`}
          className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
        >
          <h2 id={`${method}-${path}`} className="font-mono text-sm">
            <span className="mr-2 rounded bg-slate-800 px-1.5 py-0.5 font-semibold uppercase text-white dark:bg-slate-200 dark:text-slate-900">
              {method}
            </span>
            {path}
          </h2>
          <p className="mt-2 font-medium">{op.summary}</p>
          {op.description ? <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">{op.description}</p> : null}
          <table className="mt-3 w-full text-left text-sm">
            <thead>
              <tr className="text-slate-500 dark:text-slate-400">
                <th scope="col" className="w-20 py-1">
                  Status
                </th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(op.responses).map(([status, response]) => (
                <tr key={status} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1 font-mono">{status}</td>
                  <td>{response.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
