-- The Neovim side of neovim_test.py: Neovim's built-in LSP client starts `cyclops lsp`, opens
-- one file, waits until cyclops publishes a diagnostic with the expected code for it, and
-- writes what the client received as JSON. Written for Neovim 0.7 (Debian 12), whose API is
-- vim.lsp.start_client and vim.lsp.buf_attach_client; later versions keep both.
--
-- Environment: CYCLOPS_BIN, CYCLOPS_ROOT (the workspace), CYCLOPS_FILE (the file to open),
-- CYCLOPS_CODE (the rule id to wait for), CYCLOPS_OUT (where to write the result).
local env = vim.env

local client_id = vim.lsp.start_client({
  name = "cyclops",
  cmd = { env.CYCLOPS_BIN, "lsp" },
  root_dir = env.CYCLOPS_ROOT,
})

vim.cmd("edit " .. vim.fn.fnameescape(env.CYCLOPS_FILE))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)

-- Neovim 0.7 keeps the LSP fields under user_data.lsp; later versions copy code to the top.
local function lsp_field(d, name)
  if d[name] ~= nil then return d[name] end
  return d.user_data and d.user_data.lsp and d.user_data.lsp[name]
end

local function has_code()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if lsp_field(d, "code") == env.CYCLOPS_CODE then return true end
  end
  return false
end

local found = vim.wait(180000, has_code, 100)
local result = { found = found, diagnostics = {} }
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local related = lsp_field(d, "relatedInformation") or {}
  table.insert(result.diagnostics, {
    lnum = d.lnum,
    col = d.col,
    severity = d.severity,
    source = d.source,
    message = d.message,
    code = lsp_field(d, "code"),
    related = #related,
  })
end
vim.fn.writefile({ vim.fn.json_encode(result) }, env.CYCLOPS_OUT)

vim.lsp.stop_client(client_id)
vim.wait(10000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
vim.cmd("qall!")
