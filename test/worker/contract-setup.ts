// Setup for every workerd test file: every /api/v1 response a test receives through the Worker
// (exports.default.fetch) is checked against the OpenAPI document the Worker serves, and a test fails
// when one of its responses breaks the contract (an undocumented status, a body off its schema).
import { exports } from "cloudflare:workers";
import { afterEach, expect } from "vitest";
import { checkResponse } from "./support/contract";

const pending: Promise<string[]>[] = [];
const workerFetch = exports.default.fetch.bind(exports.default);

exports.default.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const response = await workerFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : input);
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  // checkResponse copies a JSON body now, before the test reads it.
  if (url.pathname.startsWith("/api/v1/")) pending.push(checkResponse(method, url, response));
  return response;
};

afterEach(async () => {
  const problems = (await Promise.all(pending.splice(0))).flat();
  expect(problems, "responses that break the OpenAPI contract").toEqual([]);
});
