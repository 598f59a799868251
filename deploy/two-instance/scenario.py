#!/usr/bin/env python3
"""The two-instance scenario, run by deploy/two-instance/run.sh once PostgreSQL, Redis,
the fake Graph server, two `garasi serve` processes and Caddy are up. Python 3 stdlib only.

1. 20 showrooms through the root API (one with a custom domain), each with a Cloud API
   WhatsApp channel pointed at the fake Graph server and a few cars.
2. HTTPS through Caddy for a subdomain and the custom domain (curl --resolve --cacert with
   Caddy's local root CA); no certificate for an unknown domain.
3. Load across all showrooms, every response checked to name its own showroom and no other.
4. Signed inbound webhooks, so the bot's replies queue in the outbox; then `kill -9` of the
   instance holding the WhatsApp leases while replies are pending.
5. Checks: the survivor kept serving (no 5xx but the requests in flight at the kill, never
   another showroom's data), every lease moved to the survivor within the lease timeout,
   and every outbox message pending at the kill reached Graph exactly once.
Exits 1 with the reasons on any failed check, after printing the figures.
"""

import collections
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

E = os.environ
WORK = E["TWO_WORK"]
HTTPS_PORT = int(E["TWO_HTTPS_PORT"])
ASK_PORT = int(E["TWO_ASK_PORT"])
GRAPH_PORT = int(E["TWO_GRAPH_PORT"])
ADMIN_HOST = E["TWO_ADMIN_HOST"]
TENANT_DOMAIN = E["TWO_TENANT_DOMAIN"]
DB_URL = E["TWO_DB_URL"]
CA = E["TWO_CA"]
PIDS = [int(p) for p in E["TWO_PIDS"].split(",")]
INTERNAL = [int(p) for p in E["TWO_INTERNAL"].split(",")]
SHOWROOMS = int(E.get("TWO_SHOWROOMS", "20"))
THREADS = int(E.get("TWO_THREADS", "4"))
WARMUP = float(E.get("TWO_WARMUP", "4"))
CUSTOMERS = int(E.get("TWO_CUSTOMERS", "4"))
CARS = int(E.get("TWO_CARS", "3"))
CUSTOM_INDEX = 7  # the showroom with its own domain
PASSWORD = "Kuat-Sekali-2026"
# Garasi's production lease timings (crates/channels/src/config.rs, LeaseTimings::default):
# a lease lasts 20 s, renewed every 5 s with the instance's heartbeat; an instance whose
# heartbeat is older than the TTL is dead and another takes over its leases and claimed jobs
# at its next renewal (docs/DEPLOY.md promises within 30 s).
LEASE_TTL, LEASE_RENEW = 20.0, 5.0
HANDOVER_LIMIT = 30.0
OUT_JOB_LOCK = 120.0  # how long a claimed outbound job stays locked to its worker

failures = []
FIRST_CONTACT = threading.Lock()


def fail(msg):
    failures.append(msg)
    print(f"  FAIL: {msg}", flush=True)


def fatal(msg):
    print(f"\ntwo-instance scenario FAILED: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- database (observation only: the superuser reads the platform tables) -------------

def sql(query):
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", DB_URL, "-c", query],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fatal(f"psql failed: {out.stderr.strip()} ({query})")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


# --- HTTPS through Caddy, as a browser with DNS pointing at it would connect ------------

CTX = None


class Conn(http.client.HTTPSConnection):
    """Connects to Caddy on loopback but sends the showroom's host as SNI and Host."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", HTTPS_PORT), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def conn(host, timeout=20):
    return Conn(host, HTTPS_PORT, context=CTX, timeout=timeout)


def request(method, host, path, token=None, body=None, headers=None, c=None):
    own = c is None
    c = c or conn(host)
    h = {"accept": "application/json"} if path.startswith("/api") else {}
    h.update(headers or {})
    if token:
        h["authorization"] = f"Bearer {token}"
    raw = body
    if body is not None and not isinstance(body, (bytes, str)):
        raw = json.dumps(body).encode()
        h["content-type"] = "application/json"
    try:
        c.request(method, path, body=raw, headers=h)
        resp = c.getresponse()
        data = resp.read()
    finally:
        if own:
            c.close()
    return resp.status, data


def api(method, host, path, token=None, body=None, want=200):
    status, data = request(method, host, path, token, body)
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data[:200]
    if status != want:
        fatal(f"{method} https://{host}{path} answered {status}, wanted {want}: {parsed}")
    return parsed


def curl(host, path="/"):
    """The operator's check from docs/DEPLOY.md: curl through Caddy with its root CA."""
    return subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
         "--resolve", f"{host}:{HTTPS_PORT}:127.0.0.1", "--cacert", CA,
         f"https://{host}:{HTTPS_PORT}{path}"], capture_output=True, text=True)


