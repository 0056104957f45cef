import { defaultPolicy, proposedProductionLike } from "@rollgate/core/policy";
import type { Db } from "../src/client.ts";
import { environments, releases, rollouts, services } from "../src/schema/index.ts";
import { uniqueSlug } from "./harness.ts";

/** A service with staging and production, one release and its two rollouts. */
export async function makeRelease(db: Db) {
  const [service] = await db
    .insert(services)
    .values({ slug: uniqueSlug("svc"), name: "Test service" })
    .returning({ id: services.id, slug: services.slug });
  const envs = await db
    .insert(environments)
    .values(
      ["staging", "production"].map((name, position) => ({
        serviceId: service!.id,
        name,
        position,
        productionLike: proposedProductionLike(name),
        policy: defaultPolicy(name),
      })),
    )
    .returning({ id: environments.id, name: environments.name });
  const [release] = await db
    .insert(releases)
    .values({
      serviceId: service!.id,
      key: uniqueSlug("rel"),
      title: "Rename email",
      author: "dev@example.com",
      appVersion: "2.0.0",
    })
    .returning({ id: releases.id, key: releases.key });
  const outs = await db
    .insert(rollouts)
    .values(envs.map((e) => ({ releaseId: release!.id, environmentId: e.id, releaseVersion: "2.0.0" })))
    .returning({ id: rollouts.id, environmentId: rollouts.environmentId });
  return { service: service!, environments: envs, release: release!, rollouts: outs };
}
