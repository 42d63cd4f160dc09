// An access token runs out (every 15 minutes): the app stays connected and its calls work,
// on fresh tokens it is handed to keep.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tokens } from "../src/index.js";
import { accessToken, client, newCustomer, newShop, openConversation, states, until } from "./stack.js";

test("a socket whose token expires refreshes it and reconnects", async () => {
  const owner = await newShop();
  const customer = await newCustomer(owner.shopId);
  const conversation = await openConversation(customer);
  const handed: Tokens[] = [];
  const shortLived = accessToken(customer, 2);
  const fd = client({ tokens: { access: shortLived, refresh: customer.tokens.refresh }, onTokens: (t) => handed.push(t) });
  const phone = fd.connect({ reconnect: { minMs: 50, maxMs: 400 } });
  const seen = states(phone);
  const closedBy: unknown[] = [];
  phone.on("frame", (frame) => frame.type === "error" && closedBy.push(frame.code));

  await until("the token to run out and the socket back", () => handed.length === 1 && phone.state === "open", 15_000);
  const ack = await phone.send(conversation, { text: "hello again" });

  assert.deepEqual(closedBy, ["token_expired"]);
  assert.deepEqual(seen, ["connecting", "open", "connecting", "open"]);
  assert.notEqual(handed[0]!.access, shortLived);
  assert.notEqual(handed[0]!.refresh, customer.tokens.refresh);
  assert.deepEqual(fd.tokens, handed[0]);
  assert.equal(ack.seq, 1);
  phone.close();
});

test("REST calls with an expired token refresh it once and succeed", async () => {
  const owner = await newShop();
  const customer = await newCustomer(owner.shopId);
  await openConversation(customer);
  const handed: Tokens[] = [];
  const fd = client({
    tokens: { access: accessToken(customer, -10), refresh: customer.tokens.refresh },
    onTokens: (t) => handed.push(t),
  });

  // At once: a refresh token works one time, so the three must share one refresh.
  const answers = await Promise.all([1, 2, 3].map(() => fd.rest.GET("/v1/conversations")));

  assert.deepEqual(
    answers.map((a) => [a.response.status, a.data?.length]),
    [[200, 1], [200, 1], [200, 1]],
  );
  assert.equal(handed.length, 1);
});

test("a refresh token that no longer works closes the socket as signed out", async () => {
  const owner = await newShop();
  const customer = await newCustomer(owner.shopId);
  const fd = client({ tokens: { access: accessToken(customer, -10), refresh: "no-longer-a-valid-refresh-token" } });
  const phone = fd.connect({ reconnect: { minMs: 50, maxMs: 400 } });
  const errors: string[] = [];
  phone.on("error", (error) => errors.push(error.code));

  await until("the socket closed", () => phone.state === "closed");
  assert.deepEqual(errors, ["signed_out"]);
});