# --- showrooms ----------------------------------------------------------------------

class Showroom:
    def __init__(self, i):
        self.i = i
        self.slug = f"uji{i:02d}"
        self.name = f"Mobil Jaya {i:02d}"
        self.host = f"{self.slug}.{TENANT_DOMAIN}"
        self.domain = f"www.dealer{i:02d}.test" if i == CUSTOM_INDEX else None
        self.site = self.domain or self.host  # where its public pages live
        self.pnid = f"10900000{i:02d}"
        self.app_secret = f"app-secret-{i:02d}-{random.randrange(1 << 30)}"
        self.token = None
        self.tenant_id = None
        self.paths = ["/", "/mobil", "/kontak", "/sitemap.xml"]


def create_showroom(root, s):
    body = {"name": s.name, "slug": s.slug, "owner_email": f"owner@{s.slug}.test",
            "owner_password": PASSWORD, "whatsapp_number": f"0812-{s.i:04d}-7890"}
    if s.domain:
        body["domain"] = s.domain
    t = api("POST", ADMIN_HOST, "/api/admin/tenants", root, body, want=201)
    s.tenant_id = t["id"]
    # The first handshakes for new names one at a time: Debian's caddy 2.6.2 refuses some
    # concurrent first handshakes of different names with "on-demand rate limit exceeded"
    # even with no rate limit configured (its debug log says so), a Caddy matter this
    # test is not about. Browsers meet new showrooms one by one in practice.
    with FIRST_CONTACT:
        api("GET", s.host, "/readyz")
    s.token = api("POST", s.host, "/api/auth/login", body={"email": f"owner@{s.slug}.test",
                                                          "password": PASSWORD})["token"]
    api("PUT", s.host, "/api/whatsapp/channel", s.token,
        {"kind": "cloud_api", "phone_number_id": s.pnid, "access_token": f"EAAG-token-{s.i:02d}",
         "app_secret": s.app_secret, "verify_token": f"verify-{s.i:02d}"})
    models = [("Toyota", "Avanza", 195), ("Honda", "Brio", 150), ("Daihatsu", "Xenia", 170),
              ("Suzuki", "Ertiga", 180), ("Mitsubishi", "Xpander", 230)]
    for k in range(CARS):
        brand, model, price = models[k % len(models)]
        car = api("POST", s.host, "/api/cars", s.token, {
            "brand": brand, "model": model, "variant": "1.5 G", "year": 2019 + k,
            "price": (price + s.i) * 1_000_000, "mileage_km": 20_000 + 1000 * k,
            "transmission": "AT", "fuel": "bensin", "body_type": "MPV", "color": "Putih",
            "plate_number": f"B {1000 + s.i * 10 + k} UJI", "condition": "used",
            "description": f"Unit {s.name} nomor {k}.", "status": "available"}, want=201)
        s.paths.append(f"/mobil/{car['slug']}")


# --- load ---------------------------------------------------------------------------

class Load:
    """Threads that fetch every showroom's pages through Caddy, each response checked."""

    def __init__(self, showrooms):
        self.showrooms = showrooms
        self.stop = threading.Event()
        self.results = []  # (t0, t1, status or exception name, site, path, verdict)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(THREADS)]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def verdict(self, s, path, status, data):
        if status >= 500:
            return "5xx"
        if status != 200:
            return f"status {status}"
        text = data.decode("utf-8", "replace")
        for o in self.showrooms:
            if o is not s and (o.name in text or o.host in text or (o.domain and o.domain in text)):
                return f"names {o.slug}"
        own = s.site if path.endswith(".xml") else s.name
        if own not in text:
            return "missing own showroom"
        return "ok"

    def run(self, n):
        rnd = random.Random(n)
        conns = {}
        local = []
        k = n
        while not self.stop.is_set():
            s = self.showrooms[k % len(self.showrooms)]
            k += 1
            path = rnd.choice(s.paths)
            c = conns.get(s.site) or conn(s.site, timeout=15)
            conns[s.site] = c
            t0 = time.time()
            try:
                status, data = request("GET", s.site, path, headers={"accept-encoding": "identity"}, c=c)
                v = self.verdict(s, path, status, data)
                local.append((t0, time.time(), status, s.site, path, v))
            except Exception as e:  # a reset or timeout: recorded, and the connection renewed
                local.append((t0, time.time(), type(e).__name__, s.site, path, "exception"))
                c.close()
                conns.pop(s.site, None)
            if len(local) >= 200:
                with self.lock:
                    self.results.extend(local)
                local = []
        with self.lock:
            self.results.extend(local)


