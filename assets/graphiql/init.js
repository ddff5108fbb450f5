// GraphiQL for the LatticeIQ gateway. Every request needs
// `Authorization: Bearer <token>`: paste the token printed by `latticeiq serve`
// (or `latticeiq token --workspace …`) into the Headers tab below.
(function () {
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
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
      defaultHeaders: '{\n  "Authorization": "Bearer <paste your token here>"\n}',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
