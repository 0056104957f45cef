"use client";

import {
  useQuery,
  useQueryClient,
  type DefinedUseQueryResult,
  type QueryFunction,
  type QueryKey,
  type UseQueryOptions,
} from "@tanstack/react-query";
import { useEffect } from "react";

/**
 * A live query seeded with the server's first answer. Every answer carries the server's `now`;
 * a fresh server render (after an approval, say) can be newer than the cache, and then it
 * wins. Only a new render matters here, so the effect keys on its time alone.
 */
export function useSeededQuery<T extends { now: string }, K extends QueryKey>(
  options: Omit<UseQueryOptions<T, Error, T, K>, "queryFn"> & { queryFn?: QueryFunction<T, K> },
  initial: T,
): DefinedUseQueryResult<T, Error> {
  const client = useQueryClient();
  // initialData is always given, so data is always defined (the overload that says so cannot
  // see through a generic T).
  const query = useQuery<T, Error, T, K>({ ...options, initialData: initial }) as DefinedUseQueryResult<T, Error>;
  useEffect(() => {
    if (Date.parse(initial.now) > Date.parse(query.data.now)) client.setQueryData<T>(options.queryKey, initial);
  }, [initial.now]);
  return query;
}
