// The console speaks the shop's language: Chinese first, English at a click.
import { signal } from "./signal";

export type Lang = "zh" | "en";

const zh = {
  title: "Frontdesk 店务台",
  shopId: "店铺 ID",
  login: "账号",
  password: "密码",
  signIn: "登录",
  signOut: "退出",
  signInFailed: "登录失败",
  inbox: "消息",
  today: "今日预约",
  report: "报表",
  live: "实时",
  offline: "重新连接中…",
  unassigned: "未分配",
  assignedTo: "负责人",
  you: "我",
  customer: "顾客",
  assistant: "助手",
  autoReply: "自动回复",
  bookingUpdate: "预约通知",
  handoff: "助手转人工",
  handoffNote: "交接说明",
  pickConversation: "选择左侧的会话",
  reply: "回复…",
  send: "发送",
  readUpTo: "顾客已读",
  notes: "内部备注（顾客看不到）",
  addNote: "添加备注…",
  save: "保存",
  transfer: "转交",
  transferTo: "转交给",
  transferNote: "交接说明（顾客不用再说一遍）",
  templates: "快捷回复",
  assignMe: "分配给我",
  noBookings: "今天没有预约",
  noStaff: "不需要店员",
  firstResponse: "首次响应（平均）",
  sec: "秒",
  min: "分钟",
  hour: "小时",
  csat: "满意度（1–5）",
  conversations: "会话",
  answered: "已回复",
  noData: "这段时间没有数据",
  status_held: "待确认",
  status_confirmed: "已确认",
  status_checked_in: "已到店",
  status_in_service: "服务中",
  status_completed: "已完成",
  status_cancelled: "已取消",
  status_no_show: "未到店",
  status_expired: "已过期",
  photo: "图片",
  file: "文件",
  last30: "最近 30 天",
  conv_open: "处理中",
  conv_pending: "待跟进",
  conv_resolved: "已解决",
};

const en: typeof zh = {
  title: "Frontdesk console",
  shopId: "Shop ID",
  login: "Login",
  password: "Password",
  signIn: "Sign in",
  signOut: "Sign out",
  signInFailed: "Sign-in failed",
  inbox: "Inbox",
  today: "Today",
  report: "Report",
  live: "Live",
  offline: "Reconnecting…",
  unassigned: "Unassigned",
  assignedTo: "Assigned to",
  you: "me",
  customer: "Customer",
  assistant: "Assistant",
  autoReply: "Auto-reply",
  bookingUpdate: "Booking update",
  handoff: "Assistant handoff",
  handoffNote: "Handoff note",
  pickConversation: "Pick a conversation on the left",
  reply: "Reply…",
  send: "Send",
  readUpTo: "Customer has read",
  notes: "Internal notes (never shown to the customer)",
  addNote: "Add a note…",
  save: "Save",
  transfer: "Transfer",
  transferTo: "Transfer to",
  transferNote: "Handoff note (so the customer never repeats themselves)",
  templates: "Quick replies",
  assignMe: "Assign to me",
  noBookings: "No bookings today",
  noStaff: "No staff needed",
  firstResponse: "First response (average)",
  sec: "s",
  min: "min",
  hour: "h",
  csat: "Satisfaction (1–5)",
  conversations: "Conversations",
  answered: "Answered",
  noData: "Nothing in this period",
  status_held: "Held",
  status_confirmed: "Confirmed",
  status_checked_in: "Checked in",
  status_in_service: "In service",
  status_completed: "Completed",
  status_cancelled: "Cancelled",
  status_no_show: "No-show",
  status_expired: "Expired",
  photo: "Photo",
  file: "File",
  last30: "Last 30 days",
  conv_open: "Open",
  conv_pending: "Pending",
  conv_resolved: "Resolved",
};

export type Key = keyof typeof zh;

function initial(): Lang {
  const saved = localStorage.getItem("frontdesk.lang");
  if (saved === "zh" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const lang = signal<Lang>(initial());

export function setLang(next: Lang): void {
  localStorage.setItem("frontdesk.lang", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  lang.set(next);
}

export function t(key: Key | string): string {
  const table: Record<string, string> = lang.get() === "zh" ? zh : en;
  return table[key] ?? key;
}

export function locale(): string {
  return lang.get() === "zh" ? "zh-CN" : "en";
}
