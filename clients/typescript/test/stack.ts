// What the tests need from the real stack that tests/test_sdk.py starts: the gateway's URL,
// accounts made through its REST API, and tokens signed with this run's key.
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { WebSocket } from "ws";
import { Frontdesk, type FrontdeskOptions, type FrontdeskSocket, type SocketState, type Tokens } from "../src/index.js";

export const GATEWAY = required("FRONTDESK_GATEWAY_URL");
const PASSWORD = "correct horse battery";

export interface Account {
  userId: string;
  shopId: string;
  role: string;
  tokens: Tokens;
}

/** A Frontdesk client on Node 20 (the `ws` package's WebSocket), quick to reconnect. */
export function client(options: Partial<FrontdeskOptions> = {}): Frontdesk {
  return new Frontdesk({ baseUrl: GATEWAY, WebSocket, ...options });
}

export async function newShop(): Promise<Account> {
  const login = `owner-${randomUUID().slice(0, 8)}@shop.test`;
  const { data, error } = await client().rest.POST("/v1/shops", {
    body: { name: "Golden Paws", owner: { login, name: "Owner", password: PASSWORD } },
  });
  if (!data) throw new Error(JSON.stringify(error));
  return account(data);
}

export async function newCustomer(shopId: string): Promise<Account> {
  const login = `138${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const { data, error } = await client().rest.POST("/v1/shops/{shop_id}/customers", {
    params: { path: { shop_id: shopId } },
    body: { login, name: "Wang", password: PASSWORD },
  });
  if (!data) throw new Error(JSON.stringify(error));
  return account(data);
}

export async function openConversation(customer: Account): Promise<string> {
  const { data, error } = await client({ tokens: customer.tokens }).rest.POST("/v1/conversations", { body: {} });
  if (!data) throw new Error(JSON.stringify(error));
  return data.id;
}

export async function history(caller: Account, conversationId: string): Promise<{ text: string; seq: number }[]> {
  const { data, error } = await client({ tokens: caller.tokens }).rest.GET("/v1/conversations/{conversation_id}/messages", {
    params: { path: { conversation_id: conversationId }, query: { limit: 200 } },
  });
  if (!data) throw new Error(JSON.stringify(error));
  return data.messages;
}

/** An access token for an account, signed with the gateways' key, expiring in `seconds`
 * (negative: expired already). */
export function accessToken(account: Account, seconds: number): string {
  const jwk = JSON.parse(required("FRONTDESK_TEST_JWK")) as { kid: string };
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: account.userId, shop: account.shopId, role: account.role, aud: "frontdesk", iat: now, exp: now + seconds };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "EdDSA", typ: "JWT", kid: jwk.kid })}.${part(claims)}`;
  const signature = sign(null, Buffer.from(input), createPrivateKey({ key: jwk, format: "jwk" }));
  return `${input}.${signature.toString("base64url")}`;
}

export function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const found = check();
      if (found) {
        clearInterval(poll);
        resolve(found);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 10);
  });
}

/** Every state a socket went through, from its creation on. */
export function states(socket: FrontdeskSocket): SocketState[] {
  const seen: SocketState[] = [socket.state];
  socket.on("state", (state) => seen.push(state));
  return seen;
}

function account(body: { user_id: string; shop_id: string; role: string; access_token: string; refresh_token: string }): Account {
  return {
    userId: body.user_id,
    shopId: body.shop_id,
    role: body.role,
    tokens: { access: body.access_token, refresh: body.refresh_token },
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tests/test_sdk.py (uv run pytest tests/test_sdk.py)`);
  return value;
}
