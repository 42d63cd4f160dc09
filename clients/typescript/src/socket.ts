import { Delivery, type Pager } from "./delivery.js";
import { Emitter } from "./emitter.js";
import { FrontdeskError } from "./errors.js";
import type { Ack, BookingFrame, ClientFrame, Message, ServerFrame } from "./frames.js";
import type { Session } from "./session.js";

export type SocketState = "connecting" | "open" | "closed";

export interface SocketOptions {
  /** The last seq per conversation the app already has (kept from an earlier run): those
   * conversations resume from there. Conversations the socket sees are tracked on their own. */
  lastSeqs?: Record<string, number>;
  /** Reconnect delays: full jitter over an exponential backoff between these bounds. */
  reconnect?: { minMs?: number; maxMs?: number };
  /** How often to ping; a socket that stays silent for twice this long is replaced. */
  heartbeatMs?: number;
  /** Resend a message that has no ack after this long (the gateway answers within 30 s). */
  ackTimeoutMs?: number;
}

export interface SocketEvents {
  /** Each stored message once, in seq order per conversation, across reconnects. */
  message: Message;
  /** booking.* and waitlist.* frames (live only: catch up with the calendar cursor). */
  booking: BookingFrame;
  /** Every frame the gateway sends, as it came. */
  frame: ServerFrame;
  state: SocketState;
  /** Signed in (again): the `ready` frame. */
  ready: Extract<ServerFrame, { type: "ready" }>;
  /** The socket gave up: `signed_out` when the tokens cannot be refreshed. */
  error: FrontdeskError;
}

/** The browser's WebSocket, or a compatible one (Node 20: the `ws` package's). */
export type WebSocketConstructor = new (url: string) => unknown;

interface Transport {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}

interface Outgoing {
  frame: Extract<ClientFrame, { type: "message.send" }>;
  promise: Promise<Ack>;
  resolve: (ack: Ack) => void;
  reject: (error: FrontdeskError) => void;
  timer?: ReturnType<typeof setTimeout>;
}

// Refusals a resend with the same client_msg_id may get past; the rest are final.
const TRANSIENT = new Set(["not_confirmed", "service_unavailable", "rate_limited"]);
const AUTH_WAIT_MS = 15_000;

/**
 * One device's socket: signs in by its first frame, resumes every conversation it has seen
 * from its last seq, delivers each message once, and keeps every send until it is acked.
 */
export class FrontdeskSocket extends Emitter<SocketEvents> {
  private transport: Transport | undefined;
  private signedInWith: string | undefined;
  private current: SocketState = "connecting";
  private attempts = 0;
  private refreshedUnanswered = false;
  private stopped = false;
  private lastHeard = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private pings = 0;
  private readonly delivery: Delivery;
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly marks = new Map<string, ClientFrame>();
  private presence: "online" | "busy" | undefined;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly heartbeatMs: number;
  private readonly ackTimeoutMs: number;

  constructor(
    private readonly url: string,
    private readonly session: Session,
    private readonly WebSocketClass: WebSocketConstructor,
    page: Pager,
    options: SocketOptions = {},
  ) {
    super();
    this.minMs = options.reconnect?.minMs ?? 500;
    this.maxMs = options.reconnect?.maxMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? 20_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 35_000;
    this.delivery = new Delivery((message) => this.emit("message", message), page, () => this.jitter());
    for (const [conversation, seq] of Object.entries(options.lastSeqs ?? {})) this.delivery.track(conversation, seq);
    this.open();
  }

  get state(): SocketState {
    return this.current;
  }

  /** The last seq delivered per conversation: keep it to resume from in a later run. */
  lastSeqs(): Record<string, number> {
    return Object.fromEntries(this.delivery.lastSeqs);
  }

  /** Resume a conversation from a seq after reconnects (0: from its start), e.g. one the
   * app opened but has seen no message in yet. */
  track(conversationId: string, lastSeq = 0): void {
    this.delivery.track(conversationId, lastSeq);
  }

