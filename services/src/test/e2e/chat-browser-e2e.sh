#!/usr/bin/env bash
# End-to-end check of the chat room in a real browser: `polyserve serve chat --web-port` with two members in
# Debian's chromium (driven by Playwright's playwright-core from npm, no browser download) and one member on
# nc. Names are refused inline, everyone sees everyone's lines, and after a server restart the page reconnects and
# rejoins under its name; the server's /dashboard (on the same port) draws charts that move under load. Exits
# non-zero if any check fails.
#
#   services/src/test/e2e/chat-browser-e2e.sh            # model nio
#   MODEL=prefork services/src/test/e2e/chat-browser-e2e.sh
#   SCREENSHOT=docs/img/chat-browser.png services/src/test/e2e/chat-browser-e2e.sh   # also a picture of alice's page
#
# playwright-core is installed once into a cache (PLAYWRIGHT_CACHE, default ~/.cache/polyserve-e2e).
# A missing tool is a skip with the reason printed (exit 0), unless E2E_STRICT=1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
MODEL=${MODEL:-nio}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PLAYWRIGHT_VERSION=1.65.1
cache=${PLAYWRIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polyserve-e2e}

skip() {
  echo "chat-browser-e2e: SKIP: $1"
  [ "${E2E_STRICT:-0}" = 1 ] && exit 1 || exit 0
}
for tool in node npm nc; do command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install -y nodejs netcat-openbsd)"; done
[ -x "$CHROMIUM" ] || skip "$CHROMIUM is not installed (apt-get install -y chromium)"

