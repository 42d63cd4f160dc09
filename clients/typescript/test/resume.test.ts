// A phone's socket drops in the middle of a burst of messages: when it is back, the app has
// every message, once, in order.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Message } from "../src/index.js";
import { Proxy } from "./proxy.js";
import { client, GATEWAY, newCustomer, newShop, openConversation, states, until } from "./stack.js";

const proxy = await Proxy.start(GATEWAY);
after(() => proxy.stop());

test("a socket dropped mid-burst resumes with nothing missing and nothing twice", async () => {
  const owner = await newShop();
  const customer = await newCustomer(owner.shopId);
  const conversation = await openConversation(customer);
  const phone = client({ baseUrl: proxy.url, tokens: customer.tokens }).connect({ reconnect: { minMs: 50, maxMs: 400 } });
  const shop = client({ tokens: owner.tokens }).connect();
  const seen = states(phone);
  const received: Message[] = [];
  phone.on("message", (message) => received.push(message));
  await until("both sockets open", () => phone.state === "open" && shop.state === "open");

  // One after another, so the burst is still going at both cuts.
  const burst = Array.from({ length: 300 }, (_, i) => `burst ${i}`);
  const sending = (async () => {
    for (const text of burst) await shop.send(conversation, { text });
  })();
  await until("the first messages", () => received.length >= 40);
  proxy.cut();
  const atFirstCut = received.length;
  await until("the phone back", () => phone.state === "open" && received.length >= atFirstCut + 60);
  proxy.cut();
  const atSecondCut = received.length;
  await sending;
  await until("all 300 messages", () => received.length >= 300);
  await new Promise((resolve) => setTimeout(resolve, 500)); // anything twice would come by now

  assert.ok(atSecondCut < 280, `cut mid-burst, at ${atFirstCut} and ${atSecondCut}`);
  assert.deepEqual(
    received.map((m) => m.seq),
    burst.map((_, i) => i + 1),
  );
  assert.equal(new Set(received.map((m) => m.message_id)).size, 300);
  assert.deepEqual(new Set(received.map((m) => m.text)), new Set(burst));
  assert.ok(seen.filter((state) => state === "connecting").length >= 2, `reconnected: ${seen.join(" → ")}`);
  phone.close();
  shop.close();
});