  /** Send a message; resolves with its ack. Resent with the same client message id after
   * a timeout or a reconnect until acked, so it is stored once; rejects only on a final
   * refusal (a FrontdeskError with the gateway's code) or `close()`. */
  send(conversationId: string, message: { text?: string; clientMsgId?: string; attachmentId?: string }): Promise<Ack> {
    const clientMsgId = message.clientMsgId ?? newId();
    const known = this.outgoing.get(clientMsgId);
    if (known) return known.promise;
    const frame: Outgoing["frame"] = { type: "message.send", conversation_id: conversationId, client_msg_id: clientMsgId };
    if (message.text !== undefined) frame.text = message.text;
    if (message.attachmentId !== undefined) frame.attachment_id = message.attachmentId;
    let resolve!: Outgoing["resolve"];
    let reject!: Outgoing["reject"];
    const promise = new Promise<Ack>((yes, no) => ((resolve = yes), (reject = no)));
    const entry: Outgoing = { frame, promise, resolve, reject };
    this.outgoing.set(clientMsgId, entry);
    if (this.current === "open") this.transmit(entry);
    return promise;
  }

  /** The user has read up to `seq` (sent now, or on reconnect if the socket is down). */
  markRead(conversationId: string, seq: number): void {
    this.mark({ type: "read", conversation_id: conversationId, up_to_seq: seq });
  }

  /** This device has received up to `seq`. */
  markDelivered(conversationId: string, seq: number): void {
    this.mark({ type: "delivered", conversation_id: conversationId, up_to_seq: seq });
  }

  /** The user is typing (dropped while disconnected: it only matters now). */
  typing(conversationId: string): void {
    if (this.current === "open") this.write({ type: "typing", conversation_id: conversationId });
  }

  /** Staff: their status while connected, kept across reconnects. */
  setPresence(status: "online" | "busy"): void {
    this.presence = status;
    if (this.current === "open") this.write({ type: "presence.set", status });
  }

  /** Close for good: no reconnect; sends still waiting for an ack reject with `closed`. */
  close(): void {
    this.stop(new FrontdeskError("closed", "The socket was closed."));
  }

  private open(): void {
    this.setState("connecting");
    const transport = new this.WebSocketClass(this.url) as Transport;
    this.transport = transport;
    const authWait = setTimeout(() => this.lost(transport), AUTH_WAIT_MS);
    transport.onopen = () => {
      this.signedInWith = this.session.access;
      const resume = this.lastSeqsToResume();
      this.write({ type: "auth", access_token: this.signedInWith ?? "", ...resume });
    };
    transport.onmessage = (event) => {
      if (transport !== this.transport) return;
      this.lastHeard = Date.now();
      const frame = JSON.parse(String(event.data)) as ServerFrame;
      if (frame.type === "ready") clearTimeout(authWait);
      this.receive(frame);
    };
    transport.onclose = (event) => {
      clearTimeout(authWait);
      this.lost(transport, event.code);
    };
    transport.onerror = () => {}; // a close follows
  }

  private lastSeqsToResume(): { id?: string; sync?: Record<string, number> } {
    const sync = this.lastSeqs();
    return Object.keys(sync).length ? { id: "resume", sync } : {};
  }

  private receive(frame: ServerFrame): void {
    this.emit("frame", frame);
    switch (frame.type) {
      case "ready":
        return this.ready(frame as Extract<ServerFrame, { type: "ready" }>);
      case "message.new":
        return this.delivery.receive((frame as { message: Message }).message);
      case "ack":
        return this.acked(frame as unknown as Ack);
      case "error":
        return this.refused(frame as Extract<ServerFrame, { type: "error" }>);
      case "sync.more":
        void this.delivery.catchUp((frame as { conversation_id: string }).conversation_id);
        return;
    }
    if (frame.type.startsWith("booking.") || frame.type.startsWith("waitlist.")) {
      this.emit("booking", frame as BookingFrame);
    }
  }

  private ready(frame: Extract<ServerFrame, { type: "ready" }>): void {
    this.attempts = 0;
    this.refreshedUnanswered = false;
    this.setState("open");
    this.emit("ready", frame);
    this.beat();
    for (const entry of this.outgoing.values()) this.transmit(entry);
    for (const mark of this.marks.values()) this.write(mark);
    this.marks.clear();
    if (this.presence) this.write({ type: "presence.set", status: this.presence });
  }

