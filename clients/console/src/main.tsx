import { render } from "preact";
import { useState } from "preact/hooks";
import { lang, setLang, t } from "./i18n";
import { use } from "./signal";
import { connection, me, signIn, signOut, start } from "./store";
import { Inbox } from "./views/inbox";
import { Report } from "./views/report";
import { Today } from "./views/today";
import "./styles.css";

type Tab = "inbox" | "today" | "report";

function App() {
  use(lang);
  const who = use(me);
  const [tab, setTab] = useState<Tab>("inbox");
  if (!who) return <SignIn />;
  return (
    <div class="app">
      <header>
        <strong>{t("title")}</strong>
        <nav>
          {(["inbox", "today", "report"] as Tab[]).map((name) => (
            <button class={tab === name ? "tab on" : "tab"} data-testid={`tab-${name}`} onClick={() => setTab(name)}>
              {t(name)}
            </button>
          ))}
        </nav>
        <Connection />
        <span class="who">{who.name}</span>
        <LangSwitch />
        <button class="link" onClick={signOut}>
          {t("signOut")}
        </button>
      </header>
      <main>{tab === "inbox" ? <Inbox /> : tab === "today" ? <Today /> : <Report />}</main>
    </div>
  );
}

function Connection() {
  const state = use(connection);
  return <span class={`conn ${state}`} data-testid="connection">{state === "open" ? t("live") : t("offline")}</span>;
}

function LangSwitch() {
  const current = use(lang);
  return (
    <button class="link" data-testid="lang" onClick={() => setLang(current === "zh" ? "en" : "zh")}>
      {current === "zh" ? "English" : "中文"}
    </button>
  );
}

function SignIn() {
  const params = new URLSearchParams(location.search);
  const [shopId, setShopId] = useState(params.get("shop") ?? localStorage.getItem("frontdesk.shop") ?? "");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    setError("");
    try {
      localStorage.setItem("frontdesk.shop", shopId);
      await signIn(shopId.trim(), login.trim(), password);
    } catch (e) {
      setError(`${t("signInFailed")}: ${(e as Error).message}`);
    }
  };
  return (
    <form class="signin" onSubmit={submit}>
      <h1>{t("title")}</h1>
      <label>
        {t("shopId")}
        <input name="shop" value={shopId} onInput={(e) => setShopId(e.currentTarget.value)} required />
      </label>
      <label>
        {t("login")}
        <input name="login" value={login} onInput={(e) => setLogin(e.currentTarget.value)} required />
      </label>
      <label>
        {t("password")}
        <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
      </label>
      {error && <p class="error">{error}</p>}
      <button type="submit">{t("signIn")}</button>
      <LangSwitch />
    </form>
  );
}

/** The gateway's address: the static server's /config.json says where it is. */
async function gatewayUrl(): Promise<string> {
  try {
    const config = await (await fetch("/config.json")).json();
    if (config.gateway) return config.gateway;
  } catch {
    // served by `vite dev` alone: the gateway's default port on the same host
  }
  return `${location.protocol}//${location.hostname}:8000`;
}

setLang(lang.get());
start(await gatewayUrl());
render(<App />, document.getElementById("app")!);
