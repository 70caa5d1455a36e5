// zod validation for Hono routes that fails with our error shape (a 400 naming the field).
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { invalidInput } from "./errors";

export const validate = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw invalidInput(result.error as unknown as z.ZodError, target);
  });
