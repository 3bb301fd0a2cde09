/* The segment rule builder: AND/OR groups of conditions, written into the rules textarea,
 * with a live member count. No library, no CDN. The server validates everything again. */
(function () {
  "use strict";
  var form = document.getElementById("loyalty-segment-form");
  var root = document.getElementById("loyalty-segment-builder");
  if (!form || !root) { return; }
  var schema = JSON.parse(document.getElementById("loyalty-segment-schema").textContent);
  var operators = JSON.parse(document.getElementById("loyalty-segment-operators").textContent);
  var texts = JSON.parse(document.getElementById("loyalty-segment-texts").textContent);
  var textarea = form.querySelector("textarea.loyalty-segment-rules");
  var countBox = document.getElementById("loyalty-segment-count");
  var errorList = document.getElementById("loyalty-segment-errors");
  var byKey = {};
  schema.forEach(function (c) { byKey[c.key] = c; });

  var tree;
  try { tree = JSON.parse(textarea.value || "{}"); } catch (e) { tree = null; }
  if (!tree || !Array.isArray(tree.rules)) { tree = {op: "and", rules: []}; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function button(label, cls, onclick) {
    var b = el("button", {type: "button", "class": "btn btn-sm " + cls, text: label});
    b.addEventListener("click", function () { onclick(); changed(); });
    return b;
  }

  function fieldInput(field, params) {
    var value = params[field.name];
    var input;
    if (field.type === "select" || field.type === "multiselect") {
      input = el("select", {"class": "form-control form-control-sm"});
      if (field.type === "multiselect") { input.multiple = true; input.size = Math.min(6, field.choices.length); }
      else { input.appendChild(el("option", {value: "", text: "—"})); }
      var chosen = [].concat(value === undefined ? [] : value).map(String);
      field.choices.forEach(function (choice) {
        var option = el("option", {value: choice[0], text: choice[1]});
        option.selected = chosen.indexOf(choice[0]) !== -1;
        input.appendChild(option);
      });
      input.addEventListener("change", function () {
        if (field.type === "multiselect") {
          params[field.name] = Array.prototype.filter.call(input.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else { params[field.name] = input.value; }
        if (!params[field.name] || params[field.name].length === 0) { delete params[field.name]; }
        changed();
      });
    } else if (field.type === "checkbox") {
      input = el("input", {type: "checkbox"});
      input.checked = value === true;
      input.addEventListener("change", function () {
        if (input.checked) { params[field.name] = true; } else { delete params[field.name]; }
        changed();
      });
    } else {
      var type = {number: "number", decimal: "number", date: "date"}[field.type] || "text";
      input = el("input", {type: type, "class": "form-control form-control-sm"});
      if (field.type === "decimal") { input.step = "0.01"; }
      input.value = value === undefined ? "" : (Array.isArray(value) ? value.join(", ") : value);
      input.addEventListener("input", function () {
        if (input.value === "") { delete params[field.name]; } else { params[field.name] = input.value; }
        changed();
      });
    }
    return el("label", {"class": "mr-2 mb-1 small"}, [document.createTextNode(field.label + " "), input]);
  }

  function conditionRow(node, parent) {
    node.params = node.params || {};
    var picker = el("select", {"class": "form-control form-control-sm d-inline-block w-auto mr-2"});
    picker.appendChild(el("option", {value: "", text: texts.choose}));
    var groups = {};
    schema.forEach(function (c) {
      if (!groups[c.group]) { groups[c.group] = el("optgroup", {label: c.group}); picker.appendChild(groups[c.group]); }
      var option = el("option", {value: c.key, text: c.label});
      option.selected = c.key === node.type;
      groups[c.group].appendChild(option);
    });
    picker.addEventListener("change", function () { node.type = picker.value; node.params = {}; render(); changed(); });
    var criterion = byKey[node.type];
    var fields = el("div", {"class": "d-inline"}, criterion ? criterion.fields.map(function (f) { return fieldInput(f, node.params); }) : []);
    var help = criterion && criterion.help ? el("div", {"class": "small text-muted", text: criterion.help}) : null;
    var remove = button(texts.remove, "btn-outline-danger ml-2", function () {
      parent.rules.splice(parent.rules.indexOf(node), 1); render();
    });
    return el("div", {"class": "loyalty-segment-condition border rounded p-2 mb-2 bg-light"}, [picker, fields, remove, help]);
  }

  function groupBox(node, parent) {
    var op = el("select", {"class": "form-control form-control-sm d-inline-block w-auto"});
    operators.forEach(function (o) {
      var option = el("option", {value: o[0], text: o[1]});
      option.selected = o[0] === node.op;
      op.appendChild(option);
    });
    op.addEventListener("change", function () { node.op = op.value; changed(); });
    var children = node.rules.map(function (child) {
      return child && Array.isArray(child.rules) ? groupBox(child, node) : conditionRow(child, node);
    });
    var tools = el("div", {"class": "mt-1"}, [
      button(texts.addCondition, "btn-outline-primary mr-1", function () { node.rules.push({type: "", params: {}}); render(); }),
      button(texts.addGroup, "btn-outline-secondary mr-1", function () {
        node.rules.push({op: node.op === "and" ? "or" : "and", rules: [{type: "", params: {}}]}); render();
      }),
      parent ? button(texts.remove, "btn-outline-danger", function () { parent.rules.splice(parent.rules.indexOf(node), 1); render(); }) : null
    ]);
    return el("fieldset", {"class": "loyalty-segment-group border rounded p-2 mb-2" + (parent ? " ml-4" : "")},
      [op].concat(children).concat([tools]));
  }

  function render() {
    root.innerHTML = "";
    root.appendChild(groupBox(tree, null));
  }

  var timer = null;
  function changed() {
    textarea.value = JSON.stringify(tree);
    clearTimeout(timer);
    timer = setTimeout(count, 400);
  }

  function count() {
    var body = new FormData();
    body.append("rules", textarea.value);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    countBox.textContent = texts.counting;
    fetch(form.getAttribute("data-count-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        errorList.innerHTML = "";
        (data.errors || []).forEach(function (message) { errorList.appendChild(el("li", {text: message})); });
        if (data.count !== undefined) {
          countBox.textContent = tree.rules.length ? data.count + " " + texts.members : texts.everyone + " (" + data.count + ")";
        } else { countBox.textContent = ""; }
      })
      .catch(function () { countBox.textContent = ""; });
  }

  render();
  textarea.addEventListener("change", function () {
    try { tree = JSON.parse(textarea.value); render(); changed(); } catch (e) { /* the server reports it */ }
  });
}());
