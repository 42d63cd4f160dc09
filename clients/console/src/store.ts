// What the console knows: the signed-in staff member, the shop's conversations and today's
// bookings, kept current by the socket. Views read these signals; only this module writes them.
import { Frontdesk, type FrontdeskSocket } from "@frontdesk/sdk";
import { signal } from "./signal";

export type Conversation = {
  id: string;
  customer_id: string;
  last_seq: number;
  last_activity_at: string;
  last_message_preview: string | null;
  status: string;
  unread_count: number;
  read_seq: number;
  assignee_id: string | null;
  handoff_note: string | null;
};
export type Message = {
  conversation_id: string;
  message_id: string;
  seq: number;
  sender_id: string;
  sender_role: string;
  sender_kind: string;
  kind: string;
  text: string;
  sent_at: string;
  attachment: { attachment_id: string; name: string; thumbnail_id: string | null } | null;
};
export type Note = { note_id: string; text: string; author_id: string; added_at: string };
export type Booking = {
  booking_id: string;
  service_id: string;
  service_name?: string;
  staff_id: string | null;
  customer_id: string;
  status: string;
  starts_at: string;
  ends_at: string;
};
export type Me = { user_id: string; shop_id: string; role: string; name: string };

export const me = signal<Me | null>(null);
export const connection = signal<"connecting" | "open" | "closed">("connecting");
export const conversations = signal<Map<string, Conversation>>(new Map());
export const messages = signal<Map<string, Message[]>>(new Map());
export const notes = signal<Map<string, Note[]>>(new Map());
export const names = signal<Map<string, string>>(new Map());
export const staffIds = signal<string[]>([]);
export const services = signal<Map<string, string>>(new Map());
export const timezone = signal("Asia/Shanghai");
export const todays = signal<Map<string, Booking>>(new Map());
/** The customer's read mark per conversation, from receipt.read frames. */
export const customerRead = signal<Map<string, number>>(new Map());
/** Conversations the assistant handed to a person (its last assignment came from no staff member). */
export const handoffs = signal<Set<string>>(new Set());

let fd: Frontdesk;
let socket: FrontdeskSocket | null = null;
let calendar: { from: string; to: string; cursor: string } | null = null;

export function client(): Frontdesk {
  return fd;
}

export function start(baseUrl: string): boolean {
  const saved = sessionStorage.getItem("frontdesk.session");
  fd = new Frontdesk({ baseUrl, tokens: saved ? JSON.parse(saved).tokens : undefined, onTokens: remember });
  if (!saved) return false;
  void enter(JSON.parse(saved).me);
  return true;
}

function remember(tokens: unknown): void {
  const saved = JSON.parse(sessionStorage.getItem("frontdesk.session") ?? "{}");
  sessionStorage.setItem("frontdesk.session", JSON.stringify({ ...saved, tokens }));
}

export async function signIn(shopId: string, login: string, password: string): Promise<void> {
  const answer = await fd.signIn({ login, password, shopId });
  const who: Me = { user_id: answer.user_id, shop_id: answer.shop_id, role: answer.role, name: login };
  const saved = JSON.parse(sessionStorage.getItem("frontdesk.session") ?? "{}");
  sessionStorage.setItem("frontdesk.session", JSON.stringify({ ...saved, me: who }));
  await enter(who);
}

export function signOut(): void {
  socket?.close();
  socket = null;
  sessionStorage.removeItem("frontdesk.session");
  me.set(null);
}

async function enter(who: Me): Promise<void> {
  me.set(who);
  socket = fd.connect();
  socket.on("state", (s) => {
    connection.set(s);
    if (s === "open" && calendar) void catchUpCalendar(); // after a gap: exactly what changed
  });
  socket.on("message", onMessage);
  socket.on("booking", (frame) => {
    if ("booking" in frame) onBooking(frame.booking as unknown as Booking);
  });
  socket.on("frame", onFrame);
  await Promise.all([loadConversations(), loadPeople().then(loadToday)]);
}

// -- conversations ---------------------------------------------------------------------

async function loadConversations(): Promise<void> {
  const { data } = await fd.rest.GET("/v1/conversations");
  conversations.set(new Map((data as Conversation[]).map((c) => [c.id, c])));
  for (const c of data as Conversation[]) void nameOf(c.customer_id);
}

async function refreshConversation(id: string): Promise<void> {
  const { data } = await fd.rest.GET("/v1/conversations/{conversation_id}", {
    params: { path: { conversation_id: id } },
  });
  if (!data) return;
  conversations.update((all) => new Map(all).set(id, data as Conversation));
  void nameOf((data as Conversation).customer_id);
}

export async function openConversation(id: string): Promise<void> {
  const [history, shopNotes] = await Promise.all([
    fd.rest.GET("/v1/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: id }, query: { after_seq: 0, limit: 200 } },
    }),
    fd.rest.GET("/v1/conversations/{conversation_id}/notes", { params: { path: { conversation_id: id } } }),
  ]);
  const list = (history.data?.messages ?? []) as unknown as Message[];
  messages.update((all) => new Map(all).set(id, merge(all.get(id) ?? [], list)));
  notes.update((all) => new Map(all).set(id, shopNotes.data ?? []));
  markRead(id);
}

