/* login.js: post the token once; the answer sets the session cookie. */
'use strict';
document.getElementById('login-form').addEventListener('submit', async e => {
  e.preventDefault();
  const r = await fetch('/login', { method: 'POST', body: document.getElementById('token').value,
                                    credentials: 'same-origin' });
  if (r.ok) { location.href = '/'; return; }
  const p = document.getElementById('login-error');
  p.textContent = await r.text();
  p.hidden = false;
});