  private acked(ack: Ack): void {
    const entry = this.outgoing.get(ack.client_msg_id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.outgoing.delete(ack.client_msg_id);
    entry.resolve({
      conversation_id: ack.conversation_id,
      client_msg_id: ack.client_msg_id,
      message_id: ack.message_id,
      seq: ack.seq,
      duplicate: ack.duplicate,
    });
  }

  private refused(error: Extract<ServerFrame, { type: "error" }>): void {
    const entry = error.ref ? this.outgoing.get(error.ref) : undefined;
    if (entry) {
      clearTimeout(entry.timer);
      if (TRANSIENT.has(error.code)) {
        entry.timer = setTimeout(() => this.transmit(entry), this.jitter());
      } else {
        this.outgoing.delete(entry.frame.client_msg_id);
        entry.reject(new FrontdeskError(error.code, error.message));
      }
    } else if (error.code === "sync_failed" && error.ref) {
      void this.delivery.catchUp(error.ref);
    }
  }

  private transmit(entry: Outgoing): void {
    clearTimeout(entry.timer);
    if (this.current !== "open") return; // sent again on the next `ready`
    this.write(entry.frame);
    entry.timer = setTimeout(() => this.transmit(entry), this.ackTimeoutMs);
  }

  private mark(frame: Extract<ClientFrame, { type: "read" | "delivered" }>): void {
    if (this.current === "open") return this.write(frame);
    const key = `${frame.type}:${frame.conversation_id}`;
    const before = this.marks.get(key) as typeof frame | undefined;
    if (!before || before.up_to_seq < frame.up_to_seq) this.marks.set(key, frame);
  }

  private write(frame: ClientFrame): void {
    this.transport?.send(JSON.stringify(frame));
  }

  /** Pings keep a socket honest where the network drops it without a close (a phone going
   * into a tunnel): one that stays silent for two beats is replaced. */
  private beat(): void {
    clearInterval(this.heartbeat);
    this.lastHeard = Date.now();
    const transport = this.transport;
    this.heartbeat = setInterval(() => {
      if (!transport) return;
      if (Date.now() - this.lastHeard > 2 * this.heartbeatMs) return this.lost(transport);
      this.write({ type: "ping", id: `p${++this.pings}` });
    }, this.heartbeatMs);
  }

  private lost(transport: Transport, code?: number): void {
    if (transport !== this.transport) return;
    this.transport = undefined;
    clearInterval(this.heartbeat);
    transport.onmessage = transport.onclose = null;
    try {
      transport.close();
    } catch {
      // not open yet: it is dropped all the same
    }
    for (const entry of this.outgoing.values()) clearTimeout(entry.timer);
    if (this.stopped) return;
    this.setState("connecting");
    if (code === 4401) {
      void this.reauthorize();
    } else {
      this.retry = setTimeout(() => this.open(), this.backoff());
    }
  }

  /** 4401: the access token expired (or was ended). Refresh once and reconnect at once; a
   * second 4401 before `ready`, or a refused refresh, means signing in again. */
  private async reauthorize(): Promise<void> {
    if (this.refreshedUnanswered) {
      return this.stop(new FrontdeskError("signed_out", "The gateway keeps refusing the tokens: sign in again."));
    }
    this.refreshedUnanswered = true;
    try {
      await this.session.refreshAfter(this.signedInWith);
    } catch (error) {
      if (error instanceof FrontdeskError && error.code === "signed_out") return this.stop(error);
      this.refreshedUnanswered = false;
      this.retry = setTimeout(() => void this.reauthorize(), this.backoff());
      return;
    }
    if (!this.stopped) this.open();
  }

  private stop(reason: FrontdeskError): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    this.delivery.stop();
    if (this.transport) this.lost(this.transport);
    for (const entry of this.outgoing.values()) entry.reject(reason);
    this.outgoing.clear();
    this.setState("closed");
    if (reason.code !== "closed") this.emit("error", reason);
  }

  private backoff(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempts++);
    return Math.random() * ceiling;
  }

  /** A short random wait before retrying one thing (a send, a page) on a live socket. */
  private jitter(): number {
    return this.minMs * (1 + Math.random());
  }

  private setState(state: SocketState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit("state", state);
  }
}

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
