// The inbox and one conversation: history and live messages, photos, read marks, notes,
// transfer with a handoff note, quick replies.
import { useEffect, useRef, useState } from "preact/hooks";
import { locale, t } from "../i18n";
import { use } from "../signal";
import {
  addNote,
  assign,
  setStatus,
  conversations,
  customerRead,
  handoffs,
  markRead,
  me,
  messages,
  names,
  notes,
  openConversation,
  original,
  renderTemplate,
  reply,
  staffIds,
  templates,
  thumbnail,
  type Conversation,
  type Message,
} from "../store";

export function Inbox() {
  const all = use(conversations);
  const people = use(names);
  const handedOff = use(handoffs);
  const [open, setOpen] = useState<string | null>(null);
  const list = [...all.values()].sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at));
  return (
    <div class="inbox">
      <ul class="conversations" data-testid="conversations">
        {list.map((c) => (
          <li
            key={c.id}
            data-testid="conversation"
            data-conversation={c.id}
            class={[c.id === open && "on", (handedOff.has(c.id) || c.handoff_note) && "handoff"].filter(Boolean).join(" ")}
            onClick={() => setOpen(c.id)}
          >
            <div class="row">
              <b>{people.get(c.customer_id) ?? t("customer")}</b>
              {c.unread_count > 0 && (
                <span class="badge" data-testid="unread">
                  {c.unread_count}
                </span>
              )}
            </div>
            <div class="preview">{c.last_message_preview}</div>
            <div class="meta">
              {handedOff.has(c.id) && <span class="flag">{t("handoff")}</span>}
              <span>{c.assignee_id ? `${t("assignedTo")}: ${personName(c.assignee_id, people)}` : t("unassigned")}</span>
            </div>
          </li>
        ))}
      </ul>
      {open ? <ConversationPane key={open} id={open} /> : <div class="empty">{t("pickConversation")}</div>}
    </div>
  );
}

function personName(id: string, people: Map<string, string>): string {
  return id === me.get()?.user_id ? `${people.get(id) ?? ""} (${t("you")})` : (people.get(id) ?? id.slice(0, 8));
}

function ConversationPane({ id }: { id: string }) {
  const conversation = use(conversations).get(id);
  const history = use(messages).get(id) ?? [];
  const shopNotes = use(notes).get(id) ?? [];
  const theyRead = use(customerRead).get(id) ?? 0;
  const people = use(names);
  const handedOff = use(handoffs).has(id);
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => void openConversation(id), [id]);
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
    if (document.visibilityState === "visible") markRead(id); // the staff member is looking at it
  }, [history.length]);
  if (!conversation) return null;
  return (
    <section class="conversation" data-testid="conversation-pane">
      <div class="history">
        {(conversation.handoff_note || handedOff) && (
          <div class={handedOff ? "handoff-note assistant" : "handoff-note"} data-testid="handoff-note">
            <b>{handedOff ? t("handoff") : t("handoffNote")}</b> {conversation.handoff_note}
          </div>
        )}
        {history.map((m) => (
          <Bubble key={m.message_id} m={m} read={m.sender_role !== "customer" && m.seq <= theyRead} people={people} />
        ))}
        <div ref={bottom} />
      </div>
      <Composer conversation={conversation} />
      <aside>
        <Assignment conversation={conversation} people={people} />
        <h4>{t("notes")}</h4>
        <ul class="notes" data-testid="notes">
          {shopNotes.map((n) => (
            <li key={n.note_id}>
              <small>{personName(n.author_id, people)}</small> {n.text}
            </li>
          ))}
        </ul>
        <OneLine placeholder={t("addNote")} button={t("save")} testid="note" onSubmit={(text) => addNote(id, text)} />
      </aside>
    </section>
  );
}

