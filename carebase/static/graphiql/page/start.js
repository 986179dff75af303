// Carebase's GraphiQL, started from a file rather than an inline script, so the page's
// Content-Security-Policy can allow scripts from 'self' only.
(function () {
  "use strict";
  var url = window.location.origin + window.location.pathname;
  var socket = new URL(url);
  socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: socket.toString() });
  var defaultQuery = [
    "# Carebase API. To act as a member, add under Headers:",
    '#   {"Authorization": "Bearer <access token from logIn>"}',
    "# Run with Ctrl-Enter.",
    "{",
    "  __typename",
    "}",
    "",
  ].join("\n");
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // a bearer token typed into Headers stays in this tab, not in localStorage
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    }),
  );
})();
