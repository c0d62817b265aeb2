// The sandbox chat page: act as a demo identity in a chat with the bot, and read their SMS/email.
// Everything the server sends is rendered through textContent and createElement, never innerHTML,
// so bot text cannot inject markup; only entities become elements.
"use strict";

const $ = (id) => document.getElementById(id);
const api = (path, options) => fetch(`/sandbox/api/${path}`, options).then(async (response) => {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
});
const postJson = (path, body) => api(path, {
  method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
});

const page = {
  identities: [], userId: null, chatId: null, isPrivate: false, revision: -1, poll: null, followBottom: true,
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "className") node.className = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

// --- formatting: text + MessageEntity list (UTF-16 offsets, as JS strings use) -------------------

const SAFE_URL = /^(https?:|tg:|mailto:)/i;

function entityElement(entity, inner) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
    blockquote: "blockquote", expandable_blockquote: "blockquote" };
  if (tags[entity.type]) return el(tags[entity.type]);
  if (entity.type === "spoiler") {
    return el("span", { className: "spoiler", onclick: (e) => e.currentTarget.classList.add("shown") });
  }
  const url = entity.type === "text_link" ? entity.url : entity.type === "url" ? inner : null;
  if (url && SAFE_URL.test(url)) return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
  if (entity.type === "bot_command") {
    return el("span", { className: "cmd", onclick: () => sendText(inner) });
  }
  if (entity.type === "mention") return el("span", { className: "mention" });
  return el("span");
}

function renderEntities(text, start, end, entities) {
  const fragment = document.createDocumentFragment();
  let position = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const entityEnd = entity.offset + entity.length;
    let j = i + 1;
    while (j < entities.length && entities[j].offset < entityEnd) j += 1;
    if (entity.offset > position) fragment.append(text.slice(position, entity.offset));
    const node = entityElement(entity, text.slice(entity.offset, entityEnd));
    node.append(renderEntities(text, Math.max(entity.offset, position), entityEnd, entities.slice(i + 1, j)));
    fragment.append(node);
    position = Math.max(position, entityEnd);
    i = j;
  }
  if (position < end) fragment.append(text.slice(position, end));
  return fragment;
}

function formatted(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return el("span", { className: "text" }, renderEntities(text, 0, text.length, sorted));
}

// --- the conversation --------------------------------------------------------------------------

function inlineButtons(message) {
  if (!message.buttons.length) return null;
  const grid = el("div", { className: "buttons" });
  for (const row of message.buttons) {
    const line = el("div", { className: "row" });
    for (const button of row) {
      if (button.url && SAFE_URL.test(button.url)) {
        line.append(el("a", { href: button.url, target: "_blank", rel: "noopener noreferrer" }, button.text));
      } else {
        line.append(el("button", { type: "button", "data-callback": button.callback_data || "",
          onclick: () => press(message.id, button.callback_data) }, button.text));
      }
    }
    grid.append(line);
  }
  return grid;
}

function messageItem(message) {
  const kind = message.mine ? "mine" : message.is_bot ? "bot" : "other";
  const item = el("li", { className: `msg ${kind}`, "data-id": String(message.id) });
  if (!message.mine) item.append(el("span", { className: "sender" }, message.sender));
  if (message.reply_to) {
    item.append(el("span", { className: "reply" }, `${message.reply_to.sender}: ${message.reply_to.text}`));
  }
  if (message.photo_url) {
    // Pictures grow the list after it was scrolled; keep the newest message in view if it was.
    const picture = el("img", { src: message.photo_url, alt: "photo" });
    picture.addEventListener("load", () => { if (page.followBottom) scrollToBottom(); });
    item.append(picture);
  }
  if (message.document) {
    const size = `${Math.ceil(message.document.size / 1024)} KB`;
    item.append(el("a", { href: message.document.url, download: message.document.name },
      `📄 ${message.document.name} (${size})`), "\n");
  }
  if (message.contact) item.append(`📇 ${message.contact.first_name} ${message.contact.phone_number}`);
  if (message.text) item.append(formatted(message.text, message.entities));
  const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  item.append(el("span", { className: "meta" }, (message.edited ? "已编辑 edited · " : "") + time));
  const buttons = inlineButtons(message);
  if (buttons) item.append(buttons);
  return item;
}

