// Drive headless Chromium over the DevTools protocol (--remote-debugging-pipe,
// so no port and no WebSocket client: Node built-ins only) to load one page,
// optionally inject scripts, evaluate one JavaScript expression, and/or take a
// screenshot. Used by tests/support/mod.rs (`Chromium::eval`, `run_axe`).
//
//   node cdp.mjs --chromium /usr/bin/chromium --url URL
//                [--width 1280] [--height 800] [--timeout-ms 60000]
//                [--inject FILE]... [--type-into SELECTOR --type TEXT [--enter]]
//                [--eval JS | --eval-file FILE] [--screenshot OUT.png]
//                [--no-script] [--media print] [--color-scheme dark]
//                [--ready-file FILE] [--wait-for JS] [--wait-ms 20000] [--then-eval JS]
//
// --type-into focuses the element, --type types TEXT into it key by key (as
// a reader would), and --enter then presses Enter and waits for the page
// that opens; --eval runs on that page.
// --no-script disables the page's own JavaScript (the --eval expression
// still runs, as DevTools' does); --media and --color-scheme emulate the
// CSS media type and `prefers-color-scheme`.
//
// For pages that change while open (the preview's live reload): after --eval,
// --ready-file is written (so a test knows it may now change files on disk),
// then --wait-for is evaluated every 100 ms, in whatever page is loaded by
// then (reloads included), until it is truthy or --wait-ms pass (an error);
// then --then-eval runs. Their results are "waitedMs" and "then".
//
// Prints one JSON object on stdout:
//   {"ok":true,"value":<result of --eval, awaited if a promise>,
//    "console":[...], "exceptions":[...],
//    "failed":[{"url","type","error"}...]}   requests that failed or got HTTP >= 400
// or {"ok":false,"error":"..."} with exit code 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// unref: a pending wait must not keep Node alive once all else is done.
// Chromium asks every http page's server for /favicon.ico on its own (type
// "Other"); that is the browser's habit, not a request of the page.
const automaticFavicon = (url, type) => type === 'Other' && /^https?:\/\/[^/]+\/favicon\.ico$/.test(url);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

