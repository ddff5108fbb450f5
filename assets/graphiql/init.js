// GraphiQL for the LatticeIQ gateway. Every request needs
// `Authorization: Bearer <token>`: paste the token printed by `latticeiq serve`
// (or `latticeiq token --workspace …`) into the Headers tab below.
(function () {
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var PLACEHOLDER = '<paste your token here>';
  // Until a token is pasted, send no Authorization header at all: the schema
  // (introspection) loads without one, everything else answers 401.
  var fetch = function (input, init) {
    init = init || {};
    var headers = new Headers(init.headers || {});
    var auth = headers.get('Authorization') || '';
    if (auth.indexOf(PLACEHOLDER) !== -1 || auth.trim() === 'Bearer') {
      headers.delete('Authorization');
    }
    init.headers = headers;
    return window.fetch(input, init);
  };
  var fetcher = GraphiQL.createFetcher({ url: endpoint, fetch: fetch });
  var defaultQuery = [
    '# Paste your token into the Headers tab: {"Authorization": "Bearer <token>"}',
    '{',
    '  viewer { workspaceId role }',
    '  contacts(first: 10) {',
    '    totalCount',
    '    nodes {',
    '      fullName',
    '      email',
    '      enrichmentCompanyIndustry',
    '      enrichmentDataQualityScore',
    '      icpMatch { score tier }',
    '      renderedEmail { subject }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{\n  "Authorization": "Bearer ' + PLACEHOLDER + '"\n}',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