# --- WhatsApp -------------------------------------------------------------------------

def lease_pids(showrooms):
    """tenant id -> pid of the live lease holder (holder ids are `host-pid-random`)."""
    rows = sql("SELECT tenant_id, holder, expires_at > now() FROM wa_leases")
    out = {}
    for tid, holder, live in rows:
        parts = holder.rsplit("-", 2)
        out[tid] = int(parts[1]) if live == "t" and len(parts) == 3 and parts[1].isdigit() else None
    return {s.tenant_id: out.get(s.tenant_id) for s in showrooms}


def deliver(s, customer, wamid, text):
    """An inbound message as Meta posts it: signed with the showroom's app secret."""
    body = {"object": "whatsapp_business_account", "entry": [{"id": f"WABA{s.i}", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": f"62812{s.i:04d}7890", "phone_number_id": s.pnid},
            "contacts": [{"profile": {"name": "Andi"}, "wa_id": customer}],
            "messages": [{"from": customer, "id": wamid, "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": text}}]}}]}]}
    raw = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(s.app_secret.encode(), raw, hashlib.sha256).hexdigest()
    status, data = request("POST", s.host, "/webhooks/whatsapp", body=raw,
                           headers={"content-type": "application/json", "x-hub-signature-256": sig})
    if status != 200:
        fatal(f"webhook for {s.slug} answered {status}: {data[:200]!r}")


def outbox(state_sql):
    return sql("SELECT id::text, tenant_id::text, status, payload::text FROM jobs "
               f"WHERE queue = 'whatsapp_out' AND {state_sql}")


def graph_records():
    c = http.client.HTTPConnection("127.0.0.1", GRAPH_PORT, timeout=10)
    c.request("GET", "/_sent")
    return json.loads(c.getresponse().read())