function parseArgs(argv) {
  const o = { width: 1280, height: 800, timeoutMs: 60000, inject: [], waitMs: 20000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--chromium': o.chromium = v(); break;
      case '--url': o.url = v(); break;
      case '--width': o.width = Number(v()); break;
      case '--height': o.height = Number(v()); break;
      case '--timeout-ms': o.timeoutMs = Number(v()); break;
      case '--inject': o.inject.push(v()); break;
      case '--eval': o.evalJs = v(); break;
      case '--eval-file': o.evalJs = readFileSync(v(), 'utf8'); break;
      case '--screenshot': o.screenshot = v(); break;
      case '--type-into': o.typeInto = v(); break;
      case '--type': o.type = v(); break;
      case '--enter': o.enter = true; break;
      case '--no-script': o.noScript = true; break;
      case '--media': o.media = v(); break;
      case '--color-scheme': o.colorScheme = v(); break;
      case '--ready-file': o.readyFile = v(); break;
      case '--wait-for': o.waitFor = v(); break;
      case '--wait-ms': o.waitMs = Number(v()); break;
      case '--then-eval': o.thenEval = v(); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.chromium || !o.url) throw new Error('--chromium and --url are required');
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const profile = mkdtempSync(join(tmpdir(), 'scholia-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-extensions', '--hide-scrollbars', '--mute-audio',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ];
  // fd 3: commands to Chromium; fd 4: replies and events from it.
  const child = spawn(opts.chromium, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];

  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  let buf = Buffer.alloc(0);
  let exited = null;
  const failAll = (err) => { for (const { reject } of pending.values()) reject(err); pending.clear(); };
  child.on('exit', (code, signal) => {
    exited = new Error(`chromium exited (code ${code}, signal ${signal}); stderr tail:\n${stderr}`);
    failAll(exited);
  });
  child.on('error', (e) => { exited = e; failAll(e); });
  fromBrowser.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    let nul;
    while ((nul = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, nul).toString('utf8'));
      buf = buf.subarray(nul + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${JSON.stringify(msg.error)}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const l of listeners.slice()) l(msg);
      }
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    if (exited) { reject(exited); return; }
    const id = nextId++;
    pending.set(id, { resolve, reject, method });
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    toBrowser.write(JSON.stringify(msg) + '\0');
  });
  const waitEvent = (method, sessionId) => new Promise((resolve) => {
    const l = (msg) => {
      if (msg.method === method && (!sessionId || msg.sessionId === sessionId)) {
        listeners.splice(listeners.indexOf(l), 1);
        resolve(msg.params);
      }
    };
    listeners.push(l);
  });

  const timer = setTimeout(() => {
    process.stdout.write(JSON.stringify({ ok: false, error: `timed out after ${opts.timeoutMs} ms` }) + '\n');
    child.kill('SIGKILL');
    process.exit(1);
  }, opts.timeoutMs);

  const consoleMessages = [];
  let result;
  const exceptions = [];
  const failed = [];
  const requests = new Map();
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    listeners.push((msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === 'Runtime.consoleAPICalled') {
        consoleMessages.push({
          type: msg.params.type,
          text: msg.params.args.map((a) => a.value ?? a.description ?? '').join(' '),
        });
      } else if (msg.method === 'Runtime.exceptionThrown') {
        const d = msg.params.exceptionDetails;
        exceptions.push((d.exception && d.exception.description) || d.text);
      } else if (msg.method === 'Network.requestWillBeSent') {
        requests.set(msg.params.requestId, msg.params.request.url);
      } else if (msg.method === 'Network.responseReceived') {
        const r = msg.params.response;
        if (r.status >= 400 && !automaticFavicon(r.url, msg.params.type)) {
          failed.push({ url: r.url, type: msg.params.type, error: `HTTP ${r.status}` });
        }
      } else if (msg.method === 'Network.loadingFailed') {
        const p = msg.params;
        const url = requests.get(p.requestId) || '?';
        if (!automaticFavicon(url, p.type)) failed.push({ url, type: p.type, error: p.errorText });
      }
    });
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    await send('Network.enable', {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride',
      { width: opts.width, height: opts.height, deviceScaleFactor: 1, mobile: false }, sessionId);
    if (opts.noScript) await send('Emulation.setScriptExecutionDisabled', { value: true }, sessionId);
    if (opts.media || opts.colorScheme) {
      await send('Emulation.setEmulatedMedia', {
        media: opts.media || '',
        features: opts.colorScheme ? [{ name: 'prefers-color-scheme', value: opts.colorScheme }] : [],
      }, sessionId);
    }
    const loaded = waitEvent('Page.loadEventFired', sessionId);
    const nav = await send('Page.navigate', { url: opts.url }, sessionId);
    if (nav.errorText) throw new Error(`navigation to ${opts.url} failed: ${nav.errorText}`);
    await loaded;

    for (const file of opts.inject) {
      const r = await send('Runtime.evaluate', { expression: readFileSync(file, 'utf8') }, sessionId);
      if (r.exceptionDetails) throw new Error(`injecting ${file}: ${JSON.stringify(r.exceptionDetails)}`);
    }
    if (opts.typeInto !== undefined) {
      await typeInto(send, waitEvent, sessionId, opts);
    }
    let value = null;
    if (opts.evalJs !== undefined) {
      const r = await send('Runtime.evaluate', {
        expression: opts.evalJs, awaitPromise: true, returnByValue: true,
      }, sessionId);
      if (r.exceptionDetails) {
        const d = r.exceptionDetails;
        throw new Error(`evaluation threw: ${(d.exception && d.exception.description) || d.text}`);
      }
      value = r.result.value === undefined ? null : r.result.value;
    }
    if (opts.screenshot) {
      const { data } = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
      writeFileSync(opts.screenshot, Buffer.from(data, 'base64'));
    }
    if (opts.readyFile) writeFileSync(opts.readyFile, 'ready\n');
    let waitedMs = null;
    if (opts.waitFor !== undefined) {
      const started = Date.now();
      while (waitedMs === null) {
        try {
          const r = await send('Runtime.evaluate', {
            expression: opts.waitFor, awaitPromise: true, returnByValue: true,
          }, sessionId);
          if (!r.exceptionDetails && r.result.value) waitedMs = Date.now() - started;
        } catch {
          // the page is between two documents: try again
        }
        if (waitedMs !== null) break;
        if (Date.now() - started > opts.waitMs) {
          throw new Error(`--wait-for did not hold within ${opts.waitMs} ms: ${opts.waitFor}`);
        }
        await sleep(100);
      }
    }
    let then = null;
    if (opts.thenEval !== undefined) {
      const r = await send('Runtime.evaluate', {
        expression: opts.thenEval, awaitPromise: true, returnByValue: true,
      }, sessionId);
      if (r.exceptionDetails) {
        const d = r.exceptionDetails;
        throw new Error(`--then-eval threw: ${(d.exception && d.exception.description) || d.text}`);
      }
      then = r.result.value === undefined ? null : r.result.value;
    }
    result = { ok: true, value, waitedMs, then, console: consoleMessages, exceptions, failed };
    await Promise.race([send('Browser.close').catch(() => {}), sleep(2000)]);
  } catch (e) {
    result = { ok: false, error: String((e && e.message) || e) };
  }
  clearTimeout(timer);
  // Let Chromium exit before its profile folder goes, or it may still write there.
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    if (!(await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]))) {
      child.kill('SIGKILL');
      await gone;
    }
  }
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    // a leftover temporary profile is harmless
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exitCode = result.ok ? 0 : 1;
}

// Focuses `opts.typeInto`, types `opts.type` one key at a time, and with
// `opts.enter` presses Enter and waits for the page it loads.
async function typeInto(send, waitEvent, sessionId, opts) {
  const focus = await send('Runtime.evaluate', {
    expression: `(() => { const el = document.querySelector(${JSON.stringify(opts.typeInto)});
      if (!el) return false; el.focus(); return document.activeElement === el; })()`,
    returnByValue: true,
  }, sessionId);
  if (focus.result.value !== true) throw new Error(`--type-into ${opts.typeInto}: no element to focus`);
  for (const ch of opts.type || '') {
    await send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch }, sessionId);
    await send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch }, sessionId);
  }
  if (opts.enter) {
    const loaded = waitEvent('Page.loadEventFired', sessionId);
    const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 };
    await send('Input.dispatchKeyEvent', { type: 'keyDown', ...enter, text: '\r' }, sessionId);
    await send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter }, sessionId);
    await loaded;
  }
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) }) + '\n');
  process.exit(1);
});
