/** What a server action answers a form: a sentence on failure or success, field errors, or a one-time secret. */
export interface ActionState {
  error?: string;
  done?: string;
  fields?: Array<{ path: string; message: string }>;
  reveal?: Record<string, string>;
}
