#!/usr/bin/env node
// `npx artifact-release <command>` from a checkout: the TypeScript publisher command under tsx.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