def main():
    global CTX
    random.seed()
    showrooms = [Showroom(i) for i in range(1, SHOWROOMS + 1)]
    by_tenant = {}

    log("Caddy's ask, through its load-balanced loopback site and each instance's internal listener")
    for port, where in [(ASK_PORT, "caddy ask site")] + [(p, f"internal :{p}") for p in INTERNAL]:
        for domain, want in [(ADMIN_HOST, 200), ("nobody.example", 404)]:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", f"/tls/allowed?domain={domain}")
            got = c.getresponse().status
            if got != want:
                fatal(f"{where}: /tls/allowed?domain={domain} answered {got}, wanted {want}")

    # The admin host's first request makes Caddy issue its certificate and, the first time,
    # create the local CA whose root the clients below trust.
    log("the admin host over HTTPS (the first request creates Caddy's local CA)")
    r = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30",
                        "--resolve", f"{ADMIN_HOST}:{HTTPS_PORT}:127.0.0.1",
                        f"https://{ADMIN_HOST}:{HTTPS_PORT}/readyz"], capture_output=True, text=True)
    if r.stdout != "200":
        fatal(f"admin host through Caddy: {r.stdout} {r.stderr.strip()}")
    if not os.path.exists(CA):
        fatal(f"Caddy's local root CA is not at {CA}")
    CTX = ssl.create_default_context(cafile=CA)
    # Both instances, behind Caddy's round robin, report the shared key-value store.
    kinds = {api("GET", ADMIN_HOST, "/readyz").get("kv") for _ in range(6)}
    if kinds != {"redis"}:
        fatal(f"/readyz through Caddy reports kv {kinds}, wanted redis on both instances")

    log(f"root login, then {SHOWROOMS} showrooms through the root API "
        f"({showrooms[CUSTOM_INDEX - 1].slug} with the custom domain {showrooms[CUSTOM_INDEX - 1].domain})")
    root = api("POST", ADMIN_HOST, "/api/auth/login",
               body={"email": E["TWO_ROOT_EMAIL"], "password": E["TWO_ROOT_PASSWORD"]})["token"]
    t0 = time.time()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: create_showroom(root, s), showrooms))
    for s in showrooms:
        by_tenant[s.tenant_id] = s
    log(f"  created with channels and {CARS} cars each in {time.time() - t0:.1f}s")

    log("HTTPS through Caddy with its root CA: a subdomain, the custom domain, and a stranger")
    custom = showrooms[CUSTOM_INDEX - 1]
    for host in [showrooms[0].host, custom.domain]:
        r = curl(host)
        if r.returncode != 0 or r.stdout != "200":
            fatal(f"https://{host} through Caddy: exit {r.returncode}, status {r.stdout!r}, {r.stderr.strip()}")
        log(f"  https://{host}/ -> {r.stdout} (certificate verified against Caddy's root)")
    r = curl("unknown-dealer.example")
    if r.returncode == 0:
        fatal(f"an unknown domain got a certificate and answered {r.stdout}")
    log(f"  https://unknown-dealer.example/ -> no certificate (curl exit {r.returncode}: {r.stderr.strip()})")

    log("every showroom's WhatsApp connected, each number leased by exactly one instance")
    deadline = time.time() + 60
    while True:
        pids = lease_pids(showrooms)
        if all(p in PIDS for p in pids.values()):
            break
        if time.time() > deadline:
            fatal(f"not every showroom has a live lease held by {PIDS}: {pids}")
        time.sleep(0.3)
    for s in showrooms:
        st = api("GET", s.host, "/api/whatsapp/status", s.token)
        if st.get("status") != "connected":
            fatal(f"{s.slug}: WhatsApp status {st.get('status')}, wanted connected")
    holders = collections.Counter(pids.values())
    victim = holders.most_common(1)[0][0]
    survivor = next(p for p in PIDS if p != victim)
    log(f"  leases per pid: {dict(holders)}; the victim is {victim}, the survivor {survivor}")

    load = Load(showrooms)
    log(f"load: {THREADS} threads over {len(showrooms)} showrooms ({sum(len(s.paths) for s in showrooms)} urls)")
    load.start()
    time.sleep(WARMUP)

    log(f"{CUSTOMERS} signed inbound webhooks per showroom, so bot replies queue in the outbox")
    tag = random.randrange(1 << 30)
    msgs = [(s, f"62857{s.i:02d}{k:05d}", f"wamid.IN{tag}x{s.i}x{k}",
             random.choice(["halo, ada avanza?", "ada brio matic?", "mobil keluarga 200 juta ada?",
                            "xenia tahun berapa?"]))
            for k in range(CUSTOMERS) for s in showrooms]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda m: deliver(*m), msgs))
    # Kill once the bot has read every inbound message and its replies wait in the victim's
    # outbox (the typing pause before each text keeps them there for seconds). An inbound
    # message the victim was still processing is taken over with its heartbeat too, but the
    # integration test crates/app/tests/it/crash.rs covers that case; this one counts replies.
    victim_ids = ",".join(f"'{s.tenant_id}'" for s in showrooms if pids[s.tenant_id] == victim)
    deadline = time.time() + 60
    while True:
        inbound_active = int(sql("SELECT count(*) FROM jobs WHERE queue = 'whatsapp_in' "
                                 "AND status IN ('queued', 'running')")[0][0])
        pending = outbox(f"status IN ('queued', 'running') AND tenant_id IN ({victim_ids})")
        if inbound_active == 0:
            break
        if time.time() > deadline:
            fatal(f"{inbound_active} inbound messages still unprocessed 60 s after delivery")
        time.sleep(0.05)
    if not pending:
        fatal("the bot answered everything before the kill: no outbound message was pending "
              "on the victim (raise TWO_CUSTOMERS)")

    t_kill = time.time()
    os.kill(victim, signal.SIGKILL)
    with open(os.path.join(WORK, "killed.pid"), "w") as f:
        f.write(str(victim))  # run.sh's clean-up must not signal this pid again
    # What was pending at the kill: the victim can write nothing more now.
    at_kill = outbox("status IN ('queued', 'running')")
    inbound_at_kill = sql("SELECT count(*) FROM jobs WHERE queue = 'whatsapp_in' AND status IN ('queued', 'running')")[0][0]
    log(f"kill -9 {victim}: {len(at_kill)} outbound messages pending "
        f"({sum(1 for j in at_kill if j[2] == 'running')} running), {inbound_at_kill} inbound unprocessed")

    victim_tenants = [s.tenant_id for s in showrooms if pids[s.tenant_id] == victim]
    moved = {}
    deadline = t_kill + HANDOVER_LIMIT + 15
    while len(moved) < len(victim_tenants) and time.time() < deadline:
        now = lease_pids(showrooms)
        for tid in victim_tenants:
            if tid not in moved and now[tid] == survivor:
                moved[tid] = time.time() - t_kill
            if now[tid] == victim and time.time() - t_kill > LEASE_TTL + 2:
                fail(f"{by_tenant[tid].slug}: the dead instance's lease is still live {time.time() - t_kill:.1f}s after the kill")
        time.sleep(0.2)
    for tid in victim_tenants:
        if tid not in moved:
            fail(f"{by_tenant[tid].slug}: the lease never moved to the survivor")
        elif moved[tid] > HANDOVER_LIMIT:
            fail(f"{by_tenant[tid].slug}: the lease moved after {moved[tid]:.1f}s (limit {HANDOVER_LIMIT:.0f}s)")
    if moved:
        log(f"  leases on the survivor: {len(moved)}/{len(victim_tenants)} within "
            f"{min(moved.values()):.1f}-{max(moved.values()):.1f}s of the kill")

    # Messages the victim had already claimed are taken over with its leases; the deadline
    # still allows for the outbound job lease (120 s) as the worst case.
    log("waiting for the outbox to drain on the survivor")
    deadline = t_kill + OUT_JOB_LOCK + 40
    while True:
        left = outbox("status <> 'done'")
        inbound_left = sql("SELECT count(*) FROM jobs WHERE queue = 'whatsapp_in' AND status <> 'done'")[0][0]
        if any(j[2] == "dead" for j in left):
            fail(f"dead outbound messages: {[(j[0], j[2]) for j in left if j[2] == 'dead']}")
            break
        if not left and inbound_left == "0":
            break
        if time.time() > deadline:
            fail(f"the outbox did not drain: {len(left)} outbound, {inbound_left} inbound jobs left")
            break
        time.sleep(0.3)
    t_drained = time.time() - t_kill
    time.sleep(2)  # some load on the survivor alone after the hand-over, too
    load.finish()

    # --- exactly once: every outbound job against what Graph received -------------------
    pnid_of = {s.tenant_id: s.pnid for s in showrooms}
    records = graph_records()
    sends = collections.Counter()
    for r in records:
        if r["kind"] == "message" and r["body"].get("type") == "text":
            sends[(r["pnid"], r["body"]["to"], r["body"]["text"]["body"])] += 1
    unknown = [r for r in records if r["kind"] in ("unknown", "bad_json")]
    jobs = outbox("true")
    wanted = collections.Counter()
    key_of = {}
    for jid, tid, status, payload in jobs:
        p = json.loads(payload)
        if p.get("text") is None:
            continue  # photos; these cars have none, so the bot sends none
        key = (pnid_of[tid], p["to"].lstrip("+"), p["text"])
        wanted[key] += 1
        key_of[jid] = key
    send_times = collections.defaultdict(list)
    for r in records:
        if r["kind"] == "message" and r["body"].get("type") == "text":
            send_times[(r["pnid"], r["body"]["to"], r["body"]["text"]["body"])].append(r["t"])
    first_send = {k: min(ts) for k, ts in send_times.items()}
    victim_set = set(victim_tenants)
    # Garasi's outbox delivers at least once (crates/store/src/jobs.rs): a message the victim
    # handed to Graph in its last instant, before it could mark the job done, is sent again
    # by the survivor. That one case (the victim's job running at the kill, its first send no
    # later than the kill) is counted and shown; any other count but one send per outbox
    # message fails, as does this one under TWO_STRICT_ONCE=1.
    victim_running = {key_of[j[0]] for j in at_kill if j[0] in key_of and j[2] == "running" and j[1] in victim_set}
    resent = []
    for key in set(wanted) | set(sends):
        if sends[key] == wanted[key]:
            continue
        s = next((x for x in showrooms if x.pnid == key[0]), None)
        what = (f"{s.slug if s else key[0]} to {key[1]}: {wanted[key]} outbox message(s), "
                f"{sends[key]} Graph send(s) of {key[2][:50]!r}")
        crash_window = (key in victim_running and sends[key] == wanted[key] + 1
                        and sorted(send_times[key])[0] <= t_kill + 0.5)
        if crash_window and E.get("TWO_STRICT_ONCE") != "1":
            resent.append(what)
            log(f"  resent after the crash (at-least-once): {what}, first send "
                f"{sorted(send_times[key])[0] - t_kill:+.3f}s from the kill")
        else:
            fail(what)
    victim_set = set(victim_tenants)
    late = collections.defaultdict(list)
    for jid, tid, status, _ in at_kill:
        if jid in key_of and key_of[jid] in first_send:
            who = "victim's" if tid in victim_set else "survivor's"
            late[f"{who} {status}"].append(first_send[key_of[jid]] - t_kill)
    pending_keys = [key_of[j[0]] for j in at_kill if j[0] in key_of]
    pending_once = sum(1 for k in pending_keys if sends[k] == wanted[k])
    pending_lost = sum(1 for k in pending_keys if sends[k] < wanted[k])
    replied = {r["body"]["to"] for r in records if r["kind"] == "message" and r["body"].get("type") == "text"}
    no_reply = [m[1] for m in msgs if m[1] not in replied]
    if no_reply:
        fail(f"{len(no_reply)} customers got no reply, e.g. {no_reply[:3]}")
    if not at_kill:
        fail("no outbound message was pending at the kill")

    # --- the load: statuses and tenant isolation -----------------------------------------
    res = sorted(load.results)
    verdicts = collections.Counter(r[5] for r in res)
    in_flight = [r for r in res if r[0] <= t_kill <= r[1]]
    bad = [r for r in res if r[5] != "ok"]
    excused = [r for r in bad if r[0] <= t_kill <= r[1] and r[5] in ("5xx", "exception")]
    unexcused = [r for r in bad if r not in excused]
    for r in unexcused[:10]:
        fail(f"{r[5]} ({r[2]}) for https://{r[3]}{r[4]} at kill{r[0] - t_kill:+.2f}s")
    if len(unexcused) > 10:
        fail(f"... and {len(unexcused) - 10} more bad responses")
    wrong = [r for r in res if r[5].startswith("names ")]
    after = [r for r in res if r[0] > t_kill and r[5] == "ok"]
    if not after:
        fail("no successful request after the kill")

    secs = res[-1][1] - res[0][0] if res else 0
    print("\n== figures", flush=True)
    print(f"requests          {len(res)} in {secs:.1f}s ({len(res) / max(secs, 0.1):.0f}/s) over "
          f"{len(showrooms)} showrooms, {THREADS} threads; {len(after)} ok after the kill")
    print(f"verdicts          {dict(verdicts)}")
    print(f"errors            {len(bad)}: {len(excused)} in flight at the kill "
          f"(of {len(in_flight)} in flight), {len(unexcused)} otherwise, "
          f"{len(wrong)} naming another showroom")
    for r in bad[:5]:
        print(f"                  {r[5]} ({r[2]}) https://{r[3]}{r[4]} started kill{r[0] - t_kill:+.3f}s")
    hv = sorted(moved.values())
    if hv:
        print(f"lease hand-over   {len(hv)}/{len(victim_tenants)} leases to the survivor, "
              f"{hv[0]:.1f}s min, {hv[len(hv) // 2]:.1f}s median, {hv[-1]:.1f}s max after the kill "
              f"(heartbeat ttl {LEASE_TTL:.0f}s + renewal {LEASE_RENEW:.0f}s)")
    print(f"whatsapp          {len(msgs)} inbound; {len(at_kill)} outbound pending at the kill, "
          f"{pending_once} of them delivered exactly once, {len(resent)} twice (sent by the victim as it died), "
          f"{pending_lost} never; {len(key_of)} outbound in all, "
          f"{sum(sends.values())} Graph text sends; outbox drained {t_drained:.1f}s after the kill")
    for what, ds in sorted(late.items()):
        print(f"  {len(ds):3} {what:18} at the kill: delivered {min(ds):.1f}-{max(ds):.1f}s after it")
    if unknown:
        print(f"graph, unexpected {len(unknown)} requests: {unknown[:3]}")
    if failures:
        print(f"\n{len(failures)} check(s) failed:", file=sys.stderr)
        for f in failures:
            print(f"  - {f}", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
