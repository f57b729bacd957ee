// zegel staff web, compose page: the live assessment. As the sender types
// and attaches, the form (text and files) goes to /app/compose/assess and
// the answer is shown: the verdict, the reasons and the warnings (look-alike
// domains, visible recipients). Text only (textContent), never markup.
// Without JavaScript the "Controleren" button gives the same answer.
'use strict';
(function () {
  const form = document.getElementById('compose');
  const out = document.getElementById('assessment');
  if (!form || !out) return;
  const title = document.getElementById('assessment-title');
  let timer = null;
  let asked = 0;

  function element(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function show(answer) {
    out.replaceChildren(title);
    out.appendChild(element('p', answer.summary, `verdict ${answer.verdict}`));
    if (answer.reasons.length) {
      const list = element('ul');
      for (const r of answer.reasons) list.appendChild(element('li', r));
      out.appendChild(list);
    }
    if (answer.warnings.length) {
      out.appendChild(element('h3', answer.warnings_title));
      const list = element('ul', undefined, 'warnings');
      for (const w of answer.warnings) list.appendChild(element('li', w));
      out.appendChild(list);
    }
  }

  async function assess() {
    const mine = ++asked;
    const data = new FormData(form);
    data.set('do', 'check');
    try {
      const response = await fetch('/app/compose/assess', {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
      });
      if (!response.ok || mine !== asked) return;
      show(await response.json());
    } catch (e) {
      // The button still works; nothing to show now.
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(assess, 400);
  }

  form.addEventListener('input', later);
  form.addEventListener('change', later);
  form.dataset.live = 'on';
})();
