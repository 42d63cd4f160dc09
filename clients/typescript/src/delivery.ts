import type { Message } from "./frames.js";

/** Pages a conversation's messages after a seq over REST: `GET …/messages?after_seq=`. */
export type Pager = (conversationId: string, afterSeq: number) => Promise<{ messages: Message[]; last_seq: number }>;

const REMEMBERED_IDS = 10_000;

/**
 * Hands the app each message exactly once and in seq order per conversation, whatever the
 * socket does: a resume that overlaps what arrived before the drop, a reconnect, a
 * conversation past 1000 missed messages (`sync.more`) or one whose catch-up failed, paged
 * over REST while live messages for it wait here.
 */
export class Delivery {
  /** The last seq handed to the app per conversation: what a reconnect resumes from. */
  readonly lastSeqs = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, Message[]>();
  private stopped = false;

  constructor(
    private readonly deliver: (message: Message) => void,
    private readonly page: Pager,
    private readonly retryMs: () => number,
  ) {}

  /** Resume a conversation from a seq the app kept (0: from its start) if not further already. */
  track(conversationId: string, lastSeq: number): void {
    if ((this.lastSeqs.get(conversationId) ?? -1) < lastSeq) this.lastSeqs.set(conversationId, lastSeq);
  }

  /** The socket was closed for good: stop paging. */
  stop(): void {
    this.stopped = true;
  }

  receive(message: Message): void {
    const conversation = message.conversation_id;
    const waiting = this.waiting.get(conversation);
    if (waiting) {
      waiting.push(message);
      return;
    }
    const last = this.lastSeqs.get(conversation);
    if (last !== undefined && message.seq > last + 1) {
      // Seqs are gapless: something is missing in between, page it before this one.
      void this.catchUp(conversation, [message]);
      return;
    }
    this.accept(message);
  }

  /** Page a conversation over REST from its last seq (`sync.more`, `sync_failed`). */
  catchUp(conversationId: string, held: Message[] = []): Promise<void> {
    if (this.waiting.has(conversationId)) {
      this.waiting.get(conversationId)!.push(...held);
      return Promise.resolve();
    }
    this.waiting.set(conversationId, held);
    return this.pageAll(conversationId);
  }

  private async pageAll(conversationId: string): Promise<void> {
    while (!this.stopped) {
      try {
        const after = this.lastSeqs.get(conversationId) ?? 0;
        const page = await this.page(conversationId, after);
        page.messages.forEach((message) => this.accept(message));
        const reached = this.lastSeqs.get(conversationId) ?? 0;
        if (page.messages.length === 0 || reached >= page.last_seq) break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, this.retryMs()));
      }
    }
    const held = this.waiting.get(conversationId) ?? [];
    this.waiting.delete(conversationId);
    held.sort((a, b) => a.seq - b.seq).forEach((message) => this.receive(message));
  }

  private accept(message: Message): void {
    const last = this.lastSeqs.get(message.conversation_id);
    if (this.seen.has(message.message_id) || (last !== undefined && message.seq <= last)) return;
    this.remember(message.message_id);
    this.lastSeqs.set(message.conversation_id, message.seq);
    this.deliver(message);
  }

  private remember(messageId: string): void {
    this.seen.add(messageId);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value!);
  }
}