function replyKeyboard(markup) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  box.hidden = !markup;
  if (!markup) return;
  for (const row of markup.keyboard) {
    const line = el("div", { className: "row" });
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      line.append(el("button", { type: "button",
        onclick: () => (button.request_contact ? shareContact() : sendText(button.text)) }, button.text));
    }
    box.append(line);
  }
}

function commandMenu(commands) {
  const menu = $("command-menu");
  menu.replaceChildren(...commands.map((c) => el("button", { type: "button",
    onclick: () => { menu.hidden = true; $("text").value = `/${c.command} `; $("text").focus(); } },
  `/${c.command} — ${c.description}`)));
  $("commands").hidden = commands.length === 0;
}

function scrollToBottom() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

function showConversation(data) {
  const list = $("messages");
  const last = data.messages[data.messages.length - 1];
  page.followBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60 || Boolean(last && last.mine);
  list.replaceChildren(...data.messages.map(messageItem));
  if (page.followBottom) scrollToBottom();
  const pinned = data.messages.find((m) => m.id === data.pinned);
  $("pinned").hidden = !pinned;
  $("pinned").textContent = pinned ? `📌 ${pinned.text || "…"}` : "";
  replyKeyboard(data.reply_keyboard);
  commandMenu(data.commands);
  $("contact").hidden = !data.is_private;
  $("action").hidden = !data.action;
  clearTimeout(showConversation.actionTimer);
  showConversation.actionTimer = setTimeout(() => { $("action").hidden = true; }, 5000);
}

