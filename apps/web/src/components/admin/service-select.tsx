import { INPUT } from "@/lib/styles";

/** The `service` field of the admin forms, by slug; `anyLabel` adds an empty choice (e.g. "every service"). */
export function ServiceSelect({
  services,
  anyLabel,
}: {
  services: ReadonlyArray<{ id: string; slug: string }>;
  anyLabel?: string;
}) {
  return (
    <select name="service" className={INPUT}>
      {anyLabel ? <option value="">{anyLabel}</option> : null}
      {services.map((s) => (
        <option key={s.id} value={s.slug}>
          {s.slug}
        </option>
      ))}
    </select>
  );
}
