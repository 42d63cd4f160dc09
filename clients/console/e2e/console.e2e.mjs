// The staff console in a real browser (Debian's chromium through playwright-core), against the
// real services. tests/test_console.py sets the shop up, starts this script with its details in
// the environment, and checks afterwards what the customer's own client received.
//
// A staff member signs in, sees a customer's message arrive live, replies, notes, transfers
// with a handoff note and resolves; a booking made through the API shows on today's page
// within a second. With SCREENSHOTS set, the main screens are saved there.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const gateway = env("GATEWAY_URL");
const customerToken = env("CUSTOMER_TOKEN");
const shots = process.env.SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

/** A call as the customer's app (or another app of `token`) makes it. */
async function asCustomer(method, path, body, token = customerToken) {
  const response = await fetch(gateway + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function within(ms, what, wait) {
  const started = Date.now();
  await wait(ms);
  const took = Date.now() - started;
  console.log(`${what}: ${took} ms`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"], // tests run as root in CI containers
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, locale: "zh-CN" });
  page.on("console", (m) => m.type() === "error" && console.log("page:", m.text()));
  page.setDefaultTimeout(10_000);
  const shot = async (name) => shots && (await page.screenshot({ path: join(shots, `${name}.png`) }));

  // Sign in.
  await page.goto(`${env("CONSOLE_URL")}/?shop=${env("SHOP_ID")}`);
  await page.fill("input[name=login]", env("STAFF_LOGIN"));
  await page.fill("input[name=password]", env("PASSWORD"));
  await shot("sign-in");
  await page.click("button[type=submit]");
  await page.locator(".conn.open").waitFor();

  // A customer writes; the conversation appears in the inbox with its unread count.
  const conversation = await asCustomer("POST", "/v1/conversations", {});
  const asked = env("CUSTOMER_TEXT");
  await asCustomer("POST", `/v1/conversations/${conversation.id}/messages`, { client_msg_id: "web-1", text: asked });
  const row = page.locator(`[data-conversation="${conversation.id}"]`);
  await within(5000, "customer message in the inbox", (ms) => row.filter({ hasText: asked }).waitFor({ timeout: ms }));
  if ((await row.getByTestId("unread").textContent()) !== "1") throw new Error("unread count is not 1");

  // Open it; a photo the customer sends shows as its thumbnail.
  await row.click();
  await page.getByTestId("message").filter({ hasText: asked }).waitFor();
  const form = new FormData();
  form.append("file", new Blob([readFileSync(env("PHOTO"))], { type: "image/png" }), "golden.png");
  const uploaded = await fetch(`${gateway}/v1/conversations/${conversation.id}/attachments`, {
    method: "POST",
    headers: { authorization: `Bearer ${customerToken}` },
    body: form,
  }).then((r) => r.json());
  await asCustomer("POST", `/v1/conversations/${conversation.id}/messages`, {
    client_msg_id: "web-photo",
    attachment_id: uploaded.attachment_id,
    text: "洗澡前",
  });
  const thumb = page.getByTestId("thumbnail");
  await thumb.waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=thumbnail]")?.naturalWidth > 0);

  // Reply.
  await page.getByTestId("reply").fill(env("REPLY_TEXT"));
  await page.getByTestId("send").click();
  await page.locator(".bubble.ours").filter({ hasText: env("REPLY_TEXT") }).waitFor();
  await row.getByTestId("unread").waitFor({ state: "detached" }); // read by opening it

  // The customer reads the reply: the read mark shows.
  const history = await asCustomer("GET", `/v1/conversations/${conversation.id}/messages?after_seq=0`);
  const last = history.messages.at(-1).seq;
  await asCustomer("POST", `/v1/conversations/${conversation.id}/read`, { up_to_seq: last });
  await page.getByTestId("read-mark").first().waitFor();

  // An internal note, then a transfer with a handoff note.
  await page.getByTestId("note-input").fill(env("NOTE_TEXT"));
  await page.getByTestId("note-submit").click();
  await page.getByTestId("notes").filter({ hasText: env("NOTE_TEXT") }).waitFor();
  await page.getByTestId("transfer-to").selectOption(env("COLLEAGUE_ID"));
  await page.getByTestId("transfer-note").fill(env("TRANSFER_NOTE"));
  await page.getByTestId("transfer-submit").click();
  await page.getByTestId("assignee").filter({ hasText: env("COLLEAGUE_NAME") }).waitFor();
  await page.getByTestId("handoff-note").filter({ hasText: env("TRANSFER_NOTE") }).waitFor();
  await shot("conversation");

  // Resolved: the customer rates the shop (the report's CSAT).
  await page.getByTestId("status").selectOption("resolved");
  let survey = null;
  for (let i = 0; i < 50 && !survey; i++) {
    survey = (await asCustomer("GET", `/v1/conversations/${conversation.id}`)).open_survey_id;
    if (!survey) await new Promise((r) => setTimeout(r, 100));
  }
  await asCustomer("POST", `/v1/conversations/${conversation.id}/survey`, { survey_id: survey, rating: 5, comment: "很满意" });

  // The shop turns its assistant on; another customer asks for a person: the assistant's
  // handoff stands out in the inbox, its note on top of the conversation.
  await asCustomer("PUT", `/v1/shops/${env("SHOP_ID")}/assistant`, { mode: "always" }, env("OWNER_TOKEN"));
  const second = env("SECOND_CUSTOMER_TOKEN");
  const other = await asCustomer("POST", "/v1/conversations", {}, second);
  await asCustomer("POST", `/v1/conversations/${other.id}/messages`, { client_msg_id: "web-2", text: env("HANDOFF_TEXT") }, second);
  const handedOff = page.locator(`[data-conversation="${other.id}"].handoff`);
  await handedOff.locator(".flag").waitFor({ timeout: 20_000 });
  await handedOff.click();
  await page.locator(".handoff-note.assistant").waitFor();
  await page.locator(".bubble.assistant").first().waitFor();
  await shot("assistant-handoff");

  // Today's bookings: a booking made through the API is on the page within a second.
  await page.getByTestId("tab-today").click();
  const booked = await asCustomer("POST", "/v1/bookings", { service_id: env("SERVICE_ID"), starts_at: env("STARTS_AT") });
  const card = page.locator(`[data-booking="${booked.id}"]`);
  await within(1000, "held booking on today's page", (ms) => card.waitFor({ timeout: ms }));
  await asCustomer("POST", `/v1/bookings/${booked.id}/confirm`, {});
  await within(1000, "confirmation on today's page", (ms) =>
    page.locator(`[data-booking="${booked.id}"][data-status=confirmed]`).waitFor({ timeout: ms }),
  );
  await shot("today");

  await page.getByTestId("tab-report").click();
  await page.getByTestId("chart-csat").waitFor();
  await shot("report");

  // The same console in English.
  await page.getByTestId("lang").click();
  await page.getByTestId("tab-inbox").click();
  await row.click();
  await page.getByText("Assigned to").first().waitFor();
  await shot("conversation-en");
  console.log("console: every step passed");
} finally {
  await browser.close();
}
