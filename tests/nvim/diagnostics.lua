-- Headless Neovim (0.7 and later) as a real LSP client of `stowlint server`.
-- Run by tests/nvim.rs:
--   STOWLINT_BIN=... STOWLINT_FILE=compose.yaml STOWLINT_LINE=<0-based line> \
--     nvim --headless --clean -u NONE -i NONE -c 'luafile tests/nvim/diagnostics.lua'
-- Opens the compose file, attaches the server (vim.lsp.start_client + buf_attach_client, which
-- 0.7 has; vim.lsp.start is 0.8+), waits for SL102 at the expected line, replaces the line
-- with a safe mount and waits for SL102 to clear. The exit code says whether all went well.

local bin = os.getenv('STOWLINT_BIN')
local file = os.getenv('STOWLINT_FILE')
local line = tonumber(os.getenv('STOWLINT_LINE') or '')

local function finish(code, message)
  io.stderr:write(message .. '\n')
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

local ok, err = pcall(function()
  if not (bin and file and line) then
    error('set STOWLINT_BIN, STOWLINT_FILE and STOWLINT_LINE')
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'stowlint',
    cmd = { bin, 'server' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
  })
  if not client_id then
    error('vim.lsp.start_client failed')
  end
  vim.lsp.buf_attach_client(buf, client_id)

  local function sl102()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == 'SL102' then
        return d
      end
    end
    return nil
  end

  if not vim.wait(15000, function() return sl102() ~= nil end, 20) then
    error('no SL102 diagnostic; got ' .. vim.inspect(vim.diagnostic.get(buf)))
  end
  local d = sl102()
  if d.lnum ~= line then
    error(('SL102 at line %d, expected %d'):format(d.lnum, line))
  end
  if d.source ~= 'stowlint' then
    error('source: ' .. tostring(d.source))
  end

  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { '      - ./config:/etc/app:ro' })
  if not vim.wait(15000, function() return sl102() == nil end, 20) then
    error('SL102 did not clear: ' .. vim.inspect(vim.diagnostic.get(buf)))
  end

  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end)

if ok then
  finish(0, 'ok: SL102 reported at line ' .. line .. ' and cleared after the edit')
else
  finish(1, 'FAIL: ' .. tostring(err))
end