if [ ! -d "$cache/node_modules/playwright-core" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null \
    || skip "npm could not install playwright-core"
fi

work=$(mktemp -d /tmp/polyserve-chat-browser-e2e.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

extra=()
[ "$MODEL" = prefork ] && extra=(--workers 2)
"$repo/polyserve" serve chat --port 0 --web-port 0 --no-console --model "$MODEL" "${extra[@]}" \
  >"$work/server.out" 2>"$work/server.err" &
pids+=($!)
for _ in $(seq 1 600); do
  grep -q '^listening on ' "$work/server.out" 2>/dev/null && grep -q 'chat page for browsers on ' "$work/server.err" && break
  sleep 0.1
done
if ! grep -q '^listening on ' "$work/server.out"; then
  echo "chat-browser-e2e: server did not start:"; cat "$work/server.out" "$work/server.err"; exit 1
fi
tcp=$(sed -n 's/^listening on [^ ]*:\([0-9]*\) .*/\1/p' "$work/server.out" | head -1)
web=$(sed -n 's/.*chat page for browsers on [^ ]*:\([0-9]*\).*/\1/p' "$work/server.err" | head -1)
echo "chat-browser-e2e: chat on $tcp, page on http://127.0.0.1:$web/ (model $MODEL)"

cat >"$work/chat.mjs" <<'JS'
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import net from 'node:net';
const require = createRequire(process.env.PW_CACHE + '/');
const { chromium } = require('playwright-core');
const [tcp, web] = [process.env.TCP_PORT, process.env.WEB_PORT];
const url = `http://127.0.0.1:${web}/`;
let failures = 0;
let restarted = null;
const ok = what => console.log('ok   - ' + what);
async function check(what, fn) {
  try { await fn(); ok(what); } catch (e) { failures++; console.log('FAIL - ' + what + ': ' + e.message.split('\n')[0]); }
}

// A real nc member: its output lines collected, awaited by prefix.
const nc = spawn('nc', ['127.0.0.1', tcp]);
const ncLines = [];
let ncBuf = '';
nc.stdout.on('data', d => { ncBuf += d; let i; while ((i = ncBuf.indexOf('\n')) >= 0) { ncLines.push(ncBuf.slice(0, i).replace(/\r$/, '')); ncBuf = ncBuf.slice(i + 1); } });
async function ncExpect(text, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (ncLines.some(l => l.includes(text))) return; await new Promise(r => setTimeout(r, 50)); }
  throw new Error(`nc never saw "${text}"; it saw: ${JSON.stringify(ncLines.slice(-5))}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext();
  const alice = await ctx.newPage();
  const bob = await ctx.newPage();
  const join = async (page, name) => {
    await page.fill('#name', name);
    await page.click('#join button');
  };
  await check('the page loads and connects', async () => {
    await alice.goto(url);
    await alice.waitForSelector('#status:has-text("Welcome")', { timeout: 15000 });
  });
  await check('alice joins', async () => {
    await join(alice, 'alice');
    await alice.waitForSelector('#room:not([hidden])');
  });
  await check('a taken name is refused inline', async () => {
    await bob.goto(url);
    await bob.waitForSelector('#status:has-text("Welcome")');
    await join(bob, 'Alice');
    await bob.waitForSelector('#name-error:has-text("taken")');
    if (!(await bob.isVisible('#join'))) throw new Error('the name form went away');
  });
  await check('bob joins with another name and alice sees it', async () => {
    await join(bob, 'bob');
    await bob.waitForSelector('#room:not([hidden])');
    await alice.waitForSelector('#log li:has-text("bob joined")');
  });
  await check('an nc member joins and the browsers see it', async () => {
    await ncExpect('Your name?');
    nc.stdin.write('carol\n');
    await ncExpect('Hello carol!');
    await alice.waitForSelector('#log li:has-text("carol joined")');
    await bob.waitForSelector('#members li:has-text("carol")');
  });
  await check('a browser line reaches the other browser and nc', async () => {
    await alice.fill('#line', 'hi from alice');
    await alice.press('#line', 'Enter');
    await bob.waitForSelector('#log li:has-text("alice: hi from alice")');
    await ncExpect('alice: hi from alice');
  });
  await check('an nc line reaches both browsers, with a timestamp', async () => {
    nc.stdin.write('hello browsers\n');
    await alice.waitForSelector('#log li:has-text("carol: hello browsers") time');
    await bob.waitForSelector('#log li:has-text("carol: hello browsers")');
  });
  await check('/msg from a browser is private', async () => {
    await bob.fill('#line', '/msg carol psst');
    await bob.press('#line', 'Enter');
    await ncExpect('[private] bob: psst');
    await bob.waitForSelector('#log li:has-text("[private to carol]")');
  });
  await check('the member list shows everyone', async () => {
    const names = await alice.$$eval('#members li', lis => lis.map(li => li.textContent));
    if (names.join(',') !== 'alice,bob,carol') throw new Error('members: ' + names.join(','));
  });
  if (process.env.SCREENSHOT) await alice.screenshot({ path: process.env.SCREENSHOT });
  await check('a closed tab leaves the room', async () => {
    await bob.close();
    await ncExpect('bob left');
    await alice.waitForSelector('#log li:has-text("bob left")');
  });
  await check('the dashboard draws the room server live, and its charts move under load', async () => {
    const dash = await ctx.newPage();
    await dash.goto(url + 'dashboard');
    await dash.waitForSelector('#status:has-text("Live")');
    // Load: 30 more connections, each naming itself and saying a line.
    const socks = [];
    for (let i = 0; i < 30; i++) {
      const s = net.connect(Number(tcp), '127.0.0.1', () => s.write('load' + i + '\nline from load' + i + '\n'));
      s.on('error', () => {});
      socks.push(s);
    }
    // The open count follows the load, and the charts keep drawing new points.
    await dash.waitForFunction(() => parseFloat(document.querySelector('#value-open').textContent) >= 30, null, { timeout: 20000 });
    const drawn = Number(await dash.getAttribute('#chart-open canvas', 'data-points'));
    await dash.waitForFunction(n => Number(document.querySelector('#chart-open canvas').dataset.points) > n, drawn, { timeout: 20000 });
    socks.forEach(s => s.destroy());
    await dash.close();
  });
  await check('after a server restart the page reconnects and rejoins under its name', async () => {
    nc.kill();
    process.kill(Number(process.env.SERVER_PID), 'SIGTERM');
    await alice.waitForSelector('#status:has-text("reconnecting")', { timeout: 15000 });
    const args = ['serve', 'chat', '--port', tcp, '--web-port', web, '--no-console', '--model', process.env.MODEL];
    if (process.env.MODEL === 'prefork') args.push('--workers', '2');
    restarted = spawn(process.env.POLYSERVE, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    await alice.waitForSelector('#status:has-text("Connected as alice")', { timeout: 60000 });
  });
} finally {
  await browser.close();
  nc.kill();
  if (restarted) { restarted.kill('SIGTERM'); await new Promise(r => restarted.on('exit', r)); }
}
process.exit(failures ? 1 : 0);
JS

SERVER_PID=${pids[0]} POLYSERVE="$repo/polyserve" MODEL=$MODEL \
SCREENSHOT=${SCREENSHOT:+$(realpath -m "$SCREENSHOT")} PW_CACHE="$cache" TCP_PORT=$tcp WEB_PORT=$web CHROMIUM=$CHROMIUM \
  timeout 180 node "$work/chat.mjs" || { echo "chat-browser-e2e: FAILED (server log follows)"; tail -20 "$work/server.err"; exit 1; }
echo "chat-browser-e2e: all passed"
