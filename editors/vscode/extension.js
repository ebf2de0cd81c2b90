'use strict';
// The cyclops extension: runs `cyclops lsp` for C and C++ files, beside clangd's extension.
// The server publishes cyclops' findings as diagnostics and its fix-its as quick fixes; all the
// rest (completion, navigation, clang's own diagnostics) stays with clangd. See docs/editors.md.

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let output;                        // the "cyclops" output channel, kept across restarts
let client;                        // the current client, or undefined
let pending = Promise.resolve();   // starts and stops, one at a time

// The server's initializationOptions from the settings. Empty settings are left out, so that the
// server's own defaults apply (compile_commands.json in the workspace folder, then in its build/;
// the compiled-in rules). The server resolves relative paths against the workspace root.
function initializationOptions(config) {
  const options = {};
  const dir = config.get('compileCommandsDir', '').trim();
  if (dir) options.compileCommandsDir = dir;
  const rules = config.get('rules', '').trim();
  if (rules) options.rules = rules;
  return options;
}

async function start() {
  const config = vscode.workspace.getConfiguration('cyclops');
  const command = config.get('path', '').trim() || 'cyclops';
  // No `transport`: the client then speaks over the process's stdin and stdout as they are
  // (TransportKind.stdio would append a `--stdio` argument, which `cyclops lsp` does not take).
  const server = { command, args: ['lsp'] };
  const candidate = new LanguageClient('cyclops', 'cyclops', server, {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp' },
    ],
    initializationOptions: initializationOptions(config),
    outputChannel: output,   // the server's stderr lands here too
  });
  client = candidate;
  try {
    await candidate.start();
  } catch (err) {
    // The client has already shown an error with a "Go to output" button; say what to check.
    if (client === candidate) client = undefined;
    output.appendLine(`cyclops: \`${command} lsp\` did not start: ${err && err.message ? err.message : err}`);
    output.appendLine('cyclops: set "cyclops.path" to the cyclops executable, then run "cyclops: Restart the language server".');
  }
}

async function stop() {
  const current = client;
  client = undefined;
  if (!current) return;
  try {
    if (current.needsStop()) await current.stop();
  } catch (err) {
    output.appendLine(`cyclops: stopping the server: ${err && err.message ? err.message : err}`);
  }
}

// Runs step after every step queued before it, whether those succeeded or not.
function queue(step) {
  pending = pending.then(step, step);
  return pending;
}

function restart() {
  return queue(async () => {
    await stop();
    await start();
  });
}

function activate(context) {
  output = vscode.window.createOutputChannel('cyclops');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('cyclops.restart', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('cyclops')) restart();
    }),
  );
  // Not awaited: activation does not wait for the server's initialize handshake.
  queue(start);
}

function deactivate() {
  return queue(stop);
}

module.exports = { activate, deactivate };
