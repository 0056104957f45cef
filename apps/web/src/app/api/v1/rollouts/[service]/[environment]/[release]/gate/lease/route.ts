import { API } from "@rollgate/core/contract/endpoints";
import { leaseRequestProblems } from "@rollgate/core/contract/lease-request";
import { assertScope, reply, serve } from "@/server/api/serve";
import { AppError } from "@/server/errors";
import { verifySignature } from "@/server/events/read-signed-body";
import { takeLease } from "@rollgate/app/gate/take-lease";
import { metrics } from "@/server/metrics";

export const dynamic = "force-dynamic";

// POST /api/v1/rollouts/{service}/{environment}/{release}/gate/lease — the single contract lease (signed)
export const POST = serve(API.lease, async ({ db, token, now, request, params: keys }) => {
  assertScope(token, keys.service, keys.environment);
  const payload = (await request.text()).slice(0, 64 * 1024);
  const headers = verifySignature(request, token, payload);
  // The signature covers the body: a body naming the rollout binds the request to this path.
  const problems = leaseRequestProblems(payload, keys);
  if (problems.length)
    throw new AppError("invalid_request", "The signed body does not fit this lease request; see details.", problems);
  if (headers["webhook-id"].length > 200)
    throw new AppError("invalid_request", "webhook-id is longer than 200 characters.");
  const holder = (request.headers.get("x-rollgate-holder") ?? token.name).slice(0, 200);
  try {
    const lease = await takeLease({ db, token, keys, now, holder, requestId: headers["webhook-id"] });
    metrics().leases.inc({ outcome: "granted" });
    return reply(API.lease, 201, {
      lease_id: lease.id,
      expires_at: lease.expiresAt.toISOString(),
      checksum: lease.checksum,
      kind: lease.kind,
    });
  } catch (error) {
    metrics().leases.inc({ outcome: "denied" });
    throw error;
  }
});
