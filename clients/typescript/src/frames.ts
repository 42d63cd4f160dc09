// The socket's frames, typed from docs/websocket.md (the reference).

export interface Attachment {
  attachment_id: string;
  name: string;
  mime: string;
  size: number;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  thumbnail_id: string | null;
}

/** A message as `message.new` carries it; messages paged over REST while resuming (past
 * 1000 missed) add `recalled`, `edited_at` and lack `shop_id`/`customer_id`. */
export interface Message {
  conversation_id: string;
  message_id: string;
  seq: number;
  sender_id: string;
  sender_role: "owner" | "staff" | "customer";
  /** `person`, `auto_reply`, `assistant` (show it as the shop's assistant), `booking_update`,
   * `waitlist_offer` (offer "confirm" for `booking_update.booking_id`) or `call` (a call that
   * is over: `call` says how it went). */
  sender_kind: string;
  client_msg_id: string;
  kind: "text" | "image" | "voice" | "video" | "file";
  text: string;
  sent_at: string;
  attachment: Attachment | null;
  shop_id?: string;
  customer_id?: string;
  recalled?: boolean;
  edited_at?: string | null;
  booking_update?: { booking_id?: string; update_id?: string; photo_ref?: string | null; live_view_id?: string | null } | null;
  call?: CallSummary | null;
}

export type CallMedia = "audio" | "video" | "live_view";
export type CallOutcome = "completed" | "missed" | "declined" | "cancelled" | "failed";

/** A call that is over, as its message in the conversation says (docs/calls.md). */
export interface CallSummary {
  call_id: string;
  media: CallMedia;
  outcome: CallOutcome;
  caller_id: string;
  answered_by: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration_ms: number;
  booking_id: string | null;
}

/** A call as both sides see it while it rings, runs and ends. */
export interface Call {
  call_id: string;
  conversation_id: string;
  media: CallMedia;
  caller: { user_id: string; role: "owner" | "staff" | "customer" };
  state: "ringing" | "active" | "ended";
  answered_by: { user_id: string; role: "owner" | "staff" | "customer" } | null;
  started_at: string;
  outcome: CallOutcome | null;
  reason: "hangup" | "dropped" | "timeout" | "declined" | "cancelled" | "limit" | "booking_completed" | null;
  duration_ms: number;
  booking_id: string | null;
}

/** RTCPeerConnection's iceServers entry: short-lived TURN credentials. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
  ttl: number;
}

export type CallFrame =
  | { type: "call.ringing"; ref: string | null; call: Call; ice_servers: IceServer[] }
  | { type: "call.incoming"; call: Call }
  | { type: "call.accepted"; call: Call; ice_servers?: IceServer[] | null }
  | { type: "call.answered_elsewhere" | "call.left" | "call.ended"; call: Call }
  | { type: "call.offer" | "call.answer"; call_id: string; from: string; sdp: string }
  | { type: "call.ice"; call_id: string; from: string; candidate: Record<string, unknown> | null };

export interface Ack {
  conversation_id: string;
  client_msg_id: string;
  message_id: string;
  seq: number;
  /** The message had been stored before (a resend after a lost ack). */
  duplicate: boolean;
}

export interface Booking {
  booking_id: string;
  shop_id: string;
  customer_id: string;
  status: string;
  starts_at: string;
  ends_at: string;
  staff_id: string | null;
  at: string;
  [field: string]: unknown;
}

export interface WaitlistEntry {
  entry_id: string;
  shop_id: string;
  customer_id: string;
  booking_id: string | null;
  at: string;
  [field: string]: unknown;
}

export type BookingChange =
  | "held" | "confirmed" | "expired" | "cancelled" | "moved" | "proposal_made" | "proposal_accepted"
  | "proposal_declined" | "checked_in" | "started" | "progress" | "completed" | "no_show";

export type BookingFrame =
  | { type: `booking.${BookingChange}`; booking: Booking }
  | { type: "waitlist.offered" | "waitlist.taken" | "waitlist.declined" | "waitlist.expired"; entry: WaitlistEntry };

export type ServerFrame =
  | { type: "ready"; user_id: string; shop_id: string; role: "owner" | "staff" | "customer" }
  | { type: "message.new"; message: Message }
  | ({ type: "ack" } & Ack)
  | { type: "error"; code: string; message: string; ref?: string | null }
  | { type: "sync.done"; ref: string | null }
  | { type: "sync.more"; conversation_id: string; after_seq: number }
  | { type: "pong"; ref: string | null }
  | { type: "typing"; conversation_id: string; user_id: string; role: string }
  | { type: "presence"; user_id: string; status: "online" | "busy" | "offline" }
  | { type: "conversation.opened"; conversation: Record<string, unknown> & { conversation_id: string } }
  | BookingFrame
  | CallFrame
  | { type: string; [field: string]: unknown };

export type ClientFrame =
  | { type: "auth"; access_token: string; id?: string; sync?: Record<string, number> }
  | { type: "message.send"; conversation_id: string; client_msg_id: string; text?: string; attachment_id?: string }
  | { type: "read" | "delivered"; conversation_id: string; up_to_seq: number }
  | { type: "typing"; conversation_id: string }
  | { type: "sync"; id: string; conversations: Record<string, number> }
  | { type: "presence.set"; status: "online" | "busy" }
  | { type: "ping"; id: string }
  | { type: "call.invite"; id?: string; media: "audio" | "video"; conversation_id: string }
  | { type: "call.invite"; id?: string; media: "live_view"; booking_id: string }
  | { type: "call.accept" | "call.decline" | "call.cancel" | "call.hangup"; id?: string; call_id: string }
  | { type: "call.offer" | "call.answer"; call_id: string; sdp: string }
  | { type: "call.ice"; call_id: string; candidate: Record<string, unknown> | null };