async function followChat() {
  if (page.poll) page.poll.abort();
  const controller = new AbortController();
  page.poll = controller;
  page.revision = -1;
  $("messages").replaceChildren();
  while (!controller.signal.aborted) {
    try {
      const query = `chat_id=${page.chatId}&user_id=${page.userId}&since=${page.revision}`;
      const data = await api(`messages?${query}`, { signal: controller.signal });
      if (controller.signal.aborted) return;
      page.revision = data.revision;
      showConversation(data);
    } catch (error) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// --- acting ------------------------------------------------------------------------------------

async function sendText(text) {
  if (!text.trim()) return;
  try {
    await postJson("send", { user_id: page.userId, chat_id: page.chatId, text });
  } catch (error) {
    toast(error.message);
  }
}

async function press(messageId, data) {
  try {
    const result = await postJson("press", { user_id: page.userId, chat_id: page.chatId, message_id: messageId, data });
    const answer = result.answer;
    if (answer && answer.text) {
      if (answer.show_alert) alert(answer.text); else toast(answer.text);
    }
  } catch (error) {
    toast(error.message);
  }
}

async function shareContact() {
  try {
    await postJson("contact", { user_id: page.userId, chat_id: page.chatId });
  } catch (error) {
    toast(error.message);
  }
}

async function uploadFile(file) {
  const form = new FormData();
  form.append("user_id", page.userId);
  form.append("chat_id", page.chatId);
  form.append("file", file, file.name);
  try {
    await api("upload", { method: "POST", body: form });
  } catch (error) {
    toast(error.message);
  }
}

// --- inbox -------------------------------------------------------------------------------------

function inboxItem(item) {
  const when = new Date(item.at * 1000).toLocaleString();
  const head = el("div", { className: "head" },
    `${item.kind === "sms" ? "📱 SMS" : "✉️ Email"} · ${item.sender} → ${item.recipient} · ${when}` +
    (item.status ? ` · ${item.status}` : ""));
  const entry = el("li", { className: item.direction === "out" ? "out" : "in" }, head);
  if (item.subject) entry.append(el("div", { className: "subject" }, item.subject));
  if (item.headers && item.headers["List-Unsubscribe"]) {
    entry.append(el("div", { className: "head" }, `List-Unsubscribe: ${item.headers["List-Unsubscribe"]}`));
  }
  if (item.html) {
    const frame = el("iframe", { sandbox: "", title: item.subject || "email", referrerpolicy: "no-referrer" });
    frame.srcdoc = item.html;
    entry.append(frame);
  } else {
    entry.append(el("div", { className: "msg" }, item.body));
  }
  return entry;
}

async function refreshInbox() {
  if (page.userId === null) return;
  try {
    const items = await api(`inbox?user_id=${page.userId}`);
    $("inbox-count").textContent = items.length ? `(${items.length})` : "";
    if (!$("inbox-view").hidden) $("inbox").replaceChildren(...items.map(inboxItem));
  } catch (error) {
    // the next refresh tries again
  }
}

// --- choosing who and where --------------------------------------------------------------------

async function chooseIdentity(userId) {
  page.userId = Number(userId);
  const person = page.identities.find((p) => p.id === page.userId);
  $("role").textContent = person ? [person.role, person.phone, person.email].filter(Boolean).join(" · ") : "";
  const chats = await api(`chats?user_id=${page.userId}`);
  $("chat").replaceChildren(...chats.map((c) =>
    el("option", { value: String(c.id) }, c.type === "private" ? `🤖 ${c.title}` : `👥 ${c.title}`)));
  const wanted = chats.find((c) => String(c.id) === new URLSearchParams(location.search).get("chat"));
  if (wanted) $("chat").value = String(wanted.id);
  localStorage.setItem("sandbox.identity", String(page.userId));
  refreshInbox();
  if (chats.length) chooseChat($("chat").value, chats);
}

function chooseChat(chatId, chats) {
  page.chatId = Number(chatId);
  const chat = (chats || []).find((c) => c.id === page.chatId);
  page.isPrivate = chat ? chat.type === "private" : false;
  $("contact").hidden = !page.isPrivate;
  followChat();
}

function showTab(name) {
  $("chat-view").hidden = name !== "chat";
  $("inbox-view").hidden = name !== "inbox";
  $("tab-chat").classList.toggle("active", name === "chat");
  $("tab-inbox").classList.toggle("active", name === "inbox");
  if (name === "inbox") refreshInbox();
}

async function start() {
  page.identities = await api("identities");
  $("identity").replaceChildren(...page.identities.map((p) =>
    el("option", { value: String(p.id) }, p.label || `${p.first_name} (${p.id})`)));
  const asked = new URLSearchParams(location.search).get("user") || localStorage.getItem("sandbox.identity");
  if (asked && page.identities.some((p) => String(p.id) === asked)) $("identity").value = asked;
  $("identity").addEventListener("change", (e) => chooseIdentity(e.target.value));
  $("chat").addEventListener("change", async (e) => chooseChat(e.target.value, await api(`chats?user_id=${page.userId}`)));
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("text").value;
    $("text").value = "";
    sendText(text);
  });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", (e) => {
    if (e.target.files.length) uploadFile(e.target.files[0]);
    e.target.value = "";
  });
  $("contact").addEventListener("click", shareContact);
  $("commands").addEventListener("click", () => { $("command-menu").hidden = !$("command-menu").hidden; });
  $("tab-chat").addEventListener("click", () => showTab("chat"));
  $("tab-inbox").addEventListener("click", () => showTab("inbox"));
  $("sms-reply").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = $("sms-text").value.trim();
    if (!body) return;
    $("sms-text").value = "";
    try { await postJson("sms_reply", { user_id: page.userId, body }); } catch (error) { toast(error.message); }
    refreshInbox();
  });
  setInterval(refreshInbox, 2000);
  if (page.identities.length) await chooseIdentity($("identity").value);
}

start().catch((error) => toast(`加载失败 Failed to load: ${error.message}`));
