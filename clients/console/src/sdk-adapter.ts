// TEMPORARY (coordinator: delete at merge, with the alias in vite.config.ts and tsconfig.json):
// the part of @frontdesk/sdk's API (BRIEF15) that the console uses, written plainly until
// clients/typescript lands. It is not the SDK: no generated types, a simpler socket.

export interface Tokens {
  access: string;
  refresh: string;
}

export interface FrontdeskOptions {
  baseUrl: string;
  tokens?: Tokens;
  onTokens?: (tokens: Tokens) => void;
}

type Init = {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> };
  body?: unknown;
  parseAs?: "json" | "blob";
};
type Answer = { data?: any; error?: any; response: Response };

/** openapi-fetch's calling convention: `GET("/v1/x/{id}", { params: { path: { id } } })`. */
class Rest {
  constructor(private readonly fd: Frontdesk) {}
  GET(path: string, init: Init = {}): Promise<Answer> {
    return this.call("GET", path, init);
  }
  POST(path: string, init: Init = {}): Promise<Answer> {
    return this.call("POST", path, init);
  }
  PUT(path: string, init: Init = {}): Promise<Answer> {
    return this.call("PUT", path, init);
  }
  DELETE(path: string, init: Init = {}): Promise<Answer> {
    return this.call("DELETE", path, init);
  }

  private async call(method: string, path: string, init: Init, retried = false): Promise<Answer> {
    let url = path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(init.params?.path?.[name] ?? ""));
    const query = Object.entries(init.params?.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length) url += "?" + new URLSearchParams(query.map(([k, v]) => [k, String(v)]));
    const headers: Record<string, string> = {};
    if (this.fd.tokens) headers.authorization = `Bearer ${this.fd.tokens.access}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(this.fd.baseUrl + url, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (response.status === 401 && !retried && (await this.fd.refresh())) {
      return this.call(method, path, init, true);
    }
    if (!response.ok) return { error: await response.json().catch(() => ({})), response };
    if (response.status === 204) return { data: undefined, response };
    const data = init.parseAs === "blob" ? await response.blob() : await response.json();
    return { data, response };
  }
}

export class Frontdesk {
  readonly baseUrl: string;
  tokens?: Tokens;
  readonly rest: Rest;
  private readonly onTokens?: (tokens: Tokens) => void;

  constructor(options: FrontdeskOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.tokens = options.tokens;
    this.onTokens = options.onTokens;
    this.rest = new Rest(this);
  }

  async signIn(body: { login: string; password: string; shopId?: string }): Promise<any> {
    const { data, error } = await this.rest.POST("/v1/auth/token", {
      body: { login: body.login, password: body.password, shop_id: body.shopId },
    });
    if (error) throw Object.assign(new Error(error?.error?.message ?? "sign-in failed"), { error });
    this.store({ access: data.access_token, refresh: data.refresh_token });
    return data;
  }

  async refresh(): Promise<boolean> {
    if (!this.tokens) return false;
    const response = await fetch(this.baseUrl + "/v1/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: this.tokens.refresh }),
    });
    if (!response.ok) return false;
    const data = await response.json();
    this.store({ access: data.access_token, refresh: data.refresh_token });
    return true;
  }

  connect(): FrontdeskSocket {
    return new FrontdeskSocket(this);
  }

  private store(tokens: Tokens): void {
    this.tokens = tokens;
    this.onTokens?.(tokens);
  }
}

type Handler = (value: any) => void;

export class FrontdeskSocket {
  private ws?: WebSocket;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly lastSeq = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, { frame: any; resolve: (ack: any) => void }>();
  private attempt = 0;
  private closed = false;

  constructor(private readonly fd: Frontdesk) {
    this.open();
  }

  on(event: "message" | "booking" | "frame" | "state", handler: Handler): () => void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return () => this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => h !== handler));
  }

  send(conversationId: string, body: { text: string; clientMsgId?: string }): Promise<{ message_id: string; seq: number }> {
    const clientMsgId = body.clientMsgId ?? crypto.randomUUID();
    const frame = { type: "message.send", conversation_id: conversationId, client_msg_id: clientMsgId, text: body.text };
    return new Promise((resolve) => {
      this.pending.set(clientMsgId, { frame, resolve });
      this.write(frame);
    });
  }

  markRead(conversationId: string, seq: number): void {
    this.write({ type: "read", conversation_id: conversationId, up_to_seq: seq });
  }
  markDelivered(conversationId: string, seq: number): void {
    this.write({ type: "delivered", conversation_id: conversationId, up_to_seq: seq });
  }
  typing(conversationId: string): void {
    this.write({ type: "typing", conversation_id: conversationId });
  }
  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private open(): void {
    this.emit("state", "connecting");
    const ws = new WebSocket(this.fd.baseUrl.replace(/^http/, "ws") + "/v1/ws");
    this.ws = ws;
    ws.onopen = () => {
      const sync = Object.fromEntries(this.lastSeq);
      ws.send(JSON.stringify({ type: "auth", access_token: this.fd.tokens?.access, id: "resume", sync }));
    };
    ws.onmessage = (event) => this.receive(JSON.parse(event.data));
    ws.onclose = async (event) => {
      this.emit("state", "closed");
      if (this.closed) return;
      if (event.code === 4401 && !(await this.fd.refresh())) return;
      const delay = Math.min(30_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.open(), delay);
    };
  }

  private receive(frame: any): void {
    this.emit("frame", frame);
    if (frame.type === "ready") {
      this.attempt = 0;
      this.emit("state", "open");
      for (const { frame: send } of this.pending.values()) this.write(send);
    } else if (frame.type === "ack") {
      const waiting = this.pending.get(frame.client_msg_id);
      this.pending.delete(frame.client_msg_id);
      waiting?.resolve({ message_id: frame.message_id, seq: frame.seq });
    } else if (frame.type === "message.new") {
      const m = frame.message;
      if (this.seen.has(m.message_id)) return;
      this.seen.add(m.message_id);
      this.lastSeq.set(m.conversation_id, Math.max(m.seq, this.lastSeq.get(m.conversation_id) ?? 0));
      this.emit("message", m);
    } else if (frame.type.startsWith("booking.") || frame.type.startsWith("waitlist.")) {
      this.emit("booking", frame);
    }
  }

  private write(frame: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private emit(event: string, value: unknown): void {
    for (const handler of this.handlers.get(event) ?? []) handler(value);
  }
}
