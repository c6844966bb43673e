// The gateway's GraphiQL page: asks for an API key (or takes one from the URL fragment,
// `/graphql#key=c360_...`, as `c360 demo` prints it), keeps it in sessionStorage (this tab
// only) and sends it with every request, introspection included, so the schema and the docs
// load at once. A key the gateway refuses (401) is forgotten and asked for again.
(function () {
  "use strict";

  var STORAGE_KEY = "c360.graphiql.apiKey";
  var ENDPOINT = "/graphql";
  var DEFAULT_QUERY = [
    "# Ctrl-Enter runs the query; the Docs button on the left browses the schema.",
    "{",
    "  customers(first: 3, filter: {lifecycleStage: ACTIVE}) {",
    "    totalCount",
    "    edges { node { id displayName emails { address } markers { rfmSegment churnRiskBand } } }",
    "  }",
    "}",
    "",
  ].join("\n");

  var form = document.getElementById("c360-key-form");
  var input = document.getElementById("c360-key-input");
  var error = document.getElementById("c360-key-error");
  var bar = document.getElementById("c360-bar");
  var label = document.getElementById("c360-key-label");
  var container = document.getElementById("graphiql");
  var root = null;

  function keyFromFragment() {
    var params = new URLSearchParams(window.location.hash.slice(1));
    var key = params.get("key");
    if (key) {
      // Out of the address bar and the history: the key now lives in sessionStorage only.
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return key;
  }

  function askForKey(message) {
    sessionStorage.removeItem(STORAGE_KEY);
    if (root !== null) {
      root.unmount();
      root = null;
    }
    container.hidden = true;
    bar.hidden = true;
    error.textContent = message || "";
    error.hidden = !message;
    form.hidden = false;
    input.value = "";
    input.focus();
  }

  function refusedKeyGuard(resource, init) {
    return window.fetch(resource, init).then(function (response) {
      if (response.status === 401) {
        askForKey("The gateway refused that key (unknown, revoked or expired). Enter another.");
      }
      return response;
    });
  }

  function open(key) {
    sessionStorage.setItem(STORAGE_KEY, key);
    form.hidden = true;
    error.hidden = true;
    label.textContent = "API key " + key.slice(0, 10) + "\u2026 (kept in this tab)";
    bar.hidden = false;
    container.hidden = false;
    var fetcher = GraphiQL.createFetcher({
      url: ENDPOINT,
      headers: { "X-API-Key": key },
      fetch: refusedKeyGuard,
      enableIncrementalDelivery: false,
    });
    root = ReactDOM.createRoot(container);
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        defaultEditorToolsVisibility: true,
        plugins: [GraphiQLPluginExplorer.explorerPlugin()],
        inputValueDeprecation: true,
        isHeadersEditorEnabled: true,
        // The key is sent by the fetcher; headers typed in the editor are not stored.
        shouldPersistHeaders: false,
      }),
    );
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var key = input.value.trim();
    if (key) {
      open(key);
    }
  });
  document.getElementById("c360-forget-key").addEventListener("click", function () {
    askForKey("");
  });

  var key = keyFromFragment() || sessionStorage.getItem(STORAGE_KEY);
  if (key) {
    open(key);
  } else {
    askForKey("");
  }
})();
