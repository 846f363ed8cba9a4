"""A FastAPI backend that takes part in Switchboard's decisions (docs/proxy.md).

Switchboard runs beside it (`switchboard serve` with the proxy settings in README.md) and asks it:

- connect: who is this browser? From the app's own session cookie, which Switchboard forwards.
- subscribe: may this user subscribe to `orders.<id>`? From the app's own data (each user's orders).
- publish: is this chat message acceptable? Moderation: a blocked word refuses it, the text is cleaned and signed.
- rpc: `order.status` answers from the app's data.

The app publishes through Switchboard's HTTP API (`POST /orders/{id}/ship`), and `/` is a page using the JavaScript
client (clients/js, served at /js/switchboard/). The users, orders and sessions live in memory: a demo.
"""

import html
import json
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

SWITCHBOARD_URL = os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:8000")
SWITCHBOARD_API_KEY = os.environ.get("SWITCHBOARD_API_KEY", "dev-key")
SESSION_COOKIE = "session"

USERS = {
    "ada": {"password": "lovelace", "name": "Ada Lovelace", "orders": ["1234"]},
    "bob": {"password": "builder", "name": "Bob Builder", "orders": ["77"]},
}
ORDERS = {"1234": "paid", "77": "packing"}
BLOCKED = {"spam", "scam"}
RUDE = re.compile(r"\b(darn|heck)\b", re.IGNORECASE)

SESSIONS: dict[str, str] = {}  # session id -> user name

app = FastAPI(title="Switchboard PythonBackend sample")
CLIENT_JS = Path(__file__).resolve().parent.parent.parent / "clients" / "js"
app.mount("/js/switchboard", StaticFiles(directory=CLIENT_JS), name="switchboard-client")


def user_of(request: Request) -> str | None:
    """The signed-in user of a request: the browser's own, or one Switchboard forwards with the same cookie."""
    return SESSIONS.get(request.cookies.get(SESSION_COOKIE, ""))


def allow(data=None) -> dict:
    return {"result": {} if data is None else {"data": data}}


def refuse(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


# --- the app's own pages -----------------------------------------------------------------------------------------

@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/", response_class=HTMLResponse)
async def index(request: Request) -> str:
    user = user_of(request)
    if user is None:
        return LOGIN_PAGE
    page = (Path(__file__).resolve().parent / "page.html").read_text(encoding="utf-8")
    return page.replace("{{name}}", html.escape(USERS[user]["name"])).replace(
        "{{ws_url}}", json.dumps(SWITCHBOARD_URL.replace("http", "ws", 1) + "/ws")).replace(
        "{{orders}}", json.dumps(USERS[user]["orders"]))


@app.post("/login")
async def login(request: Request):
    # A plain form post, parsed here: python-multipart (FastAPI's Form) is not needed for two fields.
    form = parse_qs((await request.body()).decode("utf-8"))
    name = form.get("user", [""])[0]
    password = form.get("password", [""])[0]
    if name not in USERS or not secrets.compare_digest(USERS[name]["password"], password):
        return HTMLResponse(LOGIN_PAGE.replace("<!--error-->", "<p>Wrong user or password.</p>"), status_code=401)
    session = secrets.token_urlsafe(24)
    SESSIONS[session] = name
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
    return response


@app.post("/logout")
async def logout(request: Request):
    SESSIONS.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@app.post("/orders/{order}/ship")
async def ship(order: str, request: Request):
    """The app changes an order and tells its subscribers, through Switchboard's HTTP API."""
    user = user_of(request)
    if user is None or order not in USERS[user]["orders"]:
        return JSONResponse(refuse("forbidden", "not your order"), status_code=403)
    ORDERS[order] = "shipped"
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.post(f"{SWITCHBOARD_URL}/api/publish", headers={"X-API-Key": SWITCHBOARD_API_KEY},
                                   json={"channel": f"orders.{order}", "data": {"order": order, "status": "shipped"}})
    return JSONResponse(answer.json(), status_code=answer.status_code)


# --- the proxy endpoints Switchboard calls ---------------------------------------------------------------------

@app.post("/switchboard/connect")
async def connect(request: Request) -> dict:
    user = user_of(request)
    if user is None:
        return refuse("unauthorized", "sign in first")
    return {"result": {"user": user, "data": {"name": USERS[user]["name"]}}}


@app.post("/switchboard/subscribe")
async def subscribe(request: Request) -> dict:
    call = await request.json()
    channel, user = call["channel"], call["user"]
    if channel.startswith("chat."):
        return allow()
    if channel.startswith("orders."):
        order = channel.removeprefix("orders.")
        if user is not None and order in USERS.get(user, {}).get("orders", []):
            return allow({"order": order, "status": ORDERS[order]})
        return refuse("forbidden", "not your order")
    return refuse("forbidden", f"no such channel: {channel}")


@app.post("/switchboard/publish")
async def publish(request: Request) -> dict:
    call = await request.json()
    if not call["channel"].startswith("chat."):
        return refuse("forbidden", "only chat channels take messages from clients")
    text = call["data"].get("text", "") if isinstance(call["data"], dict) else ""
    if not isinstance(text, str) or not text.strip():
        return refuse("bad_request", "a chat message is {\"text\": \"...\"}")
    if any(word in BLOCKED for word in re.findall(r"\w+", text.lower())):
        return refuse("forbidden", "message refused by moderation")
    # Published in place of what the client sent: cleaned, and signed by the user the session says.
    return allow({"text": RUDE.sub(lambda m: "*" * len(m.group()), text), "user": call["user"]})


@app.post("/switchboard/rpc")
async def rpc(request: Request) -> dict:
    call = await request.json()
    if call["method"] == "order.status":
        order = str((call.get("data") or {}).get("order", ""))
        if call["user"] is None or order not in USERS.get(call["user"], {}).get("orders", []):
            return refuse("forbidden", "not your order")
        return allow({"order": order, "status": ORDERS[order]})
    return refuse("not_found", f"no method {call['method']}")


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body>
<h1>Sign in</h1>
<!--error-->
<form method="post" action="/login">
  <label>User <input name="user" value="ada"></label>
  <label>Password <input name="password" type="password" value="lovelace"></label>
  <button>Sign in</button>
</form>
<p>Demo users: ada / lovelace, bob / builder.</p>
</body></html>
"""