export function markRead(id: string): void {
  const last = (messages.get().get(id) ?? []).at(-1);
  const conversation = conversations.get().get(id);
  if (!last || !conversation || conversation.read_seq >= last.seq) return;
  socket?.markRead(id, last.seq);
  conversations.update((all) => new Map(all).set(id, { ...conversation, unread_count: 0, read_seq: last.seq }));
}

function merge(have: Message[], more: Message[]): Message[] {
  const bySeq = new Map(have.map((m) => [m.seq, m]));
  for (const m of more) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function onMessage(m: Message): void {
  messages.update((all) => (all.has(m.conversation_id) ? new Map(all).set(m.conversation_id, merge(all.get(m.conversation_id)!, [m])) : all));
  const known = conversations.get().get(m.conversation_id);
  if (!known) return void refreshConversation(m.conversation_id);
  const theirs = m.sender_role === "customer"; // a staff member counts only the customer's messages
  conversations.update((all) =>
    new Map(all).set(m.conversation_id, {
      ...known,
      last_seq: Math.max(known.last_seq, m.seq),
      last_activity_at: m.sent_at,
      last_message_preview: m.text || (m.attachment ? m.attachment.name : ""),
      unread_count: known.unread_count + (theirs ? 1 : 0),
    }),
  );
}

function onFrame(frame: any): void {
  const id: string | undefined = frame.conversation_id;
  if (!id) return;
  if (frame.type === "conversation.assigned") {
    // The round-robin assigns as nobody; the assistant hands off as itself, no staff member.
    const byAssistant = frame.assigned_by && !staffIds.get().includes(frame.assigned_by);
    if (frame.assigned_by)
      handoffs.update((all) => {
        const next = new Set(all);
        if (byAssistant) next.add(id);
        else next.delete(id);
        return next;
      });
    void refreshConversation(id);
  } else if (frame.type === "conversation.status") {
    void refreshConversation(id);
  } else if (frame.type === "note.new") {
    notes.update((all) => new Map(all).set(id, [...(all.get(id) ?? []).filter((n) => n.note_id !== frame.note_id), frame]));
  } else if (frame.type === "receipt.read" && frame.reader_role === "customer") {
    customerRead.update((all) => new Map(all).set(id, Math.max(frame.up_to_seq, all.get(id) ?? 0)));
  } else if (frame.type === "receipt.read" && frame.reader_id === me.get()?.user_id) {
    const c = conversations.get().get(id);
    if (c && frame.up_to_seq >= c.last_seq) conversations.update((all) => new Map(all).set(id, { ...c, unread_count: 0 }));
  }
}

export async function reply(id: string, text: string): Promise<void> {
  await socket?.send(id, { text });
}

export async function addNote(id: string, text: string): Promise<void> {
  const { data } = await fd.rest.POST("/v1/conversations/{conversation_id}/notes", {
    params: { path: { conversation_id: id } },
    body: { text },
  });
  if (data) notes.update((all) => new Map(all).set(id, [...(all.get(id) ?? []).filter((n) => n.note_id !== data.note_id), data]));
}

export async function assign(id: string, assigneeId: string, handoffNote: string | null): Promise<void> {
  await fd.rest.PUT("/v1/conversations/{conversation_id}/assignment", {
    params: { path: { conversation_id: id } },
    body: { assignee_id: assigneeId, handoff_note: handoffNote || null },
  });
  await refreshConversation(id);
}

/** Resolving asks the customer for a rating (CSAT). */
export async function setStatus(id: string, status: string): Promise<void> {
  await fd.rest.PUT("/v1/conversations/{conversation_id}/status", {
    params: { path: { conversation_id: id } },
    body: { status: status as "open" | "pending" | "resolved" },
  });
  await refreshConversation(id);
}

export async function templates(): Promise<{ template_id: string; name?: string; text: string }[]> {
  const { data } = await fd.rest.GET("/v1/shops/{shop_id}/templates", { params: { path: { shop_id: me.get()!.shop_id } } });
  return (data ?? []) as unknown as { template_id: string; name?: string; text: string }[];
}

export async function renderTemplate(templateId: string, conversationId: string): Promise<string> {
  const { data } = await fd.rest.GET("/v1/shops/{shop_id}/templates/{template_id}/render", {
    params: { path: { shop_id: me.get()!.shop_id, template_id: templateId }, query: { conversation_id: conversationId } },
  });
  return data?.text ?? "";
}

export async function thumbnail(attachmentId: string): Promise<string | null> {
  const { data } = await fd.rest.GET("/v1/attachments/{attachment_id}/thumbnail", {
    params: { path: { attachment_id: attachmentId } },
    parseAs: "blob",
  });
  return data ? URL.createObjectURL(data as Blob) : null;
}

export async function original(attachmentId: string): Promise<string | null> {
  const { data } = await fd.rest.GET("/v1/attachments/{attachment_id}", {
    params: { path: { attachment_id: attachmentId } },
    parseAs: "blob",
  });
  return data ? URL.createObjectURL(data as Blob) : null;
}

// -- people ----------------------------------------------------------------------------

const asked = new Set<string>();

async function nameOf(customerId: string): Promise<void> {
  if (asked.has(customerId)) return;
  asked.add(customerId);
  const { data } = await fd.rest.GET("/v1/customers/{customer_id}/profile", {
    params: { path: { customer_id: customerId } },
  });
  const name = data?.name;
  if (typeof name === "string" && name) names.update((all) => new Map(all).set(customerId, name));
}

/** Staff names: the owner's staff list when the caller may read it, else the catalog's profiles. */
async function loadPeople(): Promise<void> {
  const shop = me.get()!.shop_id;
  const [staff, catalog, presence] = await Promise.all([
    fd.rest.GET("/v1/shops/{shop_id}/staff", { params: { path: { shop_id: shop } } }),
    fd.rest.GET("/v1/shops/{shop_id}/catalog", { params: { path: { shop_id: shop } } }),
    fd.rest.GET("/v1/presence"),
  ]);
  // the catalog and presence answers are loosely typed in the OpenAPI: read as they are
  const shopCatalog = (catalog.data ?? {}) as { staff?: { staff_id: string; name: string }[]; services?: any[]; timezone?: string };
  const online = (presence.data ?? {}) as { staff?: { user_id: string }[] };
  const found = new Map<string, string>();
  for (const p of shopCatalog.staff ?? []) found.set(p.staff_id, p.name);
  for (const s of staff.data ?? []) if (s.status === "active") found.set(s.staff_id, s.name);
  for (const p of online.staff ?? []) if (!found.has(p.user_id)) found.set(p.user_id, p.user_id.slice(0, 8));
  names.update((all) => new Map([...all, ...found]));
  staffIds.set([...found.keys()]);
  services.set(new Map((shopCatalog.services ?? []).map((s: any) => [s.id ?? s.service_id, s.name])));
  if (shopCatalog.timezone) timezone.set(shopCatalog.timezone);
  const mine = found.get(me.get()!.user_id);
  if (mine) me.update((m) => m && { ...m, name: mine });
}

// -- today's bookings ------------------------------------------------------------------

/** Midnight to midnight today in the shop's timezone, as instants with an offset. */
function todayRange(): { from: string; to: string } {
  const zone = timezone.get();
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date()); // YYYY-MM-DD
  const midnight = (date: string) => {
    const guess = new Date(`${date}T00:00:00Z`);
    const local = new Date(guess.toLocaleString("en-US", { timeZone: zone }));
    const utc = new Date(guess.toLocaleString("en-US", { timeZone: "UTC" }));
    return new Date(guess.getTime() - (local.getTime() - utc.getTime())).toISOString();
  };
  const next = new Date(`${day}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { from: midnight(day), to: midnight(next.toISOString().slice(0, 10)) };
}

async function loadToday(): Promise<void> {
  const range = todayRange();
  const { data } = await fd.rest.GET("/v1/shops/{shop_id}/calendar", {
    params: { path: { shop_id: me.get()!.shop_id }, query: { from: range.from, to: range.to } },
  });
  if (!data) return;
  calendar = { ...range, cursor: data.cursor };
  todays.set(new Map(data.entries.filter((e: any) => e.kind === "booking").map((e: any) => [e.booking_id, e as Booking])));
}

async function catchUpCalendar(): Promise<void> {
  for (let more = true; more && calendar; ) {
    const { data } = await fd.rest.GET("/v1/shops/{shop_id}/calendar", {
      params: { path: { shop_id: me.get()!.shop_id }, query: { ...calendar, limit: 1000 } },
    });
    if (!data) return;
    todays.update((all) => {
      const next = new Map(all);
      for (const e of data.entries) if (e.kind === "booking") next.set(e.booking_id as string, e as unknown as Booking);
      for (const gone of data.gone) next.delete(gone);
      return next;
    });
    calendar = { ...calendar, cursor: data.cursor };
    more = data.has_more;
  }
}

/** A booking frame: the booking after the change; it belongs on today's page if it starts today. */
function onBooking(booking: Booking | undefined): void {
  if (!booking || !calendar) return;
  const starts = Date.parse(booking.starts_at);
  const today = starts >= Date.parse(calendar.from) && starts < Date.parse(calendar.to);
  todays.update((all) => {
    const next = new Map(all);
    if (today) next.set(booking.booking_id, { ...all.get(booking.booking_id), ...booking });
    else next.delete(booking.booking_id);
    return next;
  });
}

export async function report(): Promise<any[]> {
  const until = new Date();
  const since = new Date(until.getTime() - 30 * 86400_000);
  const { data } = await fd.rest.GET("/v1/shops/{shop_id}/reports", {
    params: {
      path: { shop_id: me.get()!.shop_id },
      query: { since: since.toISOString(), until: until.toISOString(), period: "day" },
    },
  });
  return data ?? [];
}