function Bubble({ m, read, people }: { m: Message; read: boolean; people: Map<string, string> }) {
  const who =
    m.sender_kind === "assistant"
      ? t("assistant")
      : m.sender_kind === "auto_reply"
        ? t("autoReply")
        : m.sender_kind === "booking_update"
          ? t("bookingUpdate")
          : m.sender_role === "customer"
            ? (people.get(m.sender_id) ?? t("customer"))
            : personName(m.sender_id, people);
  return (
    <div class={`bubble ${m.sender_role === "customer" ? "theirs" : "ours"} ${m.sender_kind}`} data-testid="message" data-seq={m.seq}>
      <small>
        {who} · {new Date(m.sent_at).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" })}
        {read && <span class="read" data-testid="read-mark"> ✓✓</span>}
      </small>
      {m.attachment && <Attachment m={m} />}
      {m.text && <p>{m.text}</p>}
    </div>
  );
}

function Attachment({ m }: { m: Message }) {
  const [src, setSrc] = useState<string | null>(null);
  const attachment = m.attachment!;
  useEffect(() => {
    if (m.kind === "image" && attachment.thumbnail_id) void thumbnail(attachment.attachment_id).then(setSrc);
  }, [attachment.attachment_id]);
  const show = async () => {
    const url = await original(attachment.attachment_id);
    if (url) window.open(url, "_blank");
  };
  if (m.kind === "image")
    return src ? <img class="thumb" src={src} alt={attachment.name} data-testid="thumbnail" onClick={show} /> : <span>{t("photo")}…</span>;
  return (
    <button class="link" onClick={show}>
      📎 {attachment.name}
    </button>
  );
}

function Composer({ conversation }: { conversation: Conversation }) {
  const [text, setText] = useState("");
  const [quick, setQuick] = useState<{ template_id: string; name?: string }[]>([]);
  useEffect(() => void templates().then(setQuick), []);
  const send = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return;
    const sending = text;
    setText("");
    await reply(conversation.id, sending);
  };
  return (
    <form class="composer" onSubmit={send}>
      {quick.length > 0 && (
        <select
          data-testid="templates"
          onChange={async (e) => {
            const picked = e.currentTarget.value;
            e.currentTarget.value = "";
            if (picked) setText(await renderTemplate(picked, conversation.id));
          }}
        >
          <option value="">{t("templates")}</option>
          {quick.map((q) => (
            <option value={q.template_id}>{q.name ?? q.template_id}</option>
          ))}
        </select>
      )}
      <textarea
        data-testid="reply"
        value={text}
        placeholder={t("reply")}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Enter" && !e.shiftKey && send(e)}
      />
      <button type="submit" data-testid="send">
        {t("send")}
      </button>
    </form>
  );
}

function Assignment({ conversation, people }: { conversation: Conversation; people: Map<string, string> }) {
  const staff = use(staffIds);
  const self = me.get()!.user_id;
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const transfer = async (event: Event) => {
    event.preventDefault();
    if (!to) return;
    setTo("");
    setNote("");
    await assign(conversation.id, to, note);
  };
  return (
    <div class="assignment">
      <p data-testid="assignee">
        {conversation.assignee_id ? `${t("assignedTo")}: ${personName(conversation.assignee_id, people)}` : t("unassigned")}
      </p>
      <select value={conversation.status} onChange={(e) => setStatus(conversation.id, e.currentTarget.value)} data-testid="status">
        {["open", "pending", "resolved"].map((s) => (
          <option value={s}>{t(`conv_${s}`)}</option>
        ))}
      </select>
      {conversation.assignee_id !== self && (
        <button onClick={() => assign(conversation.id, self, null)} data-testid="assign-me">
          {t("assignMe")}
        </button>
      )}
      <form onSubmit={transfer} data-testid="transfer">
        <label>
          {t("transferTo")}
          <select value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="transfer-to">
            <option value="" />
            {staff
              .filter((s) => s !== conversation.assignee_id)
              .map((s) => (
                <option value={s}>{personName(s, people)}</option>
              ))}
          </select>
        </label>
        <textarea value={note} placeholder={t("transferNote")} onInput={(e) => setNote(e.currentTarget.value)} data-testid="transfer-note" />
        <button type="submit" data-testid="transfer-submit">
          {t("transfer")}
        </button>
      </form>
    </div>
  );
}

function OneLine(props: { placeholder: string; button: string; testid: string; onSubmit: (text: string) => Promise<void> }) {
  const [text, setText] = useState("");
  return (
    <form
      class="oneline"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!text.trim()) return;
        await props.onSubmit(text);
        setText("");
      }}
    >
      <input value={text} placeholder={props.placeholder} onInput={(e) => setText(e.currentTarget.value)} data-testid={`${props.testid}-input`} />
      <button type="submit" data-testid={`${props.testid}-submit`}>
        {props.button}
      </button>
    </form>
  );
}
