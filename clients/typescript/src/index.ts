import { errorOf } from "./errors.js";
import type { Message } from "./frames.js";
import { restClient, type RestClient } from "./rest.js";
import { Session, type Tokens } from "./session.js";
import { FrontdeskSocket, type SocketOptions, type WebSocketConstructor } from "./socket.js";

export { FrontdeskError } from "./errors.js";
export type {
  Ack,
  Attachment,
  Booking,
  BookingFrame,
  Call,
  CallFrame,
  CallMedia,
  CallOutcome,
  CallSummary,
  ClientFrame,
  IceServer,
  Message,
  ServerFrame,
  WaitlistEntry,
} from "./frames.js";
export type { components, operations, paths } from "./openapi.js";
export type { RestClient } from "./rest.js";
export type { Tokens } from "./session.js";
export { FrontdeskSocket } from "./socket.js";
export type { SocketEvents, SocketOptions, SocketState, WebSocketConstructor } from "./socket.js";

export interface FrontdeskOptions {
  /** The gateway, e.g. "http://127.0.0.1:8000" (REST at /v1, the socket at /v1/ws). */
  baseUrl: string;
  /** Tokens kept from an earlier sign-in. */
  tokens?: Tokens;
  /** Called with new tokens after a sign-in or a refresh: store them to stay signed in. */
  onTokens?: (tokens: Tokens) => void;
  /** The shop `signIn` signs in to when it is not given one. */
  shopId?: string;
  fetch?: typeof fetch;
  /** Defaults to the global WebSocket (browsers, Node 22+); on Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
}

export interface SignedIn {
  user_id: string;
  shop_id: string;
  role: "owner" | "staff" | "customer";
}

/** A signed-in client of the gateway: a typed REST client and sockets sharing its tokens. */
export class Frontdesk {
  readonly rest: RestClient;
  private readonly session: Session;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: FrontdeskOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.session = new Session(this.baseUrl, this.fetcher, options.tokens, options.onTokens);
    this.rest = restClient(this.baseUrl, this.session, this.fetcher);
  }

  get tokens(): Tokens | undefined {
    return this.session.tokens;
  }

  /** Sign in with `POST /v1/auth/token`; the tokens are kept (and passed to `onTokens`). */
  async signIn(credentials: { login: string; password: string; shopId?: string }): Promise<SignedIn> {
    const shopId = credentials.shopId ?? this.options.shopId;
    if (!shopId) throw new TypeError("signIn needs a shopId (or FrontdeskOptions.shopId)");
    const response = await this.fetcher(`${this.baseUrl}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ shop_id: shopId, login: credentials.login, password: credentials.password }),
    });
    if (!response.ok) throw await errorOf(response);
    const body = (await response.json()) as SignedIn & { access_token: string; refresh_token: string };
    this.session.set({ access: body.access_token, refresh: body.refresh_token });
    return { user_id: body.user_id, shop_id: body.shop_id, role: body.role };
  }

  /** Open a socket (it reconnects on its own until `close()`). */
  connect(options: SocketOptions = {}): FrontdeskSocket {
    const WebSocketClass = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketClass) {
      throw new TypeError("No WebSocket in this runtime: on Node 20 pass `WebSocket` from the ws package.");
    }
    const url = this.baseUrl.replace(/^http/, "ws") + "/v1/ws";
    return new FrontdeskSocket(url, this.session, WebSocketClass, (id, after) => this.page(id, after), options);
  }

  private async page(conversationId: string, afterSeq: number): Promise<{ messages: Message[]; last_seq: number }> {
    const { data, response } = await this.rest.GET("/v1/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: conversationId }, query: { after_seq: afterSeq, limit: 200 } },
    });
    if (!data) throw await errorOf(response);
    return data as unknown as { messages: Message[]; last_seq: number };
  }
}
