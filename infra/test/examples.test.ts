import { readFileSync } from "node:fs";
import path from "node:path";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { infra, parseFile, type Manifest } from "./render.ts";

// infra/examples: the Argo Rollouts AnalysisTemplates are validated against Argo's CRD schema
// (the @kubernetes-models/argo-rollouts package); the Flagger Canary against a MINIMAL schema
// written from Flagger's documented fields (schemas/flagger-canary.minimal.schema.json says
// why: no package ships Flagger's CRD schema for offline use).

const read = (file: string) => parseFile(readFileSync(path.join(infra, "examples", file), "utf8"));
const templates = read("argo-rollouts/analysis-templates.yaml");
const [canary] = read("flagger/canary.yaml");
const flaggerSchema = JSON.parse(
  readFileSync(path.join(infra, "test", "schemas", "flagger-canary.minimal.schema.json"), "utf8"),
);
const validateCanary = new Ajv2020({ allErrors: true, strict: false }).compile(flaggerSchema);

describe("the Argo Rollouts example", () => {
  it("validates against the AnalysisTemplate CRD schema", () => {
    expect(templates.map((t) => t.metadata.name)).toEqual(["rollgate-rollback-safe", "rollgate-contract-gate"]);
    for (const t of templates) expect(() => new AnalysisTemplate(t as never).validate(), t.metadata.name).not.toThrow();
    const broken = structuredClone(templates[0]!) as Manifest;
    broken.spec.metrics[0].provider.web.timeoutSeconds = "ten";
    expect(() => new AnalysisTemplate(broken as never).validate()).toThrow(/timeoutSeconds/);
  });

  it("reads Rollgate's Argo endpoints with the token from a Secret", () => {
    const urls = templates.map((t) => t.spec.metrics[0].provider.web.url as string);
    expect(urls[0]).toMatch(
      /\/api\/v1\/integrations\/argo\/rollback\?service=\{\{args\.service\}\}&environment=\{\{args\.environment\}\}&version=/,
    );
    expect(urls[1]).toMatch(
      /\/api\/v1\/integrations\/argo\/gate\?service=\{\{args\.service\}\}&environment=\{\{args\.environment\}\}&release=/,
    );
    for (const t of templates) {
      expect(t.spec.args.find((a: Manifest) => a.name === "rollgate-token").valueFrom.secretKeyRef).toEqual({
        name: "rollgate-api-token",
        key: "token",
      });
      expect(t.spec.metrics[0].provider.web.headers).toEqual([
        { key: "Authorization", value: "Bearer {{args.rollgate-token}}" },
      ]);
    }
  });
});

describe("the Flagger example", () => {
  it("validates against the minimal Canary schema, which can fail", () => {
    expect(validateCanary(canary), JSON.stringify(validateCanary.errors)).toBe(true);
    const broken = structuredClone(canary!) as Manifest;
    broken.spec.analysis.webhooks[0].type = "pre-rollout-typo";
    expect(validateCanary(broken)).toBe(false);
  });

  it("asks Rollgate at pre-rollout, confirm-promotion and rollback, with the rollout in metadata", () => {
    const hooks = canary!.spec.analysis.webhooks as Manifest[];
    expect(hooks.map((h) => h.type)).toEqual(["pre-rollout", "confirm-promotion", "rollback"]);
    for (const h of hooks) {
      expect(h.url).toBe(`https://rollgate.example.com/api/v1/integrations/flagger/${h.type}`);
      expect(Object.keys(h.metadata).sort()).toEqual(["environment", "release", "service", "token"]);
    }
  });
});
