import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup";
import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization";
import { GitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { parseAllDocuments } from "yaml";

export const infra = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are inspected field by field
export type Manifest = Record<string, any>;

/** Renders a kustomization with kubectl's built-in kustomize (Debian's kubernetes-client in CI). */
export function render(dir: string): Manifest[] {
  const out = execFileSync("kubectl", ["kustomize", path.join(infra, dir)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return parseFile(out);
}

export function parseFile(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as Manifest)
    .filter(Boolean);
}

/** Every kind we ship, with the schema (Kubernetes API, CloudNativePG, Flux or Prometheus Operator CRD) that checks it. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "networking.k8s.io/v1/Ingress": Ingress,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "batch/v1/CronJob": CronJob,
  "postgresql.cnpg.io/v1/Cluster": Cluster,
  "postgresql.cnpg.io/v1/ScheduledBackup": ScheduledBackup,
  "kustomize.toolkit.fluxcd.io/v1/Kustomization": Kustomization,
  "source.toolkit.fluxcd.io/v1/GitRepository": GitRepository,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

/** Throws with the schema's words when a manifest is not valid for its kind. */
export function validate(manifest: Manifest): void {
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}
