// A customer sends while the network is away, or loses the ack: the message is stored once.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Message } from "../src/index.js";
import { Proxy } from "./proxy.js";
import { client, GATEWAY, history, newCustomer, newShop, openConversation, states, until } from "./stack.js";

const proxy = await Proxy.start(GATEWAY);
after(() => proxy.stop());

async function phoneInChat() {
  const owner = await newShop();
  const customer = await newCustomer(owner.shopId);
  const conversation = await openConversation(customer);
  const phone = client({ baseUrl: proxy.url, tokens: customer.tokens }).connect({ reconnect: { minMs: 50, maxMs: 400 } });
  const received: Message[] = [];
  phone.on("message", (message) => received.push(message));
  await until("the phone open", () => phone.state === "open");
  return { customer, conversation, phone, received };
}

test("a send during a disconnect is stored once after reconnecting", async () => {
  const { customer, conversation, phone, received } = await phoneInChat();
  proxy.down();
  await until("the phone offline", () => phone.state === "connecting");

  const sent = phone.send(conversation, { text: "我想预约周六上午10点给金毛洗澡" });
  await new Promise((resolve) => setTimeout(resolve, 700)); // a few refused reconnects
  proxy.up();
  const ack = await sent;

  assert.equal(ack.seq, 1);
  assert.deepEqual(
    (await history(customer, conversation)).map((m) => m.text),
    ["我想预约周六上午10点给金毛洗澡"],
  );
  await until("its own message back", () => received.length === 1);
  assert.equal(received[0]!.message_id, ack.message_id);
  phone.close();
});

test("a send whose ack is lost is sent again after reconnecting, and stored once", async () => {
  const { customer, conversation, phone } = await phoneInChat();
  const seen = states(phone);
  proxy.cutAfterNextSend();

  const ack = await phone.send(conversation, { text: "still there?", clientMsgId: "phone-42" });

  assert.deepEqual(seen, ["open", "connecting", "open"]);
  assert.equal(ack.client_msg_id, "phone-42");
  assert.deepEqual(
    (await history(customer, conversation)).map((m) => m.text),
    ["still there?"],
  );
  phone.close();
});
