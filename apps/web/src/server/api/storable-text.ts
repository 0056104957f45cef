import "server-only";

export { assertStorableText, listPaths } from "@rollgate/app/storable-text";
